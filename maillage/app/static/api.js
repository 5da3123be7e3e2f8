// The page's only way to the server: the JSON API of docs/app.md, with the session token.

const params = new URLSearchParams(window.location.search);
const TOKEN = params.get("token") || sessionStorage.getItem("maillage-token") || "";
if (params.get("token")) {
  sessionStorage.setItem("maillage-token", TOKEN);
  // The token leaves the address bar (and never reaches a Referer header).
  window.history.replaceState(null, "", window.location.pathname);
}

/** An error the server explained (French message and fix). */
export class ApiError extends Error {
  constructor(body, status) {
    super(body && body.erreur ? body.erreur : `erreur ${status}`);
    this.fix = body && body.correction ? body.correction : "";
    this.entries = body && body.entries ? body.entries : [];
    this.status = status;
  }
}

/** Call the API: api("/api/x", {json}) or {body, query}; returns JSON, or a Blob with {blob: true}. */
export async function api(path, {json, body, query, blob = false} = {}) {
  const url = new URL(path, window.location.origin);
  for (const [key, value] of Object.entries(query || {})) url.searchParams.set(key, value);
  const init = {method: json !== undefined || body !== undefined ? "POST" : "GET",
                headers: {"Authorization": `token ${TOKEN}`}};
  if (json !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(json);
  } else if (body !== undefined) {
    init.headers["Content-Type"] = "application/octet-stream";
    init.body = body;
  }
  let response;
  try {
    response = await fetch(url, init);
  } catch (exc) {
    throw new ApiError({erreur: "le serveur ne répond pas", correction: "relancer maillage app"}, 0);
  }
  if (!response.ok) {
    let detail = null;
    try { detail = await response.json(); } catch (exc) { detail = null; }
    throw new ApiError(detail, response.status);
  }
  return blob ? response.blob() : response.json();
}

/** Offer a Blob as a download named `name`. */
export function download(blobValue, name) {
  const url = URL.createObjectURL(blobValue);
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}
