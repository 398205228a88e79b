// The review page: the queue on the left, the selected atom on the right, four decisions.
// Decisions go to the HTTP API, which signals the waiting workflow; the page then refreshes.

import { api, ApiError } from "./api.js";
import { ACTION_DONE, OPEN_STATUSES, detailView } from "./detail.js";
import { clear, h, percent, relativeTime } from "./dom.js";

const REVIEWER_KEY = "mge.review.reviewer";
const REFRESH_MS = 10_000;

const state = {
  items: [],
  selectedId: null,
  detail: null,
  view: "code", // code | diff | edit
  diffBase: null, // previous | reference | spec
  form: null, // regenerate | reject: the open feedback form
  // Drafts survive re-rendering (a failed request, a refresh): typed text is never lost.
  draftCode: null,
  draftFeedback: "",
  sent: new Map(), // review id → action sent from this page, until the queue shows it
  busy: false,
  queueSeq: 0,
  detailSeq: 0,
};

const $ = (id) => document.getElementById(id);
const detail = detailView({
  state,
  box: $("detail"),
  decide,
  assignToMe,
  reviewer,
  notify,
});
const renderDetail = () => detail.render();

// --- notices ---------------------------------------------------------------------------------

function notify(text, kind = "info") {
  const box = $("notice");
  box.className = `notice ${kind}`;
  box.setAttribute("role", kind === "error" ? "alert" : "status");
  clear(box, text);
  box.hidden = false;
}

function clearNotice() {
  $("notice").hidden = true;
}

function explain(err) {
  if (!(err instanceof ApiError)) return String(err && err.message ? err.message : err);
  if (err.status === 404) return `Not found: ${err.message}`;
  if (err.status === 409) return `Conflict: ${err.message}`;
  if (err.status === 422) return `Rejected input: ${err.message}`;
  return err.message;
}

// --- reviewer ------------------------------------------------------------------------------

function reviewer() {
  return $("reviewer").value.trim();
}

function requireReviewer() {
  const name = reviewer();
  if (!name) {
    notify("Enter your name as reviewer first: every decision is recorded with it.", "error");
    $("reviewer").focus();
  }
  return name;
}

// --- URL state: #plan=<id>&review=<id> makes a review linkable ----------------------------

function readHash() {
  const params = new URLSearchParams(location.hash.slice(1));
  return { plan: params.get("plan") || "", review: params.get("review") || "" };
}

function writeHash() {
  const params = new URLSearchParams();
  if ($("plan-filter").value) params.set("plan", $("plan-filter").value);
  if (state.selectedId) params.set("review", state.selectedId);
  const text = params.toString();
  history.replaceState(null, "", text ? `#${text}` : location.pathname + location.search);
}

// --- plans and statistics ------------------------------------------------------------------

async function loadPlans(wanted) {
  const select = $("plan-filter");
  try {
    const plans = await api.plans();
    const options = [h("option", { value: "", text: "All plans" })];
    for (const plan of plans || []) {
      const label = `${plan.name} · ${String(plan.id).slice(0, 8)} (${plan.status})`;
      options.push(h("option", { value: plan.id, text: label }));
    }
    clear(select, options);
    if (wanted && [...select.options].some((o) => o.value === wanted)) select.value = wanted;
  } catch (err) {
    notify(`Could not load the plans: ${explain(err)}`, "error");
  }
}

async function loadStatistics() {
  const box = $("stats");
  const planId = $("plan-filter").value;
  if (!planId) {
    box.hidden = true;
    return;
  }
  try {
    const stats = await api.statistics(planId);
    const counts = ["pending", "approved", "edited", "regenerating", "regenerated", "rejected", "expired"]
      .filter((key) => typeof stats[key] === "number")
      .map((key) => h("span", { class: `stat stat-${key}` }, h("b", { text: stats[key] }), ` ${key}`));
    // Every level has a key (zero included); only the levels present are shown.
    const levels = Object.entries(stats.by_level || {}).filter(([, n]) => n > 0).map(([level, n]) =>
      h("span", { class: `badge level-${level}`, text: `${level} ${n}` }),
    );
    clear(
      box,
      h("span", { class: "stats-title", text: "This plan:" }),
      counts,
      h("span", { class: "stat" }, "mean confidence ", h("b", { text: percent(stats.mean_confidence) })),
      levels,
    );
    box.hidden = false;
  } catch (err) {
    box.hidden = true;
    if (!(err instanceof ApiError && err.status === 404)) notify(`Statistics: ${explain(err)}`, "error");
  }
}

