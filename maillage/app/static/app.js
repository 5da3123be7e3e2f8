// maillage app: the planner's what-if workbench. State lives here; the server computes.
import {api, download, ApiError} from "./api.js";
import {el, fill, num, signed, minutes, percent, children} from "./dom.js";
import {MapView} from "./map.js";

const $ = (id) => document.getElementById(id);

const state = {
  territory: null,
  scenario: null,      // the YAML schema as JSON
  history: [],         // previous scenarios (undo)
  result: null,        // last /api/scenario/evaluate answer
  selected: null,      // facility properties
  openAt: null,        // {lat, lon, commune}
  stops: [],           // stops being edited
  dragging: false,
  request: 0,
};
let view = null;

function clone(value) {
  return JSON.parse(JSON.stringify(value));
}

function status(text) {
  $("status").textContent = text;
}

function showError(exc, prefix = "") {
  const box = $("message");
  const fix = exc instanceof ApiError && exc.fix ? ` Correction : ${exc.fix}` : "";
  box.textContent = `${prefix}${exc.message}.${fix}`;
  box.hidden = false;
}

function clearError() {
  $("message").hidden = true;
  $("message").textContent = "";
}

function communeName(code) {
  const feature = state.territory.communes.features.find((f) => f.properties.code === code);
  return feature ? feature.properties.name : code;
}

function knownIds() {
  const ids = new Set();
  if (state.result) {
    for (const side of ["before", "after"]) {
      for (const f of state.result.facilities[side].features) ids.add(f.properties.id);
    }
  }
  for (const change of state.scenario.changements) ids.add(Object.values(change)[0].id);
  return ids;
}

function newId(kind) {
  const ids = knownIds();
  let n = 1;
  while (ids.has(`app-${kind}-${n}`)) n += 1;
  return `app-${kind}-${n}`;
}

// -- scenario edits ------------------------------------------------------------------------
async function edit(change) {
  state.history.push(clone(state.scenario));
  state.scenario.changements.push(change);
  const ok = await refresh();
  if (!ok) {  // refused: the scenario goes back to what it was
    state.scenario = state.history.pop();
    renderChanges();
  }
  return ok;
}

async function setScenario(next) {
  state.history.push(clone(state.scenario));
  state.scenario = next;
  const ok = await refresh();
  if (!ok) state.scenario = state.history.pop();
  syncControls();
  return ok;
}

async function undo() {
  if (!state.history.length) return;
  state.scenario = state.history.pop();
  syncControls();
  await refresh();
  status("Dernière modification annulée.");
}

async function refresh() {
  const ticket = ++state.request;
  status("Calcul…");
  try {
    const result = await api("/api/scenario/evaluate", {json: state.scenario});
    if (ticket !== state.request) return true;
    state.result = result;
    clearError();
    render();
    status(`Indicateurs à jour (${num(result.elapsed_ms, 0)} ms).`);
    return true;
  } catch (exc) {
    if (ticket !== state.request) return false;
    showError(exc, "Modification refusée : ");
    status("La modification n'a pas été appliquée.");
    return false;
  }
}

// -- rendering -------------------------------------------------------------------------------
function currentIndicator() {
  return $("indicator").value || state.scenario.indicateurs[0];
}

function render() {
  renderChanges();
  renderMap();
  renderSummary();
  renderIndicator();
  renderSelected();
  $("undo").disabled = state.history.length === 0;
  $("save").disabled = state.scenario.changements.length === 0;
}

function renderChanges() {
  const list = $("changes");
  const described = state.result ? state.result.changes : [];
  if (!state.scenario.changements.length) {
    fill(list, el("li", {class: "empty"}, "Aucun changement : l'état de base."));
    return;
  }
  fill(list, state.scenario.changements.map((change, i) =>
    el("li", {}, described[i] || `${Object.keys(change)[0]} « ${Object.values(change)[0].id} »`)));
}

function renderMap() {
  const result = state.result;
  const indicator = currentIndicator();
  const measure = $("measure").value;
  const mode = document.querySelector("input[name=mode]:checked").value;
  const info = result.indicators.find((i) => i.key === indicator);
  view.setData(result.communes[indicator] || {}, result.legends[indicator][measure], measure, mode,
               info ? info.label : indicator);
  const side = mode === "before" ? "before" : "after";
  const afterIds = new Set(result.facilities.after.features.map((f) => f.properties.id));
  const ghosts = mode === "before" ? [] :
    result.facilities.before.features.filter((f) => !afterIds.has(f.properties.id));
  view.setFacilities(result.facilities[side], result.stops[side], ghosts);
  if (state.selected && state.dragging) view.setDraggable(state.selected.id, true);
}

