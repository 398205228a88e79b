"""Docstrings and JSDoc turned into pre- and postconditions.

Preconditions come from what a caller must provide (parameters, `Requires:`), postconditions
from what the code promises (returns, yields, raises, `Ensures:`); a summary line with no
structured section becomes the postcondition, since it states what the code achieves.
Google, NumPy, Sphinx/reST and JSDoc conventions are understood.
"""

from __future__ import annotations

import re
from itertools import repeat
from operator import or_

_GOOGLE_SECTIONS = {
    "args": "pre",
    "arguments": "pre",
    "parameters": "pre",
    "params": "pre",
    "keyword args": "pre",
    "keyword arguments": "pre",
    "other parameters": "pre",
    "requires": "pre",
    "preconditions": "pre",
    "precondition": "pre",
    "returns": "post",
    "return": "post",
    "yields": "post",
    "yield": "post",
    "raises": "post",
    "raise": "post",
    "throws": "post",
    "ensures": "post",
    "postconditions": "post",
    "postcondition": "post",
}
_SECTION_LABEL = {
    "returns": "returns",
    "return": "returns",
    "yields": "yields",
    "yield": "yields",
    "raises": "raises",
    "raise": "raises",
    "throws": "raises",
}
_SECTION_RE = re.compile(r"^([A-Za-z][A-Za-z ]*?)\s*:\s*(.*)$")
_NUMPY_RULE = re.compile(r"^-{3,}\s*$")
_SPHINX_RE = re.compile(
    r"^:(param|parameter|arg|argument|key|keyword|type|returns?|rtype|raises?|except|yields?)"
    r"(?:\s+([^:]+))?:\s*(.*)$"
)
_JSDOC_TAG = re.compile(r"^@(\w+)\s*(.*)$")
_JSDOC_TYPE = re.compile(r"^\{([^}]*)\}\s*(.*)$")
_JSDOC_LINE = re.compile(r"(?m)^\s*@\w+")
_ITEM_START = re.compile(r"^\*{0,2}[\w.]+\s*(\([^)]*\))?\s*:")
_MAX_ITEM = 200
# Anything the line-by-line parser below would act on; most docstrings have none of it.
_STRUCTURE = re.compile(
    r"(?im)^[ \t]*(?:@\w|:(?:param|parameter|arg|argument|key|keyword|returns?|raises?|except"
    r"|yields?)\b|-{3,}[ \t]*$|(?:"
    + "|".join(re.escape(k) for k in _GOOGLE_SECTIONS)
    + r")[ \t]*:)"
)


def parse_contract(doc: str | None) -> tuple[list[str], list[str]]:
    """(preconditions, postconditions) read from a docstring or cleaned JSDoc text."""
    if not doc or not doc.strip():
        return [], []
    # every structure marker needs a ":", an "@" or a "---": most docstrings have none
    if (":" not in doc and "@" not in doc and "---" not in doc) or _STRUCTURE.search(doc) is None:
        # no section, tag or field list: the summary line is the whole contract
        summary = _summary(doc.splitlines())
        return [], [_short(f"ensures: {summary}")] if summary else []
    if _JSDOC_LINE.search(doc):
        return _jsdoc(doc)
    pre: list[str] = []
    post: list[str] = []
    lines = doc.splitlines()
    summary = _summary(lines)
    section: str | None = None
    label = ""
    section_indent = 0
    item: list[str] | None = None

    def flush() -> None:
        nonlocal item
        if item and section is not None:
            text = _short(" ".join(item))
            target = pre if section == "pre" else post
            target.append(f"{label}: {text}" if label and section == "post" else text)
        item = None

    # Cheap tests guard every regex: a field list line starts with ":", a NumPy heading is
    # underlined with "---", a Google heading holds ":". Most docstring lines have none, and
    # outside a section such lines do nothing: the loop jumps over them (list.index, in C).
    n = len(lines)
    dashed = list(map(str.__contains__, lines, repeat("---")))
    dashed.append(False)
    marked = list(map(or_, map(str.__contains__, lines, repeat(":")), dashed[1:]))
    k = 0
    while k < n:
        if section is None and not marked[k]:
            try:
                k = marked.index(True, k)
            except ValueError:
                break
        raw = lines[k]
        line = raw.strip()
        if line[:1] == ":":
            sphinx = _SPHINX_RE.match(line)
            if sphinx:
                flush()
                tag, arg, text = sphinx.group(1), (sphinx.group(2) or "").strip(), sphinx.group(3)
                if tag in ("param", "parameter", "arg", "argument", "key", "keyword"):
                    name = arg.split()[-1] if arg else ""
                    pre.append(_short(f"{name}: {text}" if name else text))
                elif tag in ("returns", "return"):
                    post.append(_short(f"returns: {text}"))
                elif tag in ("raises", "raise", "except"):
                    post.append(_short(f"raises {arg}: {text}" if arg else f"raises: {text}"))
                elif tag in ("yields", "yield"):
                    post.append(_short(f"yields: {text}"))
                section = None
                k += 1
                continue
        if line and dashed[k + 1] and _NUMPY_RULE.match(lines[k + 1].strip()):
            # NumPy style: a heading underlined with dashes; items sit at the heading's indent
            flush()
            heading = line.rstrip(":").lower()
            section = _GOOGLE_SECTIONS.get(heading)
            label, section_indent = _label(heading), len(raw) - len(raw.lstrip()) - 1
            k += 2
            continue
        if ":" in line:
            match = _SECTION_RE.match(line)
            if match and (key := match.group(1).lower()) in _GOOGLE_SECTIONS:
                if line.endswith(":"):
                    flush()
                    section = _GOOGLE_SECTIONS[key]
                    label, section_indent = _label(key), len(raw) - len(raw.lstrip())
                    k += 1
                    continue
                if match.group(2):
                    # one-line form: "Returns: the count"
                    flush()
                    sec = _GOOGLE_SECTIONS[key]
                    lab = _label(key)
                    text = _short(match.group(2))
                    (pre if sec == "pre" else post).append(
                        f"{lab}: {text}" if lab and sec == "post" else text
                    )
                    section = None
                    k += 1
                    continue
        if section is not None:
            indent = len(raw) - len(raw.lstrip())
            if not line:
                flush()
            elif indent <= section_indent:
                flush()
                section = None
                continue
            elif item is None or _starts_item(line, indent, section_indent, lines, k):
                flush()
                item = [line]
            else:
                item.append(line)
        k += 1
    flush()
    if not post and summary:
        post.append(_short(f"ensures: {summary}"))
    return pre, post


