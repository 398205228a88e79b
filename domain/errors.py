"""The error hierarchy of MGE.

Every error the system raises on purpose derives from :class:`MgeError`. The edges map them:
the CLI to exit code 2 (bad input) or 1 (anything else), the HTTP API to 4xx status codes, and
activities to non-retryable ``ApplicationError`` types named after the class.

    MgeError
    ├── InvalidInputError          input that can never succeed as given (exit 2 / HTTP 422)
    │   └── PlanValidationError    a plan document with one or more named problems
    ├── NotFoundError              an id that names nothing (HTTP 404)
    ├── ConflictError              a request that clashes with the current state (HTTP 409)
    └── BudgetExceededError        spending more would pass the plan's budget
"""

from __future__ import annotations

from dataclasses import dataclass


class MgeError(Exception):
    """Base class of every error MGE raises on purpose."""


class InvalidInputError(MgeError):
    """Input that can never succeed as given; retrying it is pointless."""


@dataclass(frozen=True)
class PlanProblem:
    """One problem in a plan document: where it is and what is wrong."""

    location: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = self.location or "<plan>"
        if self.line is not None:
            where = f"{where} (line {self.line})"
        return f"{where}: {self.message}"


class PlanValidationError(InvalidInputError):
    """A plan document that failed validation; ``problems`` names each one."""

    def __init__(self, problems: list[PlanProblem]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems) or "invalid plan")


class NotFoundError(MgeError):
    """An id that names no stored object."""


class ConflictError(MgeError):
    """A request that clashes with the current state of the object it names."""


class BudgetExceededError(MgeError):
    """Scheduling more work would pass the plan's cost budget."""
