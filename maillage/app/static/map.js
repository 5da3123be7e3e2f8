// The map: communes (choropleth), EPCI outlines, facilities by kind, itinerant stops,
// suggestions. Tooltips and popups are DOM elements built with textContent.
import {el, fill, num, minutes, children} from "./dom.js";

const L = window.L;
const MEASURE_LABELS = {
  places_per_100_children: "Places pour 100 enfants",
  access_per_100_children: "Places accessibles (2SFCA, 20 min) pour 100 enfants",
  minutes_nearest: "Temps jusqu'au plus proche (min)",
};
const MODE_LABELS = {before: "avant", after: "après", difference: "écart après − avant"};

/** Class number of `value` in a legend (edges: upper bounds included; null = +inf). */
export function classOf(legend, value) {
  if (value === null || value === undefined || Number.isNaN(value)) return null;
  const edges = legend.edges.map((e) => (e === null ? Infinity : e));
  for (let i = 0; i < edges.length - 1; i += 1) {
    if (value <= edges[i + 1]) return i;
  }
  return edges.length - 2;
}

/** Value of a commune for a measure and a mode (difference = after − before). */
export function communeValue(row, measure, mode) {
  if (!row) return null;
  const before = row[`${measure}_before`];
  const after = row[`${measure}_after`];
  if (mode === "before") return before;
  if (mode === "after") return after;
  if (before === null || after === null || before === undefined || after === undefined) return null;
  return after - before;
}

