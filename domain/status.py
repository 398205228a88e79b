"""Lifecycle states shared by the database, the workflows and the API."""

from __future__ import annotations

from enum import StrEnum


class PlanStatus(StrEnum):
    IMPORTED = "imported"
    QUEUED = "queued"
    ATOMIZING = "atomizing"
    GRAPHING = "graphing"
    VALIDATING = "validating"
    GENERATING = "generating"
    REVIEWING = "reviewing"
    ASSEMBLING = "assembling"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"
    BUDGET_EXCEEDED = "budget_exceeded"


class AtomStatus(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"
    SKIPPED = "skipped"
    NEEDS_REVIEW = "needs_review"
    APPROVED = "approved"
    REJECTED = "rejected"


class WaveStatus(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"


class ErrorCategory(StrEnum):
    """Why an attempt failed. The first six are quality failures and use up one of the
    quality attempts; the last two are the provider's trouble and do not."""

    SYNTAX = "syntax"
    TYPE = "type"
    LOGIC = "logic"
    TIMEOUT = "timeout"
    DEPENDENCY = "dependency"
    CONTEXT = "context"
    RATE_LIMITED = "rate_limited"
    PROVIDER_ERROR = "provider_error"


QUALITY_CATEGORIES = frozenset(
    {
        ErrorCategory.SYNTAX,
        ErrorCategory.TYPE,
        ErrorCategory.LOGIC,
        ErrorCategory.TIMEOUT,
        ErrorCategory.DEPENDENCY,
        ErrorCategory.CONTEXT,
    }
)


class ValidationOutcome(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    NOT_RUN = "not_run"


class ReviewAction(StrEnum):
    APPROVE = "approve"
    EDIT = "edit"
    REGENERATE = "regenerate"
    REJECT = "reject"


class ReviewStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    EDITED = "edited"
    REGENERATING = "regenerating"
    REJECTED = "rejected"
    REGENERATED = "regenerated"
    EXPIRED = "expired"


class DependencyType(StrEnum):
    IMPORT = "import"
    FUNCTION_CALL = "function_call"
    VARIABLE = "variable"
    TYPE = "type"
    DATA_FLOW = "data_flow"


TERMINAL_PLAN_STATUSES = frozenset(
    {PlanStatus.COMPLETED, PlanStatus.FAILED, PlanStatus.CANCELLED, PlanStatus.BUDGET_EXCEEDED}
)