function valueCell(text, value) {
  return el("td", {class: "num", dataset: {value: value === null || value === undefined ? "" : String(value)}}, text);
}

function formatSummary(name, value, isDifference) {
  if (name.includes("part des")) {
    return isDifference ? `${signed(100 * value)} pt` : percent(value);
  }
  if (name.endsWith(": places")) return isDifference ? signed(value, 0) : num(value, 0);
  if (name.includes("temps")) return isDifference ? `${signed(value)} min` : minutes(value);
  return isDifference ? signed(value) : num(value);
}

function renderSummary() {
  const rows = state.result.summary.map((row) => {
    const name = row["Indicateur"];
    return el("tr", {}, el("th", {scope: "row"}, name),
      valueCell(formatSummary(name, row["Avant"], false), row["Avant"]),
      valueCell(formatSummary(name, row["Après"], false), row["Après"]),
      valueCell(formatSummary(name, row["Écart"], true), row["Écart"]));
  });
  fill($("summary").querySelector("tbody"), rows);
  fill($("notes"), (state.result.notes || []).map((n) => el("li", {}, n)),
       state.result.timer.estimated ? el("li", {}, `Temps estimés : ${state.result.timer.description}`) : null);
}

function renderIndicator() {
  const result = state.result;
  const indicator = currentIndicator();
  const coverage = result.coverage[indicator] || [];
  fill($("coverage").querySelector("tbody"), coverage.map((row) => el("tr", {},
    el("th", {scope: "row"}, `${num(row.minutes, 0)} min`),
    valueCell(percent(row.before), row.before), valueCell(percent(row.after), row.after),
    valueCell(`${signed(100 * (row.after - row.before))} pt`, row.after - row.before))));
  const blanks = result.zones_blanches[indicator];
  if (blanks) {
    const limit = state.territory.defaults.zone_blanche;
    const list = blanks.after.list.slice(0, 12).map((row) =>
      el("li", {}, `${row.name} : ${minutes(row.minutes)} (${children(row.population)})`));
    fill($("blanks"), el("h3", {}, `Zones blanches (communes à plus de ${limit} min)`),
      el("p", {}, `Avant : ${blanks.before.communes} commune(s), ${children(blanks.before.children)} enfant(s) ou habitant(s) concerné(s). `,
        `Après : ${blanks.after.communes} commune(s), ${children(blanks.after.children)}.`),
      list.length ? el("ul", {}, list) : null);
  } else {
    fill($("blanks"));
  }
  const fs = result.france_services;
  fill($("fs-target"), fs ? [el("h3", {}, "France services : objectif 30 minutes"),
    el("p", {}, `Avant : ${fs.before.text}`), el("p", {}, `Après : ${fs.after.text}`)] : []);
  const epcis = result.epcis[indicator] || [];
  fill($("epci-table").querySelector("tbody"), epcis.map((row) => el("tr", {},
    el("th", {scope: "row"}, row.name || row.epci),
    valueCell(num(row.places_per_100_children_before), row.places_per_100_children_before),
    valueCell(num(row.places_per_100_children_after), row.places_per_100_children_after),
    valueCell(num(row.access_per_100_children_before), row.access_per_100_children_before),
    valueCell(num(row.access_per_100_children_after), row.access_per_100_children_after),
    valueCell(minutes(row.minutes_nearest_before), row.minutes_nearest_before),
    valueCell(minutes(row.minutes_nearest_after), row.minutes_nearest_after))));
}

