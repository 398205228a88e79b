// The review HTTP API (/api/v2/review/...). Errors arrive as {"detail": ...}: a string, or
// FastAPI's list of {loc, msg} for a body that failed validation.

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

function describe(detail, fallback) {
  if (typeof detail === "string") return detail;
  if (Array.isArray(detail)) {
    return detail
      .map((d) => (d && typeof d === "object" ? [d.loc && d.loc.join("."), d.msg].filter(Boolean).join(": ") : String(d)))
      .join("; ");
  }
  if (detail && typeof detail === "object") return JSON.stringify(detail);
  return fallback;
}

async function request(method, path, body) {
  const init = { method, headers: { accept: "application/json" } };
  if (body !== undefined) {
    init.headers["content-type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (err) {
    throw new ApiError(0, `cannot reach the server (${err.message})`);
  }
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!response.ok) {
    const fallback = `${response.status} ${response.statusText}`.trim();
    throw new ApiError(response.status, describe(data && data.detail, fallback));
  }
  return data;
}

// null and undefined leave a parameter out; "" is sent (status="" asks for every status).
function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== null && value !== undefined) search.set(key, value);
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}

const base = "/api/v2/review";
const id = (value) => encodeURIComponent(value);

export const api = {
  plans: () => request("GET", "/api/v2/masterplans"),
  queue: (params) => request("GET", `${base}/queue${query(params)}`),
  review: (reviewId) => request("GET", `${base}/${id(reviewId)}`),
  statistics: (planId) => request("GET", `${base}/statistics/${id(planId)}`),
  approve: (reviewId, reviewer) => request("POST", `${base}/${id(reviewId)}/approve`, { reviewer }),
  edit: (reviewId, reviewer, code) => request("POST", `${base}/${id(reviewId)}/edit`, { reviewer, code }),
  regenerate: (reviewId, reviewer, feedback) =>
    request("POST", `${base}/${id(reviewId)}/regenerate`, { reviewer, feedback }),
  reject: (reviewId, reviewer, feedback) =>
    request("POST", `${base}/${id(reviewId)}/reject`, { reviewer, feedback }),
  assign: (reviewId, assignee) => request("POST", `${base}/${id(reviewId)}/assign`, { assignee }),
};
