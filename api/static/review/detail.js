// The selected atom: header, reasons, decision buttons, code / diff / editor, suggestions and
// validation results. It owns only how the atom is shown; decisions go back through `decide`.

import { codeBlock, diffBlock } from "./code_view.js";
import { clear, h, percent } from "./dom.js";

export const OPEN_STATUSES = new Set(["pending"]);

// What the page can say once the API accepted a decision: the workflow applies it later.
export const ACTION_DONE = {
  approve: "approval sent",
  edit: "edit sent",
  regenerate: "regeneration sent",
  reject: "rejection sent",
};

/**
 * `state` is the page's shared state (detail, view, form, drafts, sent, busy); `box` the
 * element to render into; `decide(action, extra)`, `assignToMe(id)`, `reviewer()` and
 * `notify(text, kind)` come from the page.
 */
export function detailView({ state, box, decide, assignToMe, reviewer, notify }) {
  const approve = () => decide("approve", {});

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
        ? `Decision sent (${ACTION_DONE[sent]}): the workflow is applying it.`
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

  return { render: renderDetail, showLine };
}