function renderSelected() {
  const box = $("selected");
  if (!state.selected) {
    box.hidden = true;
    return;
  }
  const still = state.result.facilities.after.features.find((f) => f.properties.id === state.selected.id);
  if (!still) {
    state.selected = null;
    box.hidden = true;
    return;
  }
  const props = still.properties;
  state.selected = props;
  state.selectedPoint = still.geometry.coordinates;  // [lon, lat], degrees
  box.hidden = false;
  const kind = state.territory.kinds.find((k) => k.key === props.kind);
  $("selected-title").textContent = props.name || props.id;
  const details = [["Type", kind ? kind.label : props.kind], ["Identifiant", props.id],
    ["Places", props.capacity === null ? "non renseignées" : num(props.capacity, 0)],
    ["Âges", props.ages || "—"], ["Commune", communeName(props.commune)],
    ["Source", props.source || "—"]];
  fill($("selected-details"), details.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v)]));
  $("resize-places").value = props.capacity === null ? "" : props.capacity;
  if (document.activeElement !== $("move-lat") && document.activeElement !== $("move-lon")) {
    $("move-lat").value = state.selectedPoint[1].toFixed(6);
    $("move-lon").value = state.selectedPoint[0].toFixed(6);
  }
  $("drag-toggle").setAttribute("aria-pressed", String(state.dragging));
  $("drag-toggle").textContent = state.dragging ? "Terminer le déplacement" : "Déplacer sur la carte (glisser)";
  const editor = $("stops-editor");
  editor.hidden = !props.itinerant;
  if (props.itinerant) renderStops();
}

function renderStops() {
  fill($("stops-list"), state.stops.map((stop, i) => el("li", {},
    `${communeName(stop.commune)} : ${num(stop.jours_par_mois)} jour(s) par mois `,
    el("button", {type: "button", onclick: () => { state.stops.splice(i, 1); renderStops(); }},
       `Retirer l'arrêt de ${communeName(stop.commune)}`))));
}

//: Compass words of the keyboard moves, and the step direction (north, east) of each.
const MOVES = {north: ["nord", 1, 0], south: ["sud", -1, 0], east: ["est", 0, 1], west: ["ouest", 0, -1],
               ArrowUp: "north", ArrowDown: "south", ArrowRight: "east", ArrowLeft: "west"};

function coords(lat, lon) {
  return `${num(lat, 5)} N, ${num(Math.abs(lon), 5)} ${lon < 0 ? "O" : "E"}`;
}

// Move the selected facility to (lat, lon): one "deplacer" change; consecutive moves of the
// same facility replace the last one (undo still goes back one step at a time).
async function moveSelected(lat, lon, how) {
  if (!state.selected) return false;
  const id = state.selected.id;
  const name = state.selected.name || id;
  const change = {deplacer: {id, lat: Number(lat.toFixed(6)), lon: Number(lon.toFixed(6))}};
  const changes = state.scenario.changements;
  const last = changes[changes.length - 1];
  state.history.push(clone(state.scenario));
  if (last && last.deplacer && last.deplacer.id === id && last.deplacer.lat !== undefined) changes.pop();
  changes.push(change);
  const ok = await refresh();
  if (!ok) {
    state.scenario = state.history.pop();
    renderChanges();
    $("move-status").textContent = `Déplacement refusé : ${name} reste en place.`;
    return false;
  }
  const where = state.selected ? communeName(state.selected.commune) : "";
  $("move-status").textContent = `${name} ${how} : ${coords(change.deplacer.lat, change.deplacer.lon)}` +
    (where ? ` (commune : ${where}).` : ".");
  return true;
}

async function stepSelected(direction) {
  if (!state.selected || !state.selectedPoint || state.moving) return;
  const [word, north, east] = MOVES[direction];
  const metres = Number($("move-step").value);
  const [lon, lat] = state.selectedPoint;
  const dlat = north * metres / 111320;
  const dlon = east * metres / (111320 * Math.cos(lat * Math.PI / 180));
  state.moving = true;
  try {
    await moveSelected(lat + dlat, lon + dlon, `déplacé de ${num(metres, 0)} m vers le ${word}`);
  } finally {
    state.moving = false;
  }
}

function selectFacility(props) {
  if (state.selected && state.selected.id !== props.id && state.dragging) {
    view.setDraggable(state.selected.id, false);
    state.dragging = false;
  }
  state.selected = props;
  const side = state.result.stops.after.features.filter((f) => f.properties.service_id === props.id);
  state.stops = side.map((f) => ({commune: f.properties.commune,
                                  jours_par_mois: f.properties.days_per_month ?? 1}));
  renderSelected();
  status(`Équipement sélectionné : ${props.name || props.id}.`);
}