// --- the queue -----------------------------------------------------------------------------

function queueParams() {
  return {
    masterplan_id: $("plan-filter").value || null,
    status: $("status-filter").value, // "" = any status
    sort: $("sort").value,
    q: $("search").value.trim() || null,
  };
}

async function loadQueue() {
  const seq = ++state.queueSeq;
  try {
    const data = await api.queue(queueParams());
    if (seq !== state.queueSeq) return; // a newer request (filter change) answered first
    state.items = (data && data.items) || [];
    for (const item of state.items) {
      if (state.sent.has(item.id) && !OPEN_STATUSES.has(item.status)) state.sent.delete(item.id);
    }
    renderQueue();
    // The selected review moved on (decided elsewhere, or the workflow applied a decision):
    // show its new state, unless the reviewer is typing into it.
    const shown = state.detail;
    const listed = shown && state.items.find((i) => i.id === shown.id);
    if (listed && listed.status !== shown.status && state.view !== "edit" && !state.form) {
      loadDetail();
    }
  } catch (err) {
    if (seq === state.queueSeq) notify(`Could not load the queue: ${explain(err)}`, "error");
  }
}

function renderQueue() {
  const list = $("queue-list");
  const count = state.items.length;
  $("queue-count").textContent = count === 1 ? "1 atom" : `${count} atoms`;
  if (!count) {
    clear(list, h("li", { class: "queue-empty", text: "Nothing to review with these filters." }));
    return;
  }
  clear(
    list,
    state.items.map((item) => {
      const selected = item.id === state.selectedId;
      const sent = state.sent.get(item.id);
      return h(
        "li",
        {},
        h(
          "button",
          {
            type: "button",
            class: selected ? "queue-item selected" : "queue-item",
            "aria-current": selected ? "true" : null,
            dataset: { reviewId: item.id },
            on: { click: () => select(item.id) },
          },
          h(
            "span",
            { class: "qi-top" },
            h("span", { class: `badge level-${item.level || "none"}`, text: item.level || "?" }),
            h("span", { class: "qi-conf", text: percent(item.confidence) }),
            h("span", { class: "qi-prio", title: "priority", text: `P${item.priority ?? "–"}` }),
            h("span", { class: `qi-status status-${item.status}`, text: sent ? ACTION_DONE[sent] : item.status }),
          ),
          h("span", { class: "qi-label", text: item.label || item.atom_id }),
          h(
            "span",
            { class: "qi-meta" },
            h("span", { class: "qi-file", text: item.file_path || "" }),
            h("time", { datetime: item.created_at, title: item.created_at, text: relativeTime(item.created_at) }),
            item.assigned_to ? h("span", { class: "qi-assignee", text: `@${item.assigned_to}` }) : null,
          ),
        ),
      );
    }),
  );
}

function moveSelection(step) {
  if (!state.items.length) return;
  const index = state.items.findIndex((i) => i.id === state.selectedId);
  const next = state.items[Math.min(state.items.length - 1, Math.max(0, index + step))];
  if (next && next.id !== state.selectedId) select(next.id);
}

// --- the selected atom ---------------------------------------------------------------------

async function select(id) {
  state.selectedId = id;
  state.view = "code";
  state.form = null;
  state.diffBase = null;
  state.draftCode = null;
  state.draftFeedback = "";
  writeHash();
  renderQueue();
  await loadDetail();
  const title = $("detail-title");
  if (title) title.focus({ preventScroll: true });
}

