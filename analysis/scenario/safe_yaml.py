"""Read a small YAML document a user wrote, within budgets: no bomb, no tag, no deep nesting.

A scenario file is a few dozen lines. PyYAML's safe loader refuses ``!!python`` tags, but not
a "billion laughs" file (nested aliases whose expansion is exponential: 1 KB grew to 4.7 GB),
a recursive alias, or thousands of nested brackets (its composer is recursive). This reader
checks, in order and before building anything:

1. the size of the text (:data:`MAX_BYTES`);
2. the nesting depth as written, on the parser's event stream (iterative, so it cannot
   overflow) (:data:`MAX_DEPTH`), and the number of aliases (:data:`MAX_ALIASES`);
3. the document once its aliases are expanded: its size (:data:`MAX_VALUES`), its depth, and
   no alias that contains itself;

then builds the Python values with the safe constructor. Every refusal is an
:class:`~maillage.errors.InputError` in French with the file, the line and the fix.
"""

from __future__ import annotations

import re

import yaml

from maillage.errors import InputError

#: Largest YAML text read, bytes (a scenario is a few kilobytes).
MAX_BYTES = 256_000
#: Deepest nesting of lists and dictionaries, aliases expanded (a scenario needs 5).
MAX_DEPTH = 12
#: Most aliases (``*nom``) a file may use.
MAX_ALIASES = 50
#: Most values (texts, numbers, lists, dictionaries) once aliases are expanded.
MAX_VALUES = 20_000


class Loader(yaml.SafeLoader):
    """Safe YAML loader that keeps dates as text (checked and parsed by the caller)."""


Loader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

_OPEN = (yaml.SequenceStartEvent, yaml.MappingStartEvent)
_CLOSE = (yaml.SequenceEndEvent, yaml.MappingEndEvent)


def _line(mark) -> int | None:
    return None if mark is None else mark.line + 1


def _scan(text: str, file: str | None) -> None:
    """Depth as written and number of aliases, from the event stream (no recursion)."""
    depth = aliases = 0
    for event in yaml.parse(text, Loader=Loader):
        if isinstance(event, _OPEN):
            depth += 1
            if depth > MAX_DEPTH:
                raise InputError(f"YAML imbriqué sur plus de {MAX_DEPTH} niveaux", file=file,
                                 row=_line(event.start_mark),
                                 fix="un scénario n'imbrique que quelques listes et "
                                     "dictionnaires : vérifier les crochets et l'indentation")
        elif isinstance(event, _CLOSE):
            depth -= 1
        elif isinstance(event, yaml.AliasEvent):
            aliases += 1
            if aliases > MAX_ALIASES:
                raise InputError(f"plus de {MAX_ALIASES} alias YAML (*nom)", file=file,
                                 row=_line(event.start_mark),
                                 fix="écrire les valeurs en entier plutôt que par des alias")


def _expanded(node, file: str | None) -> None:
    """Refuse a document too big or too deep once its aliases are expanded, or recursive."""
    known: dict[int, tuple[int, int]] = {}  # id(node) -> (values, depth) once expanded
    active: set[int] = set()

    def refuse(what: str, at) -> InputError:
        return InputError(f"les alias YAML (*nom) {what}", file=file, row=_line(at.start_mark),
                          fix="écrire les valeurs en entier, sans alias qui se répètent "
                              "les uns les autres")

    def measure(item, depth: int) -> tuple[int, int]:
        key = id(item)
        if key in active:
            raise refuse("forment une boucle (une valeur se contient elle-même)", item)
        if key not in known:
            if isinstance(item, yaml.ScalarNode):
                known[key] = (1, 0)
            else:
                if depth >= MAX_DEPTH:
                    raise refuse(f"imbriquent les valeurs sur plus de {MAX_DEPTH} niveaux",
                                 item)
                active.add(key)
                children = (item.value if isinstance(item, yaml.SequenceNode)
                            else [part for pair in item.value for part in pair])
                sizes = [measure(child, depth + 1) for child in children]
                active.discard(key)
                known[key] = (1 + sum(s for s, _ in sizes), 1 + max((d for _, d in sizes),
                                                                   default=0))
        values, height = known[key]
        if values > MAX_VALUES:
            raise refuse(f"développent le fichier en plus de {MAX_VALUES:,} valeurs"
                         .replace(",", "\u202f"), item)
        if depth + height > MAX_DEPTH:
            raise refuse(f"imbriquent les valeurs sur plus de {MAX_DEPTH} niveaux", item)
        return values, height

    if node is not None:
        measure(node, 0)


def read_yaml(text: str, file: str | None = None):
    """The values of one YAML document, read within the budgets of this module.

    Parameters
    ----------
    text : str
        The YAML text.
    file : str, optional
        The file, for messages.

    Returns
    -------
    (object, yaml.Node or None)
        The Python values (dicts, lists, str, int, float, bool, None; dates stay text) and the
        composed node tree (lines of keys, for messages).

    Raises
    ------
    InputError
        Text too big, nested too deep, too many or recursive aliases, a tag such as
        ``!!python/object``, or YAML that does not parse.
    """
    size = len(text.encode("utf-8"))
    if size > MAX_BYTES:
        raise InputError(f"fichier YAML trop gros ({size:,} octets, {MAX_BYTES:,} au plus)"
                         .replace(",", "\u202f"), file=file,
                         fix="un scénario tient en quelques lignes : vérifier le fichier donné")
    loader = None
    try:
        _scan(text, file)
        loader = Loader(text)
        node = loader.get_single_node()
        _expanded(node, file)
        data = loader.construct_document(node) if node is not None else None
    except yaml.constructor.ConstructorError as exc:
        problem = str(exc.problem or "")
        tag = re.search(r"for the tag '([^']+)'", problem)
        if tag:
            message = "balise YAML « " + tag.group(1).replace("tag:yaml.org,2002:", "!!") \
                + " » refusée"
        elif "unhashable key" in problem:
            message = "une liste ou un dictionnaire sert de clé"
        else:
            message = f"YAML illisible : {problem}"
        raise InputError(message, file=file, row=_line(exc.problem_mark),
                         fix="un scénario ne contient que des textes, des nombres, des listes "
                             "et des dictionnaires, avec des clés en texte (pas de balise "
                             "!!python ni !!…)") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputError(f"YAML illisible : {getattr(exc, 'problem', exc)}", file=file,
                         row=_line(mark), fix="vérifier l'indentation et les deux-points") from exc
    finally:
        if loader is not None:
            loader.dispose()
    return data, node
