"""Names and dataclasses of the validation activities (levels 1-4), for the workflows.

Side-effect free and stdlib-only, like activities.contracts: workflows import it through
``workflow.unsafe.imports_passed_through()``. Results carry counts and short reasons only.
"""

# No `from __future__ import annotations`: Temporal resolves these field types at run time.
from dataclasses import dataclass, field

VALIDATE_ATOMS = "validate_atoms"  # level 1, rerun over every atom's final code
VALIDATE_TASKS = "validate_tasks"  # level 2
VALIDATE_MILESTONES = "validate_milestones"  # level 3
VALIDATE_MASTERPLAN = "validate_masterplan"  # level 4

ACTIVITY_FOR_LEVEL = {
    1: VALIDATE_ATOMS,
    2: VALIDATE_TASKS,
    3: VALIDATE_MILESTONES,
    4: VALIDATE_MASTERPLAN,
}


@dataclass(frozen=True)
class ValidationSummary:
    """What one level found, in counts: rows are in `validation_results`."""

    level: int
    checks: int
    passed: int
    failed: int
    not_run: int
    atoms_flagged: int = 0  # atoms a failure points at (level 4: retry feedback waits there)
    # A few short lines (failed checks, not-run reasons) for the workflow's status note.
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.failed == 0
