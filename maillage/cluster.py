"""Running maillage tasks on Dask: a real cluster (a scheduler address) or a LocalCluster.

:func:`dask_client` connects to the scheduler of a running cluster (``dask scheduler`` and
``dask worker`` started by an operator, see docs/engine.md « running on a real cluster »), or
starts a ``LocalCluster`` of this machine. :func:`map_tasks` runs one task per item there, or
one after the other in this process. Before any task, :func:`check_workers` asks the workers
(with distributed's own version report, ``Client.get_versions``) whether they run the same
maillage as this machine, and whether they see and can write the output folder: on a real
cluster the workers write to shared storage, and a folder that only this machine sees would
otherwise fail after all the work, or leave the files on the workers' disks.
"""

from __future__ import annotations

import contextlib
import os
import re
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

from maillage.errors import InputError

#: How long to wait for a worker to join the scheduler before the first task, seconds.
WORKER_WAIT_S = 30.0


def _distributed():
    try:
        import distributed
    except ImportError as exc:
        raise InputError("Dask (dask.distributed) n'est pas installé",
                         fix="installer l'option : pip install \"maillage[national]\", ou "
                             "lancer sans --dask avec --workers 1") from exc
    return distributed


_ADDRESS = re.compile(r"^(?:(?:tcp|tls|ucx|ws|wss)://)?(?:[\w.\-]+|\[[0-9A-Fa-f:]+\])(?::\d{1,5})?$")


def check_address(address: str) -> str:
    """Check the form of a Dask scheduler address, before any work.

    Parameters
    ----------
    address : str
        ``tcp://host:port``, ``host:port``, ``tls://…``, or the JSON scheduler file that
        ``dask scheduler --scheduler-file FILE`` writes (on shared storage).

    Returns
    -------
    str
        The address or the file's path, stripped.

    Raises
    ------
    InputError
        Neither an address nor a scheduler file (French message with an example).

    Examples
    --------
    >>> check_address(" tcp://calcul-01:8786 ")
    'tcp://calcul-01:8786'
    """
    if isinstance(address, str) and _scheduler_file(address) is not None:
        return address.strip()
    if not isinstance(address, str) or not _ADDRESS.match(address.strip()):
        raise InputError(f"adresse du planificateur Dask « {address} » invalide",
                         fix="donner une adresse comme tcp://machine:8786 ou le fichier "
                             "écrit par « dask scheduler --scheduler-file FICHIER.json »")
    return address.strip()


def _scheduler_file(address: str) -> Path | None:
    """The scheduler file named by ``address`` (an existing ``.json`` file), else None."""
    path = Path(address.strip())
    return path if path.suffix.lower() == ".json" and path.is_file() else None


@contextlib.contextmanager
def dask_client(address: str | None = None, workers: int | None = None, *,
                timeout: float = 10.0, processes: bool = True) -> Iterator[object]:
    """A Dask client: on the scheduler ``address``, else on a ``LocalCluster`` closed after.

    Parameters
    ----------
    address : str, optional
        Scheduler address (``tcp://host:8786``) of a running cluster, or its scheduler file
        (``dask scheduler --scheduler-file FILE.json``).
    workers : int, optional
        Worker processes of the local cluster (default: up to 2, one thread each).
    timeout : float
        How long to wait for the scheduler, seconds.
    processes : bool
        Local workers are processes (default), else threads of this process.

    Yields
    ------
    distributed.Client
        Connected; closed (and the local cluster shut down) on exit.

    Raises
    ------
    InputError
        Dask missing, a malformed address, or no scheduler answering there (French).

    Examples
    --------
    >>> with dask_client(workers=1, processes=False) as client:  # doctest: +SKIP
    ...     client.submit(sum, [1, 2]).result()
    3
    """
    distributed = _distributed()
    if address is not None:
        check_address(address)
        where = _scheduler_file(address)
        target = {"scheduler_file": str(where)} if where else {"address": address.strip()}
        try:
            client = distributed.Client(**target, timeout=f"{timeout}s")
        except (OSError, TimeoutError, ValueError) as exc:
            raise InputError(f"aucun planificateur Dask ne répond à « {address} » ({exc})",
                             fix="vérifier l'adresse et que « dask scheduler » tourne, ou "
                                 "lancer sans --dask (cluster local)") from exc
        with client:
            yield client
        return
    count = workers or min(2, os.cpu_count() or 1)
    with distributed.LocalCluster(n_workers=count, threads_per_worker=1, processes=processes,
                                  dashboard_address=None, silence_logs=40) as cluster, \
            distributed.Client(cluster) as client:
        yield client


def version_problems(versions: dict, package: str = "maillage") -> list[str]:
    """The workers whose ``package`` is missing or not this machine's version (French).

    Parameters
    ----------
    versions : dict
        What ``distributed.Client.get_versions(packages=[package])`` returns: ``client`` and
        ``workers`` (address → ``{"packages": {name: version or None}}``).
    package : str
        The package to compare.

    Returns
    -------
    list of str
        One French line per worker that differs (empty: all the same).

    Examples
    --------
    >>> mine = {"packages": {"maillage": "0.1.0"}}
    >>> version_problems({"client": mine, "workers": {
    ...     "tcp://10.0.0.2:4001": mine, "tcp://10.0.0.3:4001": {"packages": {"maillage": None}}}})
    ['tcp://10.0.0.3:4001 : maillage absent (ici 0.1.0)']
    """
    here = (versions.get("client") or {}).get("packages", {}).get(package)
    problems = []
    for worker, info in sorted((versions.get("workers") or {}).items()):
        theirs = (info or {}).get("packages", {}).get(package) if isinstance(info, dict) else None
        if theirs != here:
            state = f"{package} absent" if theirs is None else f"{package} {theirs}"
            problems.append(f"{worker} : {state} (ici {here})")
    return problems