async function loadDetail() {
  const id = state.selectedId;
  const seq = ++state.detailSeq;
  if (!id) {
    state.detail = null;
    renderDetail();
    return;
  }
  try {
    const detail = await api.review(id);
    if (seq !== state.detailSeq) return;
    state.detail = detail;
    if (!OPEN_STATUSES.has(detail.status)) state.sent.delete(detail.id);
  } catch (err) {
    if (seq !== state.detailSeq) return;
    state.detail = null;
    clear($("detail"), h("p", { class: "empty error", text: `Could not load this review: ${explain(err)}` }));
    return;
  }
  renderDetail();
}

// --- decisions -----------------------------------------------------------------------------

async function decide(action, extra) {
  const d = state.detail;
  clearNotice();
  const name = requireReviewer();
  if (!d || !name || state.busy) return;
  state.busy = true;
  renderDetail();
  try {
    if (action === "approve") await api.approve(d.id, name);
    else if (action === "edit") await api.edit(d.id, name, extra.code);
    else if (action === "regenerate") await api.regenerate(d.id, name, extra.feedback);
    else if (action === "reject") await api.reject(d.id, name, extra.feedback || "");
    state.sent.set(d.id, action);
    state.view = "code";
    state.form = null;
    state.draftCode = null;
    state.draftFeedback = "";
    const label = d.atom ? d.atom.label : d.id;
    notify(`${label}: ${ACTION_DONE[action]} by ${name}. The workflow applies it and goes on.`, "ok");
  } catch (err) {
    notify(`${action} failed: ${explain(err)}`, "error");
    state.busy = false;
    renderDetail();
    return;
  }
  state.busy = false;
  await loadQueue();
  const next = state.items.find((i) => i.id !== d.id && OPEN_STATUSES.has(i.status) && !state.sent.has(i.id));
  if (next) await select(next.id);
  else await loadDetail();
  loadStatistics();
}

async function assignToMe(id) {
  const name = requireReviewer();
  if (!name) return;
  try {
    await api.assign(id, name);
    notify(`Assigned to ${name}.`, "ok");
    await Promise.all([loadQueue(), loadDetail()]);
  } catch (err) {
    notify(`assign failed: ${explain(err)}`, "error");
  }
}

// --- start -----------------------------------------------------------------------------------

function debounce(fn, ms) {
  let timer = null;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

function refreshAll() {
  clearNotice();
  loadQueue();
  loadStatistics();
}

async function start() {
  const name = $("reviewer");
  try {
    name.value = localStorage.getItem(REVIEWER_KEY) || "";
  } catch {
    // storage disabled: the name just isn't remembered
  }
  name.addEventListener("input", () => {
    try {
      localStorage.setItem(REVIEWER_KEY, name.value.trim());
    } catch {
      // ignore
    }
  });
  name.addEventListener("change", () => state.detail && renderDetail());

  const wanted = readHash();
  await loadPlans(wanted.plan);
  $("plan-filter").addEventListener("change", () => {
    writeHash();
    refreshAll();
  });
  $("status-filter").addEventListener("change", loadQueue);
  $("sort").addEventListener("change", loadQueue);
  $("search").addEventListener("input", debounce(loadQueue, 250));
  $("filters").addEventListener("submit", (e) => {
    e.preventDefault();
    loadQueue();
  });
  $("refresh").addEventListener("click", async () => {
    refreshAll();
    if (state.selectedId && state.view !== "edit") loadDetail();
  });
  $("notice").addEventListener("click", clearNotice);
  document.addEventListener("keydown", (e) => {
    const typing = e.target.closest && e.target.closest("input, textarea, select, [contenteditable]");
    if (typing || e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === "j") moveSelection(1);
    else if (e.key === "k") moveSelection(-1);
  });

  await Promise.all([loadQueue(), loadStatistics()]);
  if (wanted.review) await select(wanted.review);
  else if (state.items.length) await select(state.items[0].id);

  // New reviews arrive while the run goes on; an open editor or form is never disturbed.
  setInterval(() => {
    if (document.hidden || state.busy) return;
    loadQueue();
    loadStatistics();
  }, REFRESH_MS);
}

start();
