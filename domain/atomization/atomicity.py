"""AtomicityValidator: ten criteria, 10% each, and the violations behind a low score."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import tree_sitter

from .context import ContextFacts
from .languages import LanguageSpec
from .model import AtomContext, AtomicityReport, AtomizationConfig, Violation
from .syntax import js_doc_comment

Node = tree_sitter.Node

CRITERIA = (
    "loc_within_max",
    "complexity_below_max",
    "single_responsibility",
    "clear_boundaries",
    "independent",
    "context_complete",
    "testable",
    "deterministic",
    "side_effect_free",
    "clear_io",
)

# Cheap gate first: the regexes below only run when one of these words occurs in the atom
# (scanning every atom with a big alternation costs more than the rest of validation).
_NONDET_WORDS = {
    "python": frozenset(
        {
            b"random",
            b"randint",
            b"uuid1",
            b"uuid4",
            b"time",
            b"datetime",
            b"date",
            b"os",
            b"secrets",
        }
    ),
    "js": frozenset({b"Math", b"Date", b"performance", b"crypto"}),
}
_EFFECT_WORDS = {
    "python": frozenset(
        {
            b"print",
            b"open",
            b"input",
            b"exec",
            b"eval",
            b"global",
            b"nonlocal",
            b"sys",
            b"os",
            b"subprocess",
            b"requests",
            b"shutil",
            b"logging",
            b"logger",
        }
    ),
    "js": frozenset(
        {
            b"console",
            b"fetch",
            b"document",
            b"window",
            b"localStorage",
            b"sessionStorage",
            b"process",
            b"fs",
            b"XMLHttpRequest",
        }
    ),
}
_EFFECT_SUBSTRINGS = (b".write(", b".send(", b".commit(")
_NONDETERMINISTIC = {
    "python": re.compile(
        rb"\b(?:random\.\w+|randint|uuid[14]|time\.(?:time|monotonic|perf_counter)\w*"
        rb"|datetime\.(?:now|utcnow|today)|date\.today|os\.urandom|secrets\.\w+)\b"
    ),
    "js": re.compile(
        rb"(?:\bMath\.random\b|\bDate\.now\b|\bnew Date\(\s*\)|\bperformance\.now\b"
        rb"|\bcrypto\.(?:randomUUID|getRandomValues)\b)"
    ),
}
_SIDE_EFFECTS = {
    "python": re.compile(
        rb"(?:\b(?:print|open|input|exec|eval)\s*\(|\bglobal\b|\bnonlocal\b"
        rb"|\bsys\.(?:exit|stdout|stderr)|\bsubprocess\.|\brequests\.|\bshutil\.|\blogging\."
        rb"|\blogger\.|\bos\.(?:remove|unlink|system|mkdir|makedirs|rename|environ\[)"
        rb"|\.write\(|\.send\(|\.commit\()"
    ),
    "js": re.compile(
        rb"(?:\bconsole\.\w+|\bfetch\s*\(|\bdocument\.|\bwindow\.|\blocalStorage\b"
        rb"|\bsessionStorage\b|\bprocess\.(?:exit|stdout|stderr)|\bfs\.\w+|\.write\("
        rb"|\.send\(|\bXMLHttpRequest\b)"
    ),
}
_SEVERITY = {
    "loc_within_max": "high",
    "complexity_below_max": "medium",
    "single_responsibility": "low",
    "clear_boundaries": "medium",
    "independent": "medium",
    "context_complete": "medium",
    "testable": "low",
    "deterministic": "medium",
    "side_effect_free": "low",
    "clear_io": "low",
}


_ALL_PASS: Mapping[str, bool] = MappingProxyType(dict.fromkeys(CRITERIA, True))


def _show(raw: bytes) -> str:
    return repr(raw.decode("utf-8", "replace").strip())


@dataclass(frozen=True, slots=True)
class AtomFacts:
    """What the validator looks at, gathered by the engine for one atom."""

    code: bytes
    loc: int
    complexity: int
    kind: str
    oversized: bool
    oversize_reason: str | None
    starts_at_line_start: bool
    ends_at_line_end: bool
    has_syntax_issue: bool


class AtomicityValidator:
    def __init__(self, config: AtomizationConfig, spec: LanguageSpec) -> None:
        self.config = config
        self.spec = spec
        family = "python" if spec.doc_comment_prefix is None else "js"
        self._nondet = _NONDETERMINISTIC[family]
        self._effects = _SIDE_EFFECTS[family]
        self._nondet_words = _NONDET_WORDS[family]
        self._effect_words = _EFFECT_WORDS[family]
        self._python = family == "python"

    def validate(
        self, atom: AtomFacts, context: AtomContext, facts: ContextFacts
    ) -> AtomicityReport:
        cfg = self.config
        failed: list[tuple[str, str]] = []  # (criterion, why); messages built only on failure

        loc_ok = atom.loc <= cfg.max_loc
        if not loc_ok:
            reason = f": {atom.oversize_reason}" if atom.oversize_reason else ""
            failed.append(
                ("loc_within_max", f"{atom.loc} lines of code, over {cfg.max_loc}{reason}")
            )
        cx_ok = atom.complexity < cfg.max_complexity
        if not cx_ok:
            failed.append(
                (
                    "complexity_below_max",
                    f"cyclomatic complexity {atom.complexity}, must stay below "
                    f"{cfg.max_complexity}",
                )
            )
        single_ok = facts.definitions <= 1
        if not single_ok:
            failed.append(("single_responsibility", f"{facts.definitions} definitions in one atom"))
        boundaries_ok = (
            atom.starts_at_line_start and atom.ends_at_line_end and not atom.has_syntax_issue
        )
        if not boundaries_ok:
            problems = [
                text
                for bad, text in (
                    (atom.has_syntax_issue, "contains a syntax error"),
                    (not atom.starts_at_line_start, "starts mid-line"),
                    (not atom.ends_at_line_end, "ends mid-line"),
                )
                if bad
            ]
            failed.append(("clear_boundaries", ", ".join(problems)))
        independent_ok = not facts.sibling_locals
        if not independent_ok:
            names = ", ".join(sorted(set(facts.sibling_locals)))
            failed.append(("independent", f"uses locals bound in sibling atoms: {names}"))
        context_ok = context.completeness >= 0.95
        if not context_ok:
            gaps = ", ".join(f"{k} {v:.0%}" for k, v in context.components.items() if v < 1.0)
            failed.append(
                ("context_complete", f"context {context.completeness:.0%} complete: {gaps}")
            )
        testable_ok = bool(facts.functions) or (
            not facts.inside_function
            and atom.kind in ("class", "imports", "type", "statements", "comment", "module")
        )
        if not testable_ok:
            failed.append(
                ("testable", "a fragment of a function body: testable only through the function")
            )
        words = facts.words
        nondet = None
        if not self._nondet_words.isdisjoint(words):
            nondet = self._nondet.search(atom.code)
        if nondet is not None:
            failed.append(("deterministic", f"depends on {_show(nondet.group(0))}"))
        effect = None
        if not self._effect_words.isdisjoint(words) or any(
            sub in atom.code for sub in _EFFECT_SUBSTRINGS
        ):
            effect = self._effects.search(atom.code)
        if effect is not None:
            failed.append(("side_effect_free", f"side effect via {_show(effect.group(0))}"))
        if facts.functions:
            untyped = sum(1 for f in facts.functions if not self._clear_io(f))
            if untyped:
                failed.append(
                    ("clear_io", f"{untyped} function(s) without typed parameters and return")
                )
        if not failed:
            return AtomicityReport(score=1.0, criteria=_ALL_PASS, violations=())
        bad = {criterion for criterion, _ in failed}
        criteria = {criterion: criterion not in bad for criterion in CRITERIA}
        high = atom.has_syntax_issue
        violations = tuple(
            Violation(
                criterion,
                "high" if high and criterion == "clear_boundaries" else _SEVERITY[criterion],
                message,
            )
            for criterion, message in sorted(failed, key=lambda f: CRITERIA.index(f[0]))
        )
        score = round((len(CRITERIA) - len(bad)) / len(CRITERIA), 4)
        return AtomicityReport(score=score, criteria=criteria, violations=violations)

    def _clear_io(self, function: Node) -> bool:
        """Typed inputs and output: annotations (Python, TS) or JSDoc tags (JavaScript)."""
        params = function.child_by_field_name("parameters")
        if self._python:
            if params is not None:
                for p in params.named_children:
                    if p.type == "identifier" and (p.text or b"") in (b"self", b"cls"):
                        continue
                    if p.type in (
                        "identifier",
                        "default_parameter",
                        "list_splat_pattern",
                        "dictionary_splat_pattern",
                    ):
                        return False
            name = function.child_by_field_name("name")
            is_init = name is not None and (name.text or b"") == b"__init__"
            return is_init or function.child_by_field_name("return_type") is not None
        if self.spec.name == "javascript":
            # untyped language: JSDoc tags are where inputs and outputs get their types
            if params is None or params.named_child_count == 0:
                return True
            doc = js_doc_comment(function, self.spec) or ""
            return "@param" in doc
        if params is not None:
            for p in params.named_children:
                if p.type in ("required_parameter", "optional_parameter"):
                    if p.child_by_field_name("type") is None:
                        return False
                elif p.type == "identifier":
                    return False
        return function.child_by_field_name("return_type") is not None or function.type in (
            "arrow_function",
        )