def _jsdoc(doc: str) -> tuple[list[str], list[str]]:
    pre: list[str] = []
    post: list[str] = []
    description: list[str] = []
    tags: list[list[str]] = []
    for raw in doc.splitlines():
        line = raw.strip()
        tag = _JSDOC_TAG.match(line) if line[:1] == "@" else None
        if tag:
            tags.append([tag.group(1), tag.group(2)])
        elif tags:
            tags[-1][1] += " " + line
        elif line:
            description.append(line)
    for name, rest in tags:
        rest = rest.strip()
        type_match = _JSDOC_TYPE.match(rest)
        type_text, rest = (type_match.group(1), type_match.group(2)) if type_match else ("", rest)
        if name in ("param", "arg", "argument"):
            parts = rest.split(None, 1)
            pname = parts[0] if parts else ""
            desc = parts[1].lstrip("- ").strip() if len(parts) > 1 else ""
            typed = f"{pname} ({type_text})" if type_text else pname
            pre.append(_short(f"{typed}: {desc}" if desc else typed))
        elif name in ("returns", "return"):
            typed = f"returns ({type_text})" if type_text else "returns"
            post.append(_short(f"{typed}: {rest.lstrip('- ')}" if rest else typed))
        elif name in ("throws", "throw", "exception"):
            post.append(_short(f"throws {type_text}: {rest}".strip().rstrip(":")))
        elif name in ("yields", "yield"):
            post.append(_short(f"yields: {rest}"))
        elif name in ("requires", "pre", "precondition"):
            pre.append(_short(rest))
        elif name in ("ensures", "post", "postcondition"):
            post.append(_short(rest))
    summary = description[0] if description else ""
    if not post and summary:
        post.append(_short(f"ensures: {summary}"))
    return pre, post


def _summary(lines: list[str]) -> str:
    out: list[str] = []
    for raw in lines:
        line = raw.strip()
        if not line:
            if out:
                break
            continue
        if _SPHINX_RE.match(line) or line.rstrip(":").lower() in _GOOGLE_SECTIONS:
            break
        out.append(line)
    return " ".join(out)


def _label(heading: str) -> str:
    return _SECTION_LABEL.get(heading, "")


def _starts_item(line: str, indent: int, section_indent: int, lines: list[str], k: int) -> bool:
    # "name (type): text" or "name : type" (numpy) at the section's first indentation level
    if _ITEM_START.match(line):
        return True
    prev = lines[k - 1] if k else ""
    prev_indent = len(prev) - len(prev.lstrip())
    return indent < prev_indent


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _MAX_ITEM else text[: _MAX_ITEM - 1] + "…"
