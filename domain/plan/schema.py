"""The masterplan document: phases → milestones → tasks, validated with pydantic.

This schema is the truth for plan files (YAML or JSON) and API bodies; `mge plan schema`
prints its JSON Schema. Rules that span the whole document (unique keys and files, known and
acyclic ``depends_on``) live in the model validator of :class:`MasterPlanSpec`.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Language = Literal["python", "typescript", "javascript"]
SUPPORTED_LANGUAGES: tuple[str, ...] = ("python", "typescript", "javascript")

TaskKey = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=100)]
Name = Annotated[str, Field(min_length=1, max_length=200)]


class _Strict(BaseModel):
    # Unknown keys are refused: a typo such as `depends-on` must not be silently dropped.
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False)


class AtomizationSettings(_Strict):
    target_loc: int = Field(10, ge=3, le=200, description="Lines an atom should have.")
    max_loc: int = Field(15, ge=3, le=400, description="Lines an atom may have at most.")
    max_complexity: int = Field(3, ge=1, le=50, description="Cyclomatic complexity bound.")

    @model_validator(mode="after")
    def _target_within_max(self) -> Self:
        if self.target_loc > self.max_loc:
            raise ValueError(
                f"target_loc ({self.target_loc}) must not exceed max_loc ({self.max_loc})"
            )
        return self


class TaskSpec(_Strict):
    key: TaskKey = Field(description="Unique within the plan; other tasks name it in depends_on.")
    name: Name
    file: str = Field(min_length=1, max_length=500, description="Relative path of the file.")
    description: str = ""
    language: Language | None = Field(None, description="Overrides the plan's language.")
    depends_on: list[TaskKey] = Field(default_factory=list)
    skeleton: str | None = Field(None, description="Signatures and docstrings, bodies to fill.")
    reference: str | None = Field(None, description="Known-good code (reference provider).")
    tests: str | None = Field(None, description="Tests for this task, run at validation level 4.")
    test_file: str | None = Field(None, max_length=500)

    @field_validator("file", "test_file")
    @classmethod
    def _relative_path(cls, value: str | None) -> str | None:
        if value is None:
            return value
        path = PurePosixPath(value)
        if path.is_absolute() or ".." in path.parts or "\\" in value:
            raise ValueError("must be a relative POSIX path inside the project (no '..')")
        if value.endswith("/") or str(path) in ("", "."):
            raise ValueError("must name a file")
        return str(path)

    @model_validator(mode="after")
    def _not_self_dependent(self) -> Self:
        if self.key in self.depends_on:
            raise ValueError(f"task '{self.key}' depends on itself")
        return self


class MilestoneSpec(_Strict):
    name: Name
    description: str = ""
    tasks: list[TaskSpec] = Field(min_length=1)


class PhaseSpec(_Strict):
    name: Name
    description: str = ""
    milestones: list[MilestoneSpec] = Field(min_length=1)


class MasterPlanSpec(_Strict):
    name: Name
    description: str = ""
    language: Language = "python"
    budget_usd: float | None = Field(None, gt=0, description="Hard cap on LLM spend.")
    atomization: AtomizationSettings = Field(default_factory=AtomizationSettings)
    phases: list[PhaseSpec] = Field(min_length=1)

    def tasks(self) -> list[TaskSpec]:
        return [t for p in self.phases for m in p.milestones for t in m.tasks]

    def located_tasks(self) -> list[tuple[str, TaskSpec]]:
        """Each task with its location, e.g. ``phases[0].milestones[1].tasks[2]``."""
        return [
            (f"phases[{pi}].milestones[{mi}].tasks[{ti}]", task)
            for pi, phase in enumerate(self.phases)
            for mi, milestone in enumerate(phase.milestones)
            for ti, task in enumerate(milestone.tasks)
        ]

    def task_language(self, task: TaskSpec) -> str:
        return task.language or self.language
