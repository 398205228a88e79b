// Line diff (longest common subsequence) between a base text and the current code.
// Atoms are small; past MAX_CELLS the middle part is shown as replaced rather than spending
// seconds of the reviewer's browser on a table it would never read.

const MAX_CELLS = 4_000_000;

export function splitLines(text) {
  if (!text) return [];
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}

/** [{op: " " | "-" | "+", text, oldLine, newLine}] turning `before` into `after`. */
export function diffLines(before, after) {
  const a = splitLines(before);
  const b = splitLines(after);
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start += 1;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA -= 1;
    endB -= 1;
  }
  const ops = [];
  for (let i = 0; i < start; i += 1) ops.push([" ", i, i]);
  ops.push(...middle(a, b, start, endA, start, endB));
  for (let i = 0; i < a.length - endA; i += 1) ops.push([" ", endA + i, endB + i]);
  return ops.map(([op, i, j]) => ({
    op,
    text: op === "+" ? b[j] : a[i],
    oldLine: op === "+" ? null : i + 1,
    newLine: op === "-" ? null : j + 1,
  }));
}

function middle(a, b, a0, a1, b0, b1) {
  const n = a1 - a0;
  const m = b1 - b0;
  const out = [];
  if (n * m > MAX_CELLS || n === 0 || m === 0) {
    for (let i = a0; i < a1; i += 1) out.push(["-", i, null]);
    for (let j = b0; j < b1; j += 1) out.push(["+", null, j]);
    return out;
  }
  // lcs[i][j]: LCS length of a[a0+i..a1) and b[b0+j..b1), in one flat typed array.
  const width = m + 1;
  const lcs = new Uint32Array((n + 1) * width);
  for (let i = n - 1; i >= 0; i -= 1) {
    for (let j = m - 1; j >= 0; j -= 1) {
      lcs[i * width + j] =
        a[a0 + i] === b[b0 + j]
          ? lcs[(i + 1) * width + j + 1] + 1
          : Math.max(lcs[(i + 1) * width + j], lcs[i * width + j + 1]);
    }
  }
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[a0 + i] === b[b0 + j]) {
      out.push([" ", a0 + i, b0 + j]);
      i += 1;
      j += 1;
    } else if (lcs[(i + 1) * width + j] >= lcs[i * width + j + 1]) {
      out.push(["-", a0 + i, null]);
      i += 1;
    } else {
      out.push(["+", null, b0 + j]);
      j += 1;
    }
  }
  for (; i < n; i += 1) out.push(["-", a0 + i, null]);
  for (; j < m; j += 1) out.push(["+", null, b0 + j]);
  return out;
}

/** Runs of unchanged lines longer than 2*context+1 fold into one {op: "…", count} entry. */
export function foldContext(rows, context = 3) {
  const out = [];
  let k = 0;
  while (k < rows.length) {
    if (rows[k].op !== " ") {
      out.push(rows[k]);
      k += 1;
      continue;
    }
    let end = k;
    while (end < rows.length && rows[end].op === " ") end += 1;
    const run = rows.slice(k, end);
    const keepHead = k === 0 ? 0 : context;
    const keepTail = end === rows.length ? 0 : context;
    if (run.length > keepHead + keepTail + 1) {
      out.push(...run.slice(0, keepHead));
      out.push({ op: "…", count: run.length - keepHead - keepTail });
      out.push(...run.slice(run.length - keepTail));
    } else {
      out.push(...run);
    }
    k = end;
  }
  return out;
}

export function diffStats(rows) {
  let added = 0;
  let removed = 0;
  for (const row of rows) {
    if (row.op === "+") added += 1;
    else if (row.op === "-") removed += 1;
  }
  return { added, removed };
}