// -- controls --------------------------------------------------------------------------------
function communeOptions(select, withEmpty = false) {
  const features = [...state.territory.communes.features].sort((a, b) =>
    a.properties.name.localeCompare(b.properties.name, "fr"));
  const epci = state.scenario ? state.scenario.epci : null;
  fill(select, withEmpty ? el("option", {value: ""}, "— point cliqué sur la carte —") : null,
    features.filter((f) => !epci || f.properties.epci === epci).map((f) =>
      el("option", {value: f.properties.code}, `${f.properties.name} (${f.properties.code})`)));
}

function syncControls() {
  $("epci").value = state.scenario.epci || "";
  $("date").value = state.scenario.date;
  $("scenario-name").value = state.scenario.nom || "";
  for (const id of ["open-commune", "move-commune", "stop-commune"]) communeOptions($(id), id === "open-commune");
  fill($("indicator"), state.scenario.indicateurs.map((key) => {
    const info = state.territory.indicators.find((i) => i.key === key);
    return el("option", {value: key}, info ? info.label : key);
  }));
}

function onMapClick(latlng, commune) {
  if (state.dragging) return;
  state.openAt = {lat: Number(latlng.lat.toFixed(6)), lon: Number(latlng.lng.toFixed(6)),
                  commune: commune ? commune.code : null};
  view.setPending(latlng);
  $("open-commune").value = "";
  $("open-where").textContent = commune ?
    `Ouverture au point cliqué, commune de ${commune.name}.` : "Ouverture au point cliqué.";
  $("open-kind").focus();
}

function openChange() {
  const kind = $("open-kind").value;
  const code = $("open-commune").value;
  const fields = {id: newId(kind), type: kind};
  const name = $("open-name").value.trim();
  fields.nom = name || `${state.territory.kinds.find((k) => k.key === kind).label} (nouveau)`;
  if (code) {
    fields.commune = code;
  } else if (state.openAt) {
    fields.lat = state.openAt.lat;
    fields.lon = state.openAt.lon;
    if (state.openAt.commune) fields.commune = state.openAt.commune;
  } else {
    return null;
  }
  const places = $("open-places").value;
  if (places !== "") fields.places = Number(places);
  const low = $("open-age-min").value;
  const high = $("open-age-max").value;
  if (low !== "" && high !== "") fields.ages = [Number(low), Number(high)];
  return {ouvrir: fields};
}

function renderSuggestions(body) {
  const pick = async (site) => {
    const change = clone(site.edit);
    change.ouvrir.id = newId(change.ouvrir.type);
    if (await edit(change)) status(`Suggestion ajoutée : ${site.name}.`);
  };
  view.setSuggestions(body.best, pick);
  fill($("suggestions"),
    el("p", {}, `Enfants à ${num(body.minutes, 0)} min ou moins d'un site : ${num(body.covered_before, 0)} aujourd'hui, `,
      `${num(body.covered_after, 0)} avec ${body.p} nouveau(x) site(s), sur ${num(body.total, 0)}.`),
    el("h3", {}, "Meilleurs sites (couverture maximale)"),
    el("ol", {class: "suggest-list"}, body.best.map((site) => el("li", {}, `${site.name} `,
      el("button", {type: "button", onclick: () => pick(site)}, `Ouvrir à ${site.name}`)))),
    el("h3", {}, "Classement des communes candidates"),
    el("table", {class: "table"}, el("thead", {}, el("tr", {}, el("th", {scope: "col"}, "Rang"),
      el("th", {scope: "col"}, "Commune"), el("th", {scope: "col"}, "Enfants nouvellement couverts"),
      el("th", {scope: "col"}, "Action"))),
      el("tbody", {}, body.ranking.map((site) => el("tr", {}, el("td", {}, site.rank),
        el("th", {scope: "row"}, site.name), valueCell(num(site.children_covered, 0), site.children_covered),
        el("td", {}, el("button", {type: "button", onclick: () => pick(site)}, `Ouvrir à ${site.name}`)))))),
    (body.notes || []).map((n) => el("p", {class: "note"}, n)));
}