def _folder_on_worker(folder: str, token: str) -> str:
    """On a worker: '' if it sees the marker ``token`` in ``folder`` and can write there."""
    path = Path(folder)
    if not (path / token).is_file():
        return "ne voit pas ce dossier (pas le même stockage que ce poste)"
    probe = path / f".{token}.{os.getpid()}.essai"
    try:
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        return f"ne peut pas y écrire ({exc.strerror or exc})"
    return ""


def check_workers(client, folder=None, *, wait_s: float = WORKER_WAIT_S) -> None:
    """Check, before any task, that the cluster's workers can run maillage and write ``folder``.

    Waits for at least one worker; compares maillage's version on each worker with this
    machine's (distributed's version report, ``Client.get_versions``); with ``folder``,
    writes a marker file there and asks each worker whether it sees it and can write beside
    it (shared storage).

    Parameters
    ----------
    client : distributed.Client
        Connected client.
    folder : path, optional
        The output folder the workers write to (created if needed).
    wait_s : float
        How long to wait for a first worker, seconds.

    Raises
    ------
    InputError
        No worker, a worker without maillage or with another version (with distributed's
        table of every mismatched package), or a worker that cannot see or write ``folder``.

    Examples
    --------
    >>> with dask_client(workers=1, processes=False) as client:  # doctest: +SKIP
    ...     check_workers(client, "sorties/paires")
    """
    distributed = _distributed()
    try:
        client.wait_for_workers(1, timeout=wait_s)
    except (TimeoutError, distributed.TimeoutError) as exc:
        raise InputError(f"aucun worker Dask n'est connecté au planificateur après {wait_s:g} s",
                         fix="lancer « dask worker ADRESSE » sur les machines de calcul") from exc
    versions = client.get_versions(packages=["maillage"])
    problems = version_problems(versions)
    if problems:
        from distributed.versions import error_message

        table = error_message(versions["scheduler"], versions["workers"],
                              versions["client"])["warning"]
        raise InputError("maillage manque ou n'a pas la même version sur des workers Dask : "
                         + " ; ".join(problems) + (f"\n{table}" if table else ""),
                         fix="installer la même version de maillage (et de ses dépendances) "
                             "sur chaque worker que sur ce poste")
    if folder is None:
        return
    folder = Path(folder).absolute()
    folder.mkdir(parents=True, exist_ok=True)
    token = f".maillage-partage-{uuid.uuid4().hex}"
    marker = folder / token
    marker.write_bytes(b"")
    try:
        answers = client.run(_folder_on_worker, str(folder), token)
    finally:
        marker.unlink(missing_ok=True)
    failed = [f"{worker} {problem}" for worker, problem in sorted(answers.items()) if problem]
    if failed:
        raise InputError(f"des workers Dask ne peuvent pas écrire dans le dossier de sortie "
                         f"{folder} : " + " ; ".join(failed),
                         fix="donner avec --out un dossier sur un stockage partagé que chaque "
                             "worker voit au même chemin et peut écrire (NFS, Lustre…)")


def map_tasks(function: Callable, items, *args, keys=None, address: str | None = None,
              workers: int | None = None, processes: bool = True, use_dask: bool | None = None,
              on_done: Callable | None = None, folder=None) -> list:
    """``function(item, *args)`` for every item: on Dask, or one after the other here.

    Parameters
    ----------
    function : callable
        Picklable (a module-level function, importable on the workers).
    items : list
        One task per item.
    *args
        Extra arguments of every call.
    keys : list of str, optional
        Dask task keys (unique), e.g. ``partition-46``.
    address : str, optional
        Dask scheduler address of a real cluster, or its scheduler file.
    workers : int, optional
        Local worker processes (default: up to 2); ``1`` without ``address``: no Dask.
    processes : bool
        Local workers are processes (default), else threads.
    use_dask : bool, optional
        Force Dask or not (default: Dask unless ``workers == 1`` without ``address``).
    on_done : callable, optional
        Called with each result as it arrives.
    folder : path, optional
        The folder the tasks write to: on Dask, checked first (:func:`check_workers`).

    Returns
    -------
    list
        The results, in the order of ``items``.

    Examples
    --------
    >>> map_tasks(divmod, [7, 9], 4, workers=1)
    [(1, 3), (2, 1)]
    """
    done = on_done or (lambda result: None)
    items = list(items)
    if use_dask is None:
        use_dask = address is not None or workers != 1
    if not use_dask:
        results = []
        for item in items:
            results.append(function(item, *args))
            done(results[-1])
        return results
    distributed = _distributed()
    import dask

    with dask_client(address, workers, processes=processes) as client:
        check_workers(client, folder)
        # Each item travels inside its task (a partition's subgraph: tens of MB at national
        # resolution), not scattered to one worker beforehand: if that worker dies, the
        # scheduler can rerun the task elsewhere, whereas scattered data would be lost with
        # it. Dask's warning about large graphs is therefore expected here, and silenced.
        with dask.config.set({"distributed.admin.large-graph-warning-threshold": "4GiB"}):
            futures = [client.submit(function, item, *args, pure=False,
                                     **({"key": keys[i]} if keys else {}))
                       for i, item in enumerate(items)]
        order = {future.key: i for i, future in enumerate(futures)}
        results = [None] * len(futures)
        for future in distributed.as_completed(futures):
            result = future.result()
            results[order[future.key]] = result
            done(result)
        return results
