// DOM helpers: every text goes in with textContent, never as HTML.

/** Build an element: el("td", {class: "num", dataset: {v: 1}}, "texte", child, …). */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** Replace the children of a node. */
export function fill(node, ...children) {
  node.replaceChildren();
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** French number: 1 234,5; null → "—". */
export function num(value, decimals = 1) {
  if (value === null || value === undefined || Number.isNaN(value)) return "—";
  return Number(value).toLocaleString("fr-FR", {minimumFractionDigits: decimals, maximumFractionDigits: decimals});
}

/** Signed French number: +1,5 / −2,0 / 0,0. */
export function signed(value, decimals = 1) {
  if (value === null || value === undefined || Number.isNaN(value)) return "—";
  const text = num(Math.abs(value), decimals);
  if (Math.abs(value) < 0.5 * 10 ** -decimals) return num(0, decimals);
  return (value > 0 ? "+" : "−") + text;
}

/** Minutes: "12,3 min"; null (unreachable) → "inaccessible". */
export function minutes(value) {
  return value === null || value === undefined ? "inaccessible" : `${num(value)} min`;
}

/** Share 0–1 as a percentage. */
export function percent(value) {
  return value === null || value === undefined ? "—" : `${num(100 * value)} %`;
}

/** Children count, « < 5 » when small (secret statistique). */
export function children(value, small = 5) {
  if (value === null || value === undefined) return "—";
  return value > 0 && value < small ? `< ${small}` : num(value, 0);
}
