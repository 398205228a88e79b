// Rendering code: highlighted lines with numbers and suggestion markers, and the line diff.

import { h } from "./dom.js";
import { tokenLines } from "./highlight.js";
import { diffLines, diffStats, foldContext } from "./diff.js";

function tokenSpans(tokens) {
  return tokens.map((t) => (t.type ? h("span", { class: `tok-${t.type}`, text: t.text }) : t.text));
}

/** A <pre> of numbered, highlighted lines; `flags` maps a line number to its suggestions. */
export function codeBlock(code, language, flags = new Map()) {
  const lines = tokenLines(code || "", language);
  const rows = lines.map((tokens, index) => {
    const number = index + 1;
    const notes = flags.get(number) || [];
    return h(
      "span",
      {
        class: notes.length ? "line flagged" : "line",
        id: `L${number}`,
        dataset: { line: String(number) },
        title: notes.length ? notes.map((n) => `${n.rule}: ${n.message}`).join("\n") : null,
      },
      h("span", { class: "ln", "aria-hidden": "true", text: String(number) }),
      h("span", { class: "src" }, tokenSpans(tokens), "\n"),
    );
  });
  return h("pre", { class: "code", tabindex: "0", "aria-label": "code" }, rows);
}

/** A unified line diff from `before` to `after`, unchanged stretches folded. */
export function diffBlock(before, after, language) {
  const rows = diffLines(before || "", after || "");
  const { added, removed } = diffStats(rows);
  // Each side is highlighted whole, so a line inside a docstring stays a string.
  const oldTokens = tokenLines(before || "", language);
  const newTokens = tokenLines(after || "", language);
  const summary = h("p", {
    class: "diff-summary",
    text: added || removed ? `+${added} −${removed} lines` : "no differences",
  });
  const lines = foldContext(rows).map((row) => {
    if (row.op === "…") {
      return h(
        "span",
        { class: "line fold" },
        h("span", { class: "ln" }),
        h("span", { class: "ln" }),
        h("span", { class: "mark" }),
        h("span", { class: "src", text: `⋯ ${row.count} unchanged lines\n` }),
      );
    }
    const kind = row.op === "+" ? "add" : row.op === "-" ? "del" : "ctx";
    const tokens = row.op === "-" ? oldTokens[row.oldLine - 1] : newTokens[row.newLine - 1];
    return h(
      "span",
      { class: `line ${kind}` },
      h("span", { class: "ln", "aria-hidden": "true", text: row.oldLine ?? "" }),
      h("span", { class: "ln", "aria-hidden": "true", text: row.newLine ?? "" }),
      h("span", { class: "mark", "aria-hidden": "true", text: row.op }),
      h("span", { class: "src" }, tokenSpans(tokens || [{ type: "", text: row.text }]), "\n"),
    );
  });
  const code = h("pre", { class: "code diff-code", tabindex: "0", "aria-label": "diff" }, lines);
  return h("div", { class: "diff" }, summary, code);
}
