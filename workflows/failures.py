"""Reading Temporal failures inside workflow code."""

from __future__ import annotations


def root_message(err: BaseException) -> str:
    """The innermost message: Temporal failures chain through `.cause`
    (ChildWorkflowError -> ActivityError -> ApplicationError)."""
    while getattr(err, "cause", None) is not None:
        err = err.cause  # type: ignore[attr-defined]
    return str(err)


def is_cancellation(err: BaseException) -> bool:
    """Whether a failure is Temporal reporting a cancellation somewhere down the chain."""
    from temporalio.exceptions import CancelledError

    while err is not None:
        if isinstance(err, CancelledError):
            return True
        err = getattr(err, "cause", None)  # type: ignore[assignment]
    return False