export class MapView {
  constructor(node, territory, handlers) {
    this.handlers = handlers;
    this.kinds = Object.fromEntries(territory.kinds.map((k) => [k.key, k]));
    this.map = L.map(node, {zoomSnap: 0.25});
    this.data = null;
    this.legend = null;
    this.measure = "places_per_100_children";
    this.mode = "after";
    this.analysed = null;
    const blank = L.layerGroup().addTo(this.map);
    const osm = L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png", {
      maxZoom: 18, attribution: "© contributeurs OpenStreetMap"});
    this.communes = L.geoJSON(territory.communes, {
      style: (feature) => this.style(feature),
      // Without contours a commune is its representative point: a disc, coloured alike.
      pointToLayer: (feature, latlng) => L.circleMarker(latlng, {radius: 7}),
      onEachFeature: (feature, layer) => {
        layer.bindTooltip(() => this.communeTooltip(feature.properties), {sticky: true});
        layer.on("click", (event) => {
          L.DomEvent.stopPropagation(event);
          this.handlers.onMapClick(event.latlng, feature.properties);
        });
      },
    }).addTo(this.map);
    this.outlines = L.geoJSON(territory.outlines, {
      style: {color: "#222", weight: 2.5, fill: false}, interactive: false}).addTo(this.map);
    this.groups = {};
    const overlays = {"Communes": this.communes, "Intercommunalités (contours)": this.outlines};
    for (const kind of territory.kinds) {
      this.groups[kind.key] = L.layerGroup().addTo(this.map);
      overlays[kind.label] = this.groups[kind.key];
    }
    this.stops = L.layerGroup().addTo(this.map);
    overlays["Arrêts itinérants"] = this.stops;
    this.suggestions = L.layerGroup().addTo(this.map);
    overlays["Suggestions"] = this.suggestions;
    this.pending = L.layerGroup().addTo(this.map);
    L.control.layers({"Sans fond de carte (hors ligne)": blank,
                      "OpenStreetMap (internet)": osm}, overlays,
                     {collapsed: true}).addTo(this.map);
    L.control.scale({imperial: false}).addTo(this.map);
    const legendControl = L.control({position: "bottomright"});
    legendControl.onAdd = () => {
      this.legendNode = el("div", {class: "legend", "aria-live": "polite"});
      return this.legendNode;
    };
    legendControl.addTo(this.map);
    this.map.on("click", (event) => this.handlers.onMapClick(event.latlng, null));
    this.fit(null);
  }

  /** Zoom on an EPCI (or the whole territory). */
  fit(epci) {
    const layers = this.communes.getLayers().filter((l) => !epci || l.feature.properties.epci === epci);
    if (layers.length) this.map.fitBounds(L.featureGroup(layers).getBounds(), {padding: [10, 10]});
  }

  row(code) {
    return this.data ? this.data[code] : null;
  }

  style(feature) {
    const props = feature.properties;
    const base = {color: "#777", weight: 0.6, fillOpacity: 0.75};
    const row = this.row(props.code);
    if (!this.legend || !row) return {...base, fillColor: "#eeeeee", fillOpacity: 0.35};
    const value = communeValue(row, this.measure, this.mode);
    const legend = this.mode === "difference" ? this.legend.difference : this.legend.state;
    if (value === null && this.measure === "minutes_nearest" && this.mode !== "difference") {
      return {...base, fillColor: "#7f0000"};
    }
    const index = classOf(legend, value);
    return {...base, fillColor: index === null ? legend.no_data_color : legend.colors[index]};
  }

  communeTooltip(props) {
    const row = this.row(props.code);
    const lines = [el("strong", {}, props.name), el("br")];
    if (!row) {
      lines.push(props.in_registry ? "hors du territoire analysé" : "hors registre des équipements");
      return el("div", {}, lines);
    }
    const show = this.measure === "minutes_nearest" ? minutes : (v) => num(v);
    lines.push(`enfants / habitants : ${children(row.children)}`, el("br"));
    lines.push(`${MEASURE_LABELS[this.measure]} : ${show(row[`${this.measure}_before`])} → ${show(row[`${this.measure}_after`])}`);
    return el("div", {}, lines);
  }

  /** New per-commune values (one indicator) and its legends; redraw. */
  setData(rows, legend, measure, mode, title) {
    this.data = rows;
    this.legend = legend;
    this.measure = measure;
    this.mode = mode;
    this.communes.setStyle((feature) => this.style(feature));
    this.drawLegend(title);
  }

  drawLegend(title) {
    if (!this.legendNode || !this.legend) return;
    const legend = this.mode === "difference" ? this.legend.difference : this.legend.state;
    const items = legend.labels.map((label, i) => el("li", {},
      el("span", {class: "swatch", style: `background:${legend.colors[i]}`}), label));
    items.push(el("li", {}, el("span", {class: "swatch", style: `background:${legend.no_data_color}`}), legend.no_data));
    if (this.measure === "minutes_nearest" && this.mode !== "difference") {
      items.push(el("li", {}, el("span", {class: "swatch", style: "background:#7f0000"}), "aucun service joignable"));
    }
    fill(this.legendNode, el("strong", {}, title), el("br"),
         `${MEASURE_LABELS[this.measure]} — ${MODE_LABELS[this.mode]}`, el("ul", {}, items));
  }

  facilityPopup(props) {
    const kind = this.kinds[props.kind];
    const rows = [["Type", kind ? kind.label : props.kind], ["Identifiant", props.id],
                  ["Places", props.capacity === null ? "non renseignées" : num(props.capacity, 0)],
                  ["Âges", props.ages || "—"], ["Ouverture", props.opening || "—"],
                  ["Commune", props.commune || "—"], ["Gestionnaire", props.operator || "—"],
                  ["Source", props.source || "—"]];
    return el("div", {class: "popup"}, el("strong", {}, props.name || props.id),
              el("dl", {}, rows.map(([k, v]) => [el("dt", {}, k), el("dd", {}, v)])));
  }

  /** Draw facilities (GeoJSON) and stops; `ghosts` are closed facilities shown greyed. */
  setFacilities(collection, stops, ghosts = []) {
    for (const group of Object.values(this.groups)) group.clearLayers();
    this.markers = {};
    // Facilities at the same point (often a commune's point) are spread on a small circle,
    // so that each one can be seen and clicked.
    const all = [...collection.features, ...ghosts];
    const counts = {};
    const seen = {};
    for (const f of all) counts[f.geometry.coordinates.join()] = (counts[f.geometry.coordinates.join()] || 0) + 1;
    const draw = (feature, ghost) => {
      const props = feature.properties;
      const [lon, lat] = feature.geometry.coordinates;
      const key = feature.geometry.coordinates.join();
      const rank = seen[key] = (seen[key] || 0) + 1;
      const spread = counts[key] > 1 ? Math.max(11, 2.8 * counts[key]) : 0;
      const angle = (2 * Math.PI * (rank - 1)) / counts[key];
      const anchor = [8 - spread * Math.cos(angle), 8 - spread * Math.sin(angle)];
      const kind = this.kinds[props.kind] || {color: "#444444", label: props.kind};
      const dot = el("span", {class: "dot", style: `background:${ghost ? "#bbbbbb" : kind.color}`});
      const marker = L.marker([lat, lon], {
        icon: L.divIcon({className: `facility${props.itinerant ? " itinerant" : ""}${ghost ? " ghost" : ""}`,
                         html: dot, iconSize: [16, 16], iconAnchor: anchor}),
        title: `${props.name || props.id} (${kind.label})${ghost ? " — fermé dans le scénario" : ""}`,
        alt: props.name || props.id, keyboard: true, riseOnHover: true});
      marker.bindPopup(() => this.facilityPopup(props));
      if (!ghost) {
        marker.on("click", () => this.handlers.onFacilityClick(props));
        marker.on("dragend", () => this.handlers.onFacilityDrag(props, marker.getLatLng()));
        this.markers[props.id] = marker;
      }
      (this.groups[props.kind] || this.groups.alsh).addLayer(marker);
      marker.getElement?.();
    };
    for (const feature of collection.features) draw(feature, false);
    for (const feature of ghosts) draw(feature, true);
    this.stops.clearLayers();
    for (const feature of stops.features) {
      const props = feature.properties;
      const [lon, lat] = feature.geometry.coordinates;
      const stop = L.circleMarker([lat, lon], {radius: 5, color: "#222", weight: 1.5,
                                               fillColor: "#ffffff", fillOpacity: 1});
      stop.bindTooltip(() => el("div", {}, el("strong", {}, `Arrêt : ${props.name || props.commune}`), el("br"),
        `service ${props.service_id}`, el("br"),
        props.days_per_month === null ? "jours par mois non renseignés" : `${num(props.days_per_month)} jour(s) par mois`));
      this.stops.addLayer(stop);
    }
  }

  /** Let a facility be dragged (true) or not. */
  setDraggable(id, on) {
    const marker = this.markers && this.markers[id];
    if (!marker || !marker.dragging) return false;
    if (on) marker.dragging.enable(); else marker.dragging.disable();
    return true;
  }

  /** A temporary marker where a facility would open. */
  setPending(latlng) {
    this.pending.clearLayers();
    if (latlng) {
      L.marker(latlng, {icon: L.divIcon({className: "pending", html: el("span", {class: "dot"}), iconSize: [18, 18]}),
                        title: "Lieu de l'ouverture", keyboard: false, interactive: false}).addTo(this.pending);
    }
  }

  setSuggestions(sites, onPick) {
    this.suggestions.clearLayers();
    for (const site of sites) {
      const marker = L.marker([site.lat, site.lon], {
        icon: L.divIcon({className: "suggestion", html: el("span", {class: "star"}, "★"), iconSize: [22, 22]}),
        title: `Suggestion : ${site.name}`, keyboard: true});
      marker.bindPopup(() => el("div", {class: "popup"}, el("strong", {}, `Suggestion : ${site.name}`), el("br"),
        el("button", {type: "button", onclick: () => onPick(site)}, "Ajouter cette ouverture au scénario")));
      this.suggestions.addLayer(marker);
    }
  }
}
