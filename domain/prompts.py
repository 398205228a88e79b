"""Prompts for generating atoms and skeletons.

The plan-wide part (`system`) is identical for every atom of a plan, so the provider can cache
it; the atom part carries the atom's spec, its context, the code it depends on and the
feedback of earlier failed attempts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

REFERENCE_OPEN = "<reference>"
REFERENCE_CLOSE = "</reference>"


@dataclass(frozen=True)
class PlanBrief:
    name: str
    description: str
    language: str
    files: Sequence[str] = ()


@dataclass(frozen=True)
class DependencySnippet:
    label: str
    code: str


@dataclass(frozen=True)
class AtomBrief:
    atom_id: str
    label: str
    language: str
    file_path: str
    task_name: str
    task_description: str
    spec_code: str
    enclosing_scope: str | None = None
    imports: Sequence[str] = ()
    preconditions: Sequence[str] = ()
    postconditions: Sequence[str] = ()
    dependencies: Sequence[DependencySnippet] = ()
    feedback: Sequence[str] = field(default_factory=tuple)
    reviewer_feedback: str | None = None
    # Level-4 failures (the project's tests) mapped back onto this atom by an earlier run.
    test_failures: Sequence[str] = ()


def plan_system_prompt(plan: PlanBrief) -> str:
    files = "\n".join(f"- {path}" for path in plan.files)
    return (
        "You are MGE's code generator. You write one small piece (an *atom*, about ten lines) "
        "of a larger project at a time. Answer with the code of the atom only, in one fenced "
        "code block, with no explanation. Keep exactly the names, signatures, indentation and "
        "surrounding layout the spec shows; the atom is spliced back into its file verbatim.\n\n"
        f"Project: {plan.name}\nLanguage: {plan.language}\n"
        f"Description: {plan.description or '(none)'}\nFiles:\n{files}\n"
    )


def atom_prompt(atom: AtomBrief) -> str:
    parts = [
        f"Atom {atom.atom_id} ({atom.label}) of file {atom.file_path}, task '{atom.task_name}'.",
    ]
    if atom.task_description:
        parts.append(f"Task description: {atom.task_description}")
    if atom.enclosing_scope:
        parts.append(f"Enclosing scope:\n{atom.enclosing_scope}")
    if atom.imports:
        parts.append("Imports available in this file:\n" + "\n".join(atom.imports))
    if atom.preconditions:
        parts.append("Preconditions:\n" + "\n".join(f"- {p}" for p in atom.preconditions))
    if atom.postconditions:
        parts.append("Postconditions:\n" + "\n".join(f"- {p}" for p in atom.postconditions))
    for dep in atom.dependencies:
        parts.append(
            f"Code this atom depends on ({dep.label}):\n```{atom.language}\n{dep.code}\n```"
        )
    parts.append(
        "Spec of the atom (write this piece; fill any `...` bodies):\n"
        f"{REFERENCE_OPEN}\n{atom.spec_code}{REFERENCE_CLOSE}"
    )
    for index, text in enumerate(atom.feedback, start=1):
        parts.append(f"Feedback on earlier attempt {index}:\n{text}")
    if atom.test_failures:
        parts.append(
            "The project's tests failed on this atom:\n"
            + "\n".join(f"- {line}" for line in atom.test_failures)
        )
    if atom.reviewer_feedback:
        parts.append(f"A human reviewer asks:\n{atom.reviewer_feedback}")
    return "\n\n".join(parts)


def skeleton_prompt(plan: PlanBrief, file_path: str, task_name: str, description: str) -> str:
    return (
        f"Write the skeleton of {file_path} for task '{task_name}' of project {plan.name} "
        f"({plan.language}): imports, classes and function signatures with docstrings, and "
        "bodies left as `...` (Python) or `throw new Error('TODO')` (TypeScript/JavaScript).\n\n"
        f"Task description: {description or '(none)'}"
    )


REVIEW_ADVICE_SYSTEM = (
    "You review one small piece of generated code for a human reviewer. In at most three "
    "short bullet points, say what is most likely wrong with it and how to fix it. No code "
    "block longer than three lines."
)


def review_advice_prompt(code: str, language: str, reasons: Sequence[str]) -> str:
    why = "\n".join(f"- {r}" for r in reasons) or "- (none given)"
    return f"Why it is under review:\n{why}\n\nThe code ({language}):\n```{language}\n{code}\n```"
