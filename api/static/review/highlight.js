// A small syntax highlighter for Python, TypeScript and JavaScript: keywords, strings,
// comments, numbers, literals, decorators and called names. It only colours text; it never
// builds markup from it (the caller turns tokens into text nodes).
//
// Limits, accepted for a review page: ${...} inside template strings is coloured as string, and
// a JS regex literal is recognised only where an expression may start.

const words = (text) => new Set(text.trim().split(/\s+/));

const PY_KEYWORDS = words(`
  and as assert async await break class continue def del elif else except finally for from
  global if import in is lambda match case nonlocal not or pass raise return try while with yield
`);
const PY_LITERALS = words("True False None self cls");
const JS_KEYWORDS = words(`
  abstract as async await break case catch class const continue debugger declare default delete
  do else enum export extends finally for from function get if implements import in instanceof
  interface keyof let namespace new of private protected public readonly return satisfies set
  static switch throw try type typeof var void while with yield
`);
const JS_LITERALS = words("true false null undefined this super NaN Infinity");
const TS_TYPES = words("any unknown never string number boolean object bigint symbol");

const IDENT = /[A-Za-z_$\u00c0-\uffff][\w$\u00c0-\uffff]*/y;
const NUMBER = /(?:0[xXoObB][\da-fA-F_]+n?|(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][+-]?\d+)?[jJn]?)/y;
const SPACE = /\s+/y;

const PYTHON = {
  comment: [/#[^\n]*/y],
  string: [
    /[rRbBuUfF]{0,2}(?:"""[\s\S]*?(?:"""|$)|'''[\s\S]*?(?:'''|$))/y,
    /[rRbBuUfF]{0,2}(?:"(?:[^"\\\n]|\\.)*"?|'(?:[^'\\\n]|\\.)*'?)/y,
  ],
  decorator: /@[\w.]+/y,
  keywords: PY_KEYWORDS,
  literals: PY_LITERALS,
  types: new Set(),
  regex: false,
};

const ECMA = {
  comment: [/\/\/[^\n]*/y, /\/\*[\s\S]*?(?:\*\/|$)/y],
  string: [/"(?:[^"\\\n]|\\.)*"?/y, /'(?:[^'\\\n]|\\.)*'?/y, /`(?:[^`\\]|\\[\s\S])*`?/y],
  decorator: /@[\w.]+/y,
  keywords: JS_KEYWORDS,
  literals: JS_LITERALS,
  types: new Set(),
  regex: true,
};

const TYPESCRIPT = { ...ECMA, types: TS_TYPES };

export function grammarFor(language) {
  const name = String(language || "").toLowerCase();
  if (name === "python" || name === "py") return PYTHON;
  if (name === "typescript" || name === "ts" || name === "tsx") return TYPESCRIPT;
  if (name === "javascript" || name === "js" || name === "jsx") return ECMA;
  return null;
}

function matchAt(regex, text, index) {
  regex.lastIndex = index;
  const m = regex.exec(text);
  return m && m[0].length > 0 ? m[0] : null;
}

// A "/" starts a regex literal only where an expression can start: after these.
const REGEX_AFTER = new Set(["", "(", ",", "=", ":", "[", "!", "&", "|", "?", "{", "}", ";", "+", "-", "*", "%", "<", ">", "~", "^"]);
const REGEX_AFTER_WORDS = words("return typeof instanceof in of new delete void throw case do else yield await");
const REGEX = /\/(?![/*])(?:[^/\\\n[]|\\.|\[(?:[^\]\\\n]|\\.)*\])+\/[dgimsuvy]*/y;

/** Tokens `{type, text}` of `code`; type is one of kw, lit, type, str, com, num, dec, fn, or "". */
export function tokenize(code, language) {
  const grammar = grammarFor(language);
  if (!grammar) return [{ type: "", text: code }];
  const tokens = [];
  let plain = "";
  let previous = ""; // the last significant token, to tell a regex from a division
  const push = (type, text) => {
    if (plain) tokens.push({ type: "", text: plain });
    plain = "";
    tokens.push({ type, text });
  };
  let i = 0;
  outer: while (i < code.length) {
    const space = matchAt(SPACE, code, i);
    if (space) {
      plain += space;
      i += space.length;
      continue;
    }
    for (const re of grammar.comment) {
      const m = matchAt(re, code, i);
      if (m) {
        push("com", m);
        i += m.length;
        continue outer;
      }
    }
    for (const re of grammar.string) {
      const m = matchAt(re, code, i);
      if (m && /["'`]/.test(m)) {
        push("str", m);
        previous = "str";
        i += m.length;
        continue outer;
      }
    }
    if (grammar.regex && code[i] === "/" && (REGEX_AFTER.has(previous) || REGEX_AFTER_WORDS.has(previous))) {
      const m = matchAt(REGEX, code, i);
      if (m) {
        push("str", m);
        previous = "str";
        i += m.length;
        continue;
      }
    }
    const decorator = code[i] === "@" && matchAt(grammar.decorator, code, i);
    if (decorator) {
      push("dec", decorator);
      i += decorator.length;
      continue;
    }
    const word = matchAt(IDENT, code, i);
    if (word) {
      let type = "";
      if (grammar.keywords.has(word)) type = "kw";
      else if (grammar.literals.has(word)) type = "lit";
      else if (grammar.types.has(word)) type = "type";
      else if (/^\s*\(/.test(code.slice(i + word.length, i + word.length + 40))) type = "fn";
      if (type) push(type, word);
      else plain += word;
      previous = word;
      i += word.length;
      continue;
    }
    const number = /\d|\.\d/.test(code.slice(i, i + 2)) && matchAt(NUMBER, code, i);
    if (number) {
      push("num", number);
      previous = "num";
      i += number.length;
      continue;
    }
    plain += code[i];
    previous = code[i];
    i += 1;
  }
  if (plain) tokens.push({ type: "", text: plain });
  return tokens;
}

/** The tokens split into lines (a multi-line string or comment continues on the next line). */
export function tokenLines(code, language) {
  const lines = [[]];
  for (const token of tokenize(code, language)) {
    const parts = token.text.split("\n");
    parts.forEach((part, index) => {
      if (index > 0) lines.push([]);
      if (part) lines[lines.length - 1].push({ type: token.type, text: part });
    });
  }
  // A trailing newline ends the last line; it does not start an empty one.
  if (code.endsWith("\n") && lines.length > 1 && lines[lines.length - 1].length === 0) lines.pop();
  return lines;
}
