"""Reading Temporal failures inside workflow code."""

from __future__ import annotations


def root_message(err: BaseException) -> str:
    """The innermost message: Temporal failures chain through `.cause`
    (ChildWorkflowError -> ActivityError -> ApplicationError)."""
    while getattr(err, "cause", None) is not None:
        err = err.cause  # type: ignore[attr-defined]
    return str(err)
