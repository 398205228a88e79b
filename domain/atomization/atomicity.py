"""AtomicityValidator: ten criteria, 10% each, and the violations behind a low score."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

import tree_sitter

from .context import ContextFacts
from .languages import LanguageSpec
from .model import AtomContext, AtomicityReport, AtomizationConfig, Violation, new_frozen
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
_EFFECT_SUBSTRINGS = (b".write(", b".send(", b".commit(")  # spelt out in __init__ too
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
_UNTYPED_PYTHON_PARAMS = frozenset(
    {"default_parameter", "list_splat_pattern", "dictionary_splat_pattern"}
)
_TESTABLE_KINDS = frozenset({"class", "imports", "type", "statements", "comment", "module"})


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


_EFFECT_SUBSTRING = re.compile(b"|".join(re.escape(s) for s in _EFFECT_SUBSTRINGS))
_CRITERIA_FOR: dict[frozenset[str], dict[str, bool]] = {}


_GAPS: dict[tuple[float, tuple[tuple[str, float], ...]], str] = {}


def _context_gaps(context: AtomContext) -> str:
    """The context_complete message; few distinct ones, so they are made once."""
    key = (context.completeness, tuple(context.components.items()))
    message = _GAPS.get(key)
    if message is None:
        gaps = ", ".join(f"{k} {v:.0%}" for k, v in context.components.items() if v < 1.0)
        message = f"context {context.completeness:.0%} complete: {gaps}"
        if len(_GAPS) < 4096:
            _GAPS[key] = message
    return message


_VIOLATIONS: dict[tuple[str, str], Violation] = {}


def _violation(failure: tuple[str, str]) -> Violation:
    """The Violation for (criterion, message); the same failures recur, and they are frozen."""
    violation = _VIOLATIONS.get(failure)
    if violation is None:
        criterion, message = failure
        violation = Violation(criterion, _SEVERITY[criterion], message)
        if len(_VIOLATIONS) < 4096:  # messages naming local names are unbounded: cap it
            _VIOLATIONS[failure] = violation
    return violation


def _criteria(bad: frozenset[str]) -> dict[str, bool]:
    """A fresh {criterion: passed} mapping for a set of failed criteria."""
    template = _CRITERIA_FOR.get(bad)
    if template is None:
        template = _CRITERIA_FOR[bad] = {criterion: criterion not in bad for criterion in CRITERIA}
    return template.copy()


class AtomicityValidator:
    def __init__(
        self,
        config: AtomizationConfig,
        spec: LanguageSpec,
        source: bytes | None = None,
        js_doc: Callable[[Node], str | None] | None = None,
    ) -> None:
        """`source`: the whole file, when known, lets checks that cannot fire be skipped.
        `js_doc`: the JSDoc of a definition, when the caller has them (else looked up)."""
        self.config = config
        self.spec = spec
        self._js_doc = js_doc or (lambda node: js_doc_comment(node, spec))
        family = "python" if spec.doc_comment_prefix is None else "js"
        self._nondet = _NONDETERMINISTIC[family]
        self._effects = _SIDE_EFFECTS[family]
        self._nondet_words = _NONDET_WORDS[family]
        self._effect_words = _EFFECT_WORDS[family]
        self._python = family == "python"
        # `.write(` and friends are looked for in each atom only if the file has any
        self._effect_substrings = (
            source is None or b".write(" in source or b".send(" in source or b".commit(" in source
        )
        self._clear_io_of: dict[int, bool] = {}
        self._params_field: int | None = None

    def validate(
        self, atom: AtomFacts, context: AtomContext, facts: ContextFacts
    ) -> AtomicityReport:
        return self.check(
            atom.code,
            atom.loc,
            atom.complexity,
            atom.kind,
            atom.oversize_reason,
            atom.starts_at_line_start,
            atom.ends_at_line_end,
            atom.has_syntax_issue,
            context,
            facts,
        )

    def check(
        self,
        code: bytes,
        loc: int,
        complexity: int,
        kind: str,
        oversize_reason: str | None,
        starts_at_line_start: bool,
        ends_at_line_end: bool,
        has_syntax_issue: bool,
        context: AtomContext,
        facts: ContextFacts,
    ) -> AtomicityReport:
        """`validate` with the facts of the atom passed one by one (the engine's hot path)."""
        cfg = self.config
        failed: list[tuple[str, str]] = []  # (criterion, why); messages built only on failure
        # Criteria are checked in CRITERIA order, so `failed` needs no sorting.
        if loc > cfg.max_loc:
            reason = f": {oversize_reason}" if oversize_reason else ""
            failed.append(("loc_within_max", f"{loc} lines of code, over {cfg.max_loc}{reason}"))
        if complexity >= cfg.max_complexity:
            failed.append(
                (
                    "complexity_below_max",
                    f"cyclomatic complexity {complexity}, must stay below {cfg.max_complexity}",
                )
            )
        if facts.definitions > 1:
            failed.append(("single_responsibility", f"{facts.definitions} definitions in one atom"))
        if not (starts_at_line_start and ends_at_line_end) or has_syntax_issue:
            problems = [
                text
                for bad, text in (
                    (has_syntax_issue, "contains a syntax error"),
                    (not starts_at_line_start, "starts mid-line"),
                    (not ends_at_line_end, "ends mid-line"),
                )
                if bad
            ]
            failed.append(("clear_boundaries", ", ".join(problems)))
        if facts.sibling_locals:
            names = ", ".join(sorted(set(facts.sibling_locals)))
            failed.append(("independent", f"uses locals bound in sibling atoms: {names}"))
        if context.completeness < 0.95:
            failed.append(("context_complete", _context_gaps(context)))
        functions = facts.functions
        if not functions and (facts.inside_function or kind not in _TESTABLE_KINDS):
            failed.append(
                ("testable", "a fragment of a function body: testable only through the function")
            )
        words = facts.words
        if not self._nondet_words.isdisjoint(words):
            nondet = self._nondet.search(code)
            if nondet is not None:
                failed.append(("deterministic", f"depends on {_show(nondet.group(0))}"))
        if not self._effect_words.isdisjoint(words) or (
            self._effect_substrings and _EFFECT_SUBSTRING.search(code) is not None
        ):
            effect = self._effects.search(code)
            if effect is not None:
                failed.append(("side_effect_free", f"side effect via {_show(effect.group(0))}"))
        if functions:
            untyped = 0
            known = self._clear_io_of
            for f in functions:
                clear = known.get(f.id)
                if clear is None:
                    clear = known[f.id] = self._clear_io(f)
                untyped += not clear
            if untyped:
                failed.append(
                    ("clear_io", f"{untyped} function(s) without typed parameters and return")
                )
        if not failed:
            return new_frozen(AtomicityReport, score=1.0, criteria=_ALL_PASS, violations=())
        bad = frozenset([criterion for criterion, _ in failed])
        violations = tuple(map(_violation, failed))
        if has_syntax_issue and "clear_boundaries" in bad:
            violations = tuple(
                Violation(v.criterion, "high", v.message)
                if v.criterion == "clear_boundaries"
                else v
                for v in violations
            )
        score = round((len(CRITERIA) - len(bad)) / len(CRITERIA), 4)
        return new_frozen(
            AtomicityReport, score=score, criteria=_criteria(bad), violations=violations
        )

    def _clear_io(self, function: Node) -> bool:
        """Typed inputs and output: annotations (Python, TS) or JSDoc tags (JavaScript)."""
        params = function.child_by_field_name("parameters")
        if self._python:
            if params is not None:
                for p in params.named_children:
                    t = p.type
                    if t == "identifier":
                        if (p.text or b"") in (b"self", b"cls"):
                            continue
                        return False
                    if t in _UNTYPED_PYTHON_PARAMS:
                        return False
            name = function.child_by_field_name("name")
            is_init = name is not None and (name.text or b"") == b"__init__"
            return is_init or function.child_by_field_name("return_type") is not None
        if self.spec.name == "javascript":
            # untyped language: JSDoc tags are where inputs and outputs get their types
            if params is None or params.named_child_count == 0:
                return True
            doc = self._js_doc(function) or ""
            return "@param" in doc
        if params is not None:
            for p in params.named_children:
                t = p.type
                if t == "required_parameter" or t == "optional_parameter":
                    if p.child_by_field_name("type") is None:
                        return False
                elif t == "identifier":
                    return False
        return function.child_by_field_name("return_type") is not None or function.type in (
            "arrow_function",
        )