function renderUploadReport(body, exc) {
  const entries = body ? body.entries : exc.entries;
  const head = body ?
    el("p", {}, `${body.file} : ${body.added} équipement(s) ajouté(s)` +
      (body.replaced.length ? `, ${body.replaced.length} remplacé(s)` : "") + ".") :
    el("p", {class: "error"}, `Fichier refusé : ${exc.message}.${exc.fix ? ` Correction : ${exc.fix}` : ""}`);
  const table = entries && entries.length ? el("table", {class: "table report"},
    el("caption", {}, "Rapport de validation"),
    el("thead", {}, el("tr", {}, ["Niveau", "Fichier", "Ligne", "Colonne", "Problème", "Correction"]
      .map((h) => el("th", {scope: "col"}, h)))),
    el("tbody", {}, entries.map((e) => el("tr", {}, [e.level, e.file, e.row, e.column, e.message, e.fix]
      .map((v) => el("td", {}, v === null || v === undefined ? "" : v)))))) : null;
  fill($("upload-report"), head, table);
}

async function readFile(input) {
  const file = input.files && input.files[0];
  input.value = "";
  return file || null;
}

function wire() {
  $("undo").addEventListener("click", undo);
  $("epci").addEventListener("change", async () => {
    const next = clone(state.scenario);
    next.epci = $("epci").value || null;
    await setScenario(next);
    view.fit(state.scenario.epci);
  });
  $("date").addEventListener("change", async () => {
    if (!$("date").value) return;
    const next = clone(state.scenario);
    next.date = $("date").value;
    await setScenario(next);
  });
  $("scenario-name").addEventListener("change", () => {
    state.scenario.nom = $("scenario-name").value.trim() || "Scénario";
  });
  for (const id of ["indicator", "measure"]) $(id).addEventListener("change", () => { renderMap(); renderIndicator(); });
  for (const radio of document.querySelectorAll("input[name=mode]")) radio.addEventListener("change", renderMap);
  $("open-kind").addEventListener("change", () => {
    const kind = state.territory.kinds.find((k) => k.key === $("open-kind").value);
    if (kind && kind.ages) { $("open-age-min").value = kind.ages[0]; $("open-age-max").value = kind.ages[1]; }
  });
  $("open-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const change = openChange();
    if (!change) {
      showError(new Error("aucun lieu choisi"), "Ouverture impossible : ");
      $("open-commune").focus();
      return;
    }
    if (await edit(change)) {
      view.setPending(null);
      state.openAt = null;
      status(`Ouverture ajoutée : ${change.ouvrir.nom}.`);
    }
  });
  $("resize-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const places = $("resize-places").value;
    if (!state.selected || places === "") return;
    await edit({redimensionner: {id: state.selected.id, places: Number(places)}});
  });
  $("close-submit").addEventListener("click", async () => {
    if (!state.selected) return;
    const id = state.selected.id;
    if (await edit({fermer: {id}})) status(`Fermeture ajoutée : ${id}.`);
  });
  $("move-submit").addEventListener("click", async () => {
    if (!state.selected || !$("move-commune").value) return;
    await edit({deplacer: {id: state.selected.id, commune: $("move-commune").value}});
  });
  $("move-pad").addEventListener("keydown", async (event) => {
    const direction = MOVES[event.key];
    if (typeof direction !== "string") return;
    event.preventDefault();
    await stepSelected(direction);
  });
  for (const button of $("move-pad").querySelectorAll("button[data-move]")) {
    button.addEventListener("click", () => stepSelected(button.dataset.move));
  }
  const describeStep = () => {
    const metres = num(Number($("move-step").value), 0);
    $("move-pad").setAttribute("aria-label", `Déplacer l'équipement avec les flèches, pas de ${metres} m`);
    for (const button of $("move-pad").querySelectorAll("button[data-move]")) {
      button.setAttribute("aria-label", `Déplacer de ${metres} m vers le ${MOVES[button.dataset.move][0]}`);
    }
  };
  $("move-step").addEventListener("change", describeStep);
  describeStep();
  $("move-coords").addEventListener("submit", async (event) => {
    event.preventDefault();
    const lat = Number($("move-lat").value);
    const lon = Number($("move-lon").value);
    if (!Number.isFinite(lat) || !Number.isFinite(lon)) return;
    await moveSelected(lat, lon, "placé aux coordonnées");
  });
  $("drag-toggle").addEventListener("click", () => {
    if (!state.selected) return;
    state.dragging = !state.dragging;
    view.setDraggable(state.selected.id, state.dragging);
    renderSelected();
    status(state.dragging ? "Faire glisser l'équipement sur la carte, puis le relâcher." : "Déplacement terminé.");
  });
  $("stop-add").addEventListener("click", () => {
    const code = $("stop-commune").value;
    const days = Number($("stop-days").value);
    if (!code || !(days >= 0)) return;
    state.stops.push({commune: code, jours_par_mois: days});
    renderStops();
  });
  $("stops-submit").addEventListener("click", async () => {
    if (!state.selected || !state.stops.length) {
      showError(new Error("une tournée a au moins un arrêt"), "Tournée refusée : ");
      return;
    }
    await edit({itinerance: {id: state.selected.id, arrets: clone(state.stops)}});
  });
  $("save").addEventListener("click", async () => {
    try {
      const blob = await api("/api/scenario/yaml", {json: state.scenario, blob: true});
      download(blob, "scenario.yaml");
      status("Scénario enregistré (scenario.yaml).");
    } catch (exc) { showError(exc, "Enregistrement impossible : "); }
  });
  $("load").addEventListener("change", async () => {
    const file = await readFile($("load"));
    if (!file) return;
    try {
      const loaded = await api("/api/scenario/load", {body: file, query: {name: file.name}});
      for (const key of state.territory.defaults.indicateurs) {
        if (!loaded.indicateurs.includes(key)) loaded.indicateurs.push(key);
      }
      if (await setScenario(loaded)) status(`Scénario ouvert : ${loaded.nom}.`);
      view.fit(state.scenario.epci);
    } catch (exc) { showError(exc, "Scénario refusé : "); }
  });
  $("export").addEventListener("click", async () => {
    status("Préparation du rapport…");
    $("export").disabled = true;
    try {
      const blob = await api("/api/export", {json: state.scenario, blob: true});
      download(blob, "maillage-rapport.zip");
      status("Rapport exporté (maillage-rapport.zip).");
    } catch (exc) { showError(exc, "Export impossible : "); }
    $("export").disabled = false;
  });
  $("suggest-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    status("Recherche des meilleurs sites…");
    try {
      const body = await api("/api/suggest", {json: {scenario: state.scenario, type: $("suggest-kind").value,
        p: Number($("suggest-p").value), minutes: Number($("suggest-minutes").value),
        places: Number($("suggest-places").value)}});
      renderSuggestions(body);
      status("Suggestions affichées.");
    } catch (exc) { showError(exc, "Suggestion impossible : "); }
  });
  $("upload").addEventListener("change", async () => {
    const file = await readFile($("upload"));
    if (!file) return;
    status(`Lecture de ${file.name}…`);
    try {
      const body = await api("/api/facilities/upload", {body: file, query: {name: file.name}});
      renderUploadReport(body, null);
      await refresh();
    } catch (exc) {
      renderUploadReport(null, exc);
      status("Fichier refusé : voir le rapport de validation.");
    }
  });
  $("upload-reset").addEventListener("click", async () => {
    await api("/api/facilities/reset", {json: {}});
    fill($("upload-report"), el("p", {}, "Registre d'origine rétabli."));
    await refresh();
  });
  document.addEventListener("keydown", (event) => {
    if ((event.ctrlKey || event.metaKey) && event.key === "z" && !event.target.matches("input, select, textarea")) {
      event.preventDefault();
      undo();
    }
  });
}

async function start() {
  try {
    state.territory = await api("/api/territory");
  } catch (exc) {
    showError(exc, "Impossible de charger le territoire : ");
    status("");
    return;
  }
  const t = state.territory;
  document.title = `maillage — ${t.name}`;
  fill($("epci"), el("option", {value: ""}, `Tout le territoire (${t.name})`),
       t.epcis.map((e) => el("option", {value: e.code}, `${e.name} (${e.code})`)));
  fill($("open-kind"), t.kinds.map((k) => el("option", {value: k.key}, k.label)));
  $("timer").textContent = `Temps de trajet : ${t.timer.description}`;
  state.scenario = clone(t.scenario);
  syncControls();
  view = new MapView($("map"), t, {
    onMapClick,
    onFacilityClick: selectFacility,
    onFacilityDrag: async (props, latlng) => {
      await edit({deplacer: {id: props.id, lat: Number(latlng.lat.toFixed(6)), lon: Number(latlng.lng.toFixed(6))}});
    },
  });
  view.fit(state.scenario.epci);
  wire();
  await refresh();
  document.body.dataset.ready = "1";
}

window.addEventListener("DOMContentLoaded", start);
