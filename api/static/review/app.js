// The review page: the queue on the left, the selected atom on the right, four decisions.
// Decisions go to the HTTP API, which signals the waiting workflow; the page then refreshes.

import { api, ApiError } from "./api.js";
import { codeBlock, diffBlock } from "./code_view.js";
import { clear, h, percent, relativeTime } from "./dom.js";

const REVIEWER_KEY = "mge.review.reviewer";
const REFRESH_MS = 10_000;
const OPEN_STATUSES = new Set(["pending"]);
const ACTION_DONE = {
  approve: "approved",
  edit: "edit sent",
  regenerate: "regeneration requested",
  reject: "rejected",
};

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
    const levels = Object.entries(stats.by_level || {}).map(([level, n]) =>
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
    masterplan_id: $("plan-filter").value,
    status: $("status-filter").value,
    sort: $("sort").value,
    q: $("search").value.trim(),
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

function diffBases(atom) {
  return [
    ["previous", "previous attempt", atom.previous_code],
    ["reference", "reference", atom.reference_code],
    ["spec", "spec (skeleton)", atom.spec_code],
  ].filter(([, , code]) => typeof code === "string" && code.length > 0);
}

function suggestionFlags(suggestions) {
  const flags = new Map();
  for (const s of suggestions || []) {
    if (!flags.has(s.line)) flags.set(s.line, []);
    flags.get(s.line).push(s);
  }
  return flags;
}

function renderDetail() {
  const box = $("detail");
  const d = state.detail;
  if (!d) {
    clear(box, h("p", { class: "empty", text: "Select an atom from the queue." }));
    return;
  }
  const atom = d.atom || {};
  const isOpen = OPEN_STATUSES.has(d.status) && !state.sent.has(d.id);
  clear(
    box,
    h(
      "header",
      { class: "detail-head" },
      h("h2", { id: "detail-title", tabindex: "-1", text: atom.label || atom.id || d.id }),
      h(
        "p",
        { class: "meta" },
        h("span", { class: "file", text: atom.file_path || "" }),
        ` · ${atom.language || "?"} · atom ${atom.status || "?"} · `,
        `${atom.attempts ?? 0} attempt${atom.attempts === 1 ? "" : "s"}`,
      ),
      h(
        "p",
        { class: "badges" },
        h("span", { class: `badge level-${d.level || "none"}`, text: `${d.level || "?"} · ${percent(d.confidence)}` }),
        h("span", { class: "badge plain", text: `priority ${d.priority ?? "–"}` }),
        h("span", { class: `badge plain status-${d.status}`, text: `review ${d.status}` }),
        assignment(d),
      ),
    ),
    reasonsSection(d),
    atom.last_error ? h("section", { class: "last-error" }, h("h3", { text: "Last error" }), h("pre", { text: atom.last_error })) : null,
    actionsSection(d, isOpen),
    codeSection(d, atom, isOpen),
    suggestionsSection(d.suggestions || []),
    validationSection(d.validation || []),
  );
}

function assignment(d) {
  const me = reviewer();
  const label = d.assigned_to ? `assigned to ${d.assigned_to}` : "unassigned";
  const button =
    OPEN_STATUSES.has(d.status) && me && d.assigned_to !== me
      ? h("button", { type: "button", class: "link", on: { click: () => assignToMe(d.id) }, text: "assign to me" })
      : null;
  return h("span", { class: "assignment" }, h("span", { class: "badge plain", text: label }), button);
}

function reasonsSection(d) {
  const reasons = d.reasons || [];
  if (!reasons.length) return null;
  return h(
    "section",
    { class: "reasons" },
    h("h3", { text: "Why it is here" }),
    h("ul", {}, reasons.map((r) => h("li", { text: r }))),
  );
}

function actionsSection(d, isOpen) {
  if (!isOpen) {
    const sent = state.sent.get(d.id);
    const text = sent
      ? `Decision sent (${ACTION_DONE[sent]}); the workflow is applying it.`
      : `This review is ${d.status}: no decision needed.`;
    return h("section", { class: "actions closed" }, h("p", { text }));
  }
  const disabled = state.busy;
  const buttons = h(
    "div",
    { class: "action-buttons" },
    h("button", { type: "button", class: "approve", disabled, on: { click: approve }, text: "Approve" }),
    h("button", { type: "button", disabled, "aria-pressed": state.view === "edit" ? "true" : "false", on: { click: startEdit }, text: "Edit" }),
    h("button", { type: "button", disabled, "aria-expanded": state.form === "regenerate" ? "true" : "false", on: { click: () => openForm("regenerate") }, text: "Regenerate…" }),
    h("button", { type: "button", class: "danger", disabled, "aria-expanded": state.form === "reject" ? "true" : "false", on: { click: () => openForm("reject") }, text: "Reject…" }),
  );
  return h("section", { class: "actions", "aria-label": "decision" }, buttons, feedbackForm());
}

function feedbackForm() {
  if (!state.form) return null;
  const regenerate = state.form === "regenerate";
  const textarea = h("textarea", {
    id: "feedback",
    rows: "3",
    "aria-required": regenerate ? "true" : null, // checked in submit, with a clear message
    value: state.draftFeedback,
    on: { input: () => (state.draftFeedback = textarea.value) },
    placeholder: regenerate ? "What should the new attempt do differently?" : "Why is this atom rejected? (optional)",
  });
  const submit = async (event) => {
    event.preventDefault();
    const feedback = textarea.value.trim();
    if (regenerate && !feedback) {
      notify("Say what the regeneration should change: the feedback goes into the prompt.", "error");
      textarea.focus();
      return;
    }
    await decide(state.form, { feedback });
  };
  const form = h(
    "form",
    { class: "feedback-form", on: { submit } },
    h("label", { for: "feedback", text: regenerate ? "Feedback for the regeneration" : "Reason for rejecting" }),
    textarea,
    h(
      "div",
      { class: "form-buttons" },
      h("button", { type: "submit", class: regenerate ? "primary" : "danger", disabled: state.busy, text: regenerate ? "Send regenerate" : "Confirm reject" }),
      h("button", { type: "button", on: { click: () => openForm(null) }, text: "Cancel" }),
    ),
  );
  queueMicrotask(() => textarea.focus());
  return form;
}

function codeSection(d, atom, isOpen) {
  const bases = diffBases(atom);
  if (!state.diffBase || !bases.some(([key]) => key === state.diffBase)) {
    state.diffBase = bases.length ? bases[0][0] : null;
  }
  const tab = (key, label, disabled = false) =>
    h("button", {
      type: "button",
      role: "tab",
      class: "tab",
      disabled,
      "aria-selected": state.view === key ? "true" : "false",
      on: { click: () => setView(key) },
      text: label,
    });
  const tabs = h(
    "div",
    { class: "tabs", role: "tablist", "aria-label": "code views" },
    tab("code", "Code"),
    tab("diff", "Diff", bases.length === 0),
    state.view === "edit" ? tab("edit", "Editing") : null,
  );
  let body;
  let tools = null;
  if (state.view === "edit" && isOpen) {
    body = editor(atom);
  } else if (state.view === "diff" && state.diffBase) {
    const base = bases.find(([key]) => key === state.diffBase);
    tools = h(
      "label",
      { class: "diff-base" },
      "against ",
      h(
        "select",
        { id: "diff-base", on: { change: (e) => ((state.diffBase = e.target.value), renderDetail()) } },
        bases.map(([key, label]) => h("option", { value: key, selected: key === state.diffBase, text: label })),
      ),
    );
    body = diffBlock(base[2], atom.code, atom.language);
  } else {
    body = codeBlock(atom.code, atom.language, suggestionFlags(d.suggestions));
  }
  return h("section", { class: "code-panel" }, h("div", { class: "code-toolbar" }, tabs, tools), body);
}

function editor(atom) {
  const indent = atom.language === "python" ? "    " : "  ";
  const area = h("textarea", {
    id: "edit-code",
    class: "editor",
    spellcheck: "false",
    autocomplete: "off",
    "aria-label": "edited code",
    rows: String(Math.min(40, Math.max(8, (atom.code || "").split("\n").length + 2))),
    value: state.draftCode ?? atom.code ?? "",
    on: {
      input: () => (state.draftCode = area.value),
      // Tab indents instead of leaving the field; Escape (then Tab) still leaves it.
      keydown: (e) => {
        if (e.key !== "Tab" || e.shiftKey || e.ctrlKey || e.altKey || e.metaKey) return;
        e.preventDefault();
        area.setRangeText(indent, area.selectionStart, area.selectionEnd, "end");
      },
    },
  });
  const save = async (event) => {
    event.preventDefault();
    if (!area.value.trim()) {
      notify("The edited code is empty.", "error");
      return;
    }
    await decide("edit", { code: area.value });
  };
  queueMicrotask(() => area.focus());
  return h(
    "form",
    { class: "edit-form", on: { submit: save } },
    area,
    h(
      "div",
      { class: "form-buttons" },
      h("button", { type: "submit", class: "primary", disabled: state.busy, text: "Save edit" }),
      h("button", { type: "button", on: { click: () => setView("code") }, text: "Cancel" }),
      h("span", { class: "hint", text: "The edited code is validated again before the run goes on." }),
    ),
  );
}

function suggestionsSection(suggestions) {
  return h(
    "section",
    { class: "suggestions" },
    h("h3", { text: `Suggestions (${suggestions.length})` }),
    suggestions.length
      ? h(
          "ol",
          {},
          suggestions.map((s) =>
            h(
              "li",
              {},
              h("button", { type: "button", class: "link line-link", on: { click: () => showLine(s.line) }, text: `line ${s.line}` }),
              h("span", { class: "rule", text: s.rule }),
              h("span", { class: "message", text: s.message }),
              s.fix ? h("span", { class: "fix", text: `Fix: ${s.fix}` }) : null,
            ),
          ),
        )
      : h("p", { class: "muted", text: "No rule matched this code." }),
  );
}

function validationSection(results) {
  const rows = results.map((r) =>
    h(
      "tr",
      { class: `outcome-${r.outcome}` },
      h("td", { text: r.level }),
      h("td", { text: r.check_name }),
      h("td", {}, h("span", { class: `badge outcome outcome-${r.outcome}`, text: String(r.outcome).replace("_", " ") })),
      h(
        "td",
        {},
        (r.violations || []).length
          ? h("ul", { class: "violations" }, r.violations.map((v) => h("li", { text: typeof v === "string" ? v : JSON.stringify(v) })))
          : null,
        r.reason ? h("span", { class: "reason", text: r.reason }) : null,
      ),
    ),
  );
  return h(
    "section",
    { class: "validation" },
    h("h3", { text: "Validation" }),
    rows.length
      ? h(
          "table",
          {},
          h("thead", {}, h("tr", {}, ["Level", "Check", "Outcome", "Details"].map((t) => h("th", { scope: "col", text: t })))),
          h("tbody", {}, rows),
        )
      : h("p", { class: "muted", text: "No validation result recorded for this atom." }),
  );
}

function setView(view) {
  state.view = view;
  renderDetail();
}

function openForm(kind) {
  state.form = state.form === kind ? null : kind;
  renderDetail();
}

function startEdit() {
  state.form = null;
  setView(state.view === "edit" ? "code" : "edit");
}

function showLine(line) {
  if (state.view !== "code") setView("code");
  const row = document.getElementById(`L${line}`);
  if (!row) return;
  row.scrollIntoView({ block: "center" });
  row.classList.remove("pulse");
  void row.offsetWidth; // restart the animation
  row.classList.add("pulse");
}

// --- decisions -----------------------------------------------------------------------------

async function approve() {
  await decide("approve", {});
}

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
    notify(`${d.atom ? d.atom.label : d.id}: ${ACTION_DONE[action]} by ${name}. The workflow goes on.`, "ok");
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
