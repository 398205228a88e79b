"""SQLAlchemy 2 models: the input side (plan) and the engine side (the seven V2 tables).

Code lives here, never in workflow histories: workflows carry ids only.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from domain.status import (
    AtomStatus,
    DependencyType,
    ErrorCategory,
    PlanStatus,
    ReviewStatus,
    ValidationOutcome,
    WaveStatus,
)

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def _enum(cls: type[StrEnum], name: str) -> Enum:
    return Enum(cls, name=name, values_callable=lambda e: [m.value for m in e])


Money = Numeric(14, 6)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JSONB, list[Any]: JSONB}


def _pk() -> Mapped[uuid.UUID]:
    return mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)


def _created() -> Mapped[datetime]:
    return mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)


def _fk(target: str, *, nullable: bool = False, index: bool = True) -> Mapped[Any]:
    return mapped_column(
        UUID(as_uuid=True), ForeignKey(target, ondelete="CASCADE"), nullable=nullable, index=index
    )


class MasterPlan(Base):
    __tablename__ = "masterplans"

    id: Mapped[uuid.UUID] = _pk()
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(20))
    status: Mapped[PlanStatus] = mapped_column(
        _enum(PlanStatus, "plan_status"), default=PlanStatus.IMPORTED, index=True
    )
    status_reason: Mapped[str | None] = mapped_column(Text)
    # Deferred: the whole plan can be megabytes, and every stage that loads the plan row only
    # needs its header. Read it with an explicit select (or `undefer`), never by attribute.
    document: Mapped[dict[str, Any]] = mapped_column(
        JSONB, deferred=True, deferred_raiseload=True, doc="The validated plan as imported."
    )
    source_sha256: Mapped[str] = mapped_column(String(64), index=True)
    atomization_config: Mapped[dict[str, Any]] = mapped_column(JSONB)
    budget_usd: Mapped[Decimal | None] = mapped_column(Money)
    graph_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True),
        ForeignKey("dependency_graphs.id", ondelete="SET NULL", use_alter=True),
    )
    total_atoms: Mapped[int] = mapped_column(Integer, default=0)
    total_waves: Mapped[int] = mapped_column(Integer, default=0)
    max_parallelism: Mapped[int] = mapped_column(Integer, default=0)
    precision_percent: Mapped[float | None] = mapped_column(Float)
    cost_usd: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    input_tokens: Mapped[int] = mapped_column(BigInteger, default=0)
    output_tokens: Mapped[int] = mapped_column(BigInteger, default=0)
    provider: Mapped[str | None] = mapped_column(String(40))
    granularity: Mapped[str] = mapped_column(String(10), default="atom")
    workflow_id: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = _created()
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Phase(Base):
    __tablename__ = "masterplan_phases"
    __table_args__ = (UniqueConstraint("masterplan_id", "ordinal"),)

    id: Mapped[uuid.UUID] = _pk()
    masterplan_id: Mapped[uuid.UUID] = _fk("masterplans.id")
    ordinal: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")


class Milestone(Base):
    __tablename__ = "masterplan_milestones"
    __table_args__ = (UniqueConstraint("phase_id", "ordinal"),)

    id: Mapped[uuid.UUID] = _pk()
    masterplan_id: Mapped[uuid.UUID] = _fk("masterplans.id")
    phase_id: Mapped[uuid.UUID] = _fk("masterplan_phases.id")
    ordinal: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")


class Task(Base):
    __tablename__ = "masterplan_tasks"
    __table_args__ = (
        UniqueConstraint("masterplan_id", "key"),
        UniqueConstraint("masterplan_id", "file_path"),
    )

    id: Mapped[uuid.UUID] = _pk()
    masterplan_id: Mapped[uuid.UUID] = _fk("masterplans.id")
    milestone_id: Mapped[uuid.UUID] = _fk("masterplan_milestones.id")
    ordinal: Mapped[int] = mapped_column(Integer)
    key: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200))
    file_path: Mapped[str] = mapped_column(String(500))
    language: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(Text, default="")
    depends_on: Mapped[list[str]] = mapped_column(ARRAY(String(100)), default=list)
    skeleton: Mapped[str | None] = mapped_column(Text)
    reference_code: Mapped[str | None] = mapped_column(Text)
    tests: Mapped[str | None] = mapped_column(Text)
    test_file: Mapped[str | None] = mapped_column(String(500))
    code_source: Mapped[str | None] = mapped_column(
        String(20), doc="Where the atoms came from: reference, skeleton or llm_skeleton."
    )
    generated_skeleton: Mapped[str | None] = mapped_column(Text)


class AtomicUnit(Base):
    __tablename__ = "atomic_units"
    __table_args__ = (
        UniqueConstraint("task_id", "ordinal"),
        Index("ix_atomic_units_plan_wave", "masterplan_id", "wave_number"),
        Index("ix_atomic_units_plan_status", "masterplan_id", "status"),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    masterplan_id: Mapped[uuid.UUID] = _fk("masterplans.id", index=False)
    task_id: Mapped[uuid.UUID] = _fk("masterplan_tasks.id")
    ordinal: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(40))
    name: Mapped[str | None] = mapped_column(String(300))
    file_path: Mapped[str] = mapped_column(String(500))
    language: Mapped[str] = mapped_column(String(20))
    spec_code: Mapped[str] = mapped_column(
        Text, doc="The slice of skeleton/reference it came from."
    )
    reference_code: Mapped[str | None] = mapped_column(Text)
    generated_code: Mapped[str | None] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[AtomStatus] = mapped_column(
        _enum(AtomStatus, "atom_status"), default=AtomStatus.PENDING
    )
    start_line: Mapped[int] = mapped_column(Integer)
    end_line: Mapped[int] = mapped_column(Integer)
    loc: Mapped[int] = mapped_column(Integer)
    complexity: Mapped[int] = mapped_column(Integer)
    oversized: Mapped[bool] = mapped_column(Boolean, default=False)
    oversize_reason: Mapped[str | None] = mapped_column(Text)
    context: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    context_completeness: Mapped[float] = mapped_column(Float, default=0.0)
    atomicity_score: Mapped[float] = mapped_column(Float, default=0.0)
    atomicity: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    issues: Mapped[list[Any]] = mapped_column(JSONB, default=list)
    wave_number: Mapped[int | None] = mapped_column(Integer)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    generation_round: Mapped[int] = mapped_column(Integer, default=0)
    generated_attempt: Mapped[int | None] = mapped_column(Integer)
    temperature: Mapped[float | None] = mapped_column(Float)
    confidence: Mapped[float | None] = mapped_column(Float)
    confidence_level: Mapped[str | None] = mapped_column(String(20))
    confidence_reasons: Mapped[list[Any]] = mapped_column(JSONB, default=list)
    input_tokens: Mapped[int] = mapped_column(BigInteger, default=0)
    output_tokens: Mapped[int] = mapped_column(BigInteger, default=0)
    cache_read_tokens: Mapped[int] = mapped_column(BigInteger, default=0)
    cache_write_tokens: Mapped[int] = mapped_column(BigInteger, default=0)
    cost_usd: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = _created()
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class DependencyGraphRow(Base):
    __tablename__ = "dependency_graphs"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    masterplan_id: Mapped[uuid.UUID] = _fk("masterplans.id")
    node_count: Mapped[int] = mapped_column(Integer)
    edge_count: Mapped[int] = mapped_column(Integer)
    wave_count: Mapped[int] = mapped_column(Integer)
    removed_edge_count: Mapped[int] = mapped_column(Integer, default=0)
    critical_path_length: Mapped[int] = mapped_column(Integer, default=0)
    stats: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    created_at: Mapped[datetime] = _created()


class AtomDependency(Base):
    __tablename__ = "atom_dependencies"
    __table_args__ = (
        # The graph builder gives one edge per (user, definer, type), symbols joined.
        UniqueConstraint(
            "graph_id",
            "source_atom_id",
            "target_atom_id",
            "dependency_type",
            name="uq_atom_dependencies_edge",
        ),
        Index("ix_atom_dependencies_target", "target_atom_id"),
    )

    id: Mapped[uuid.UUID] = _pk()
    masterplan_id: Mapped[uuid.UUID] = _fk("masterplans.id")
    graph_id: Mapped[uuid.UUID] = _fk("dependency_graphs.id", index=False)
    source_atom_id: Mapped[uuid.UUID] = _fk("atomic_units.id")
    target_atom_id: Mapped[uuid.UUID] = _fk("atomic_units.id", index=False)
    dependency_type: Mapped[DependencyType] = mapped_column(
        _enum(DependencyType, "dependency_type")
    )
    symbol: Mapped[str] = mapped_column(String(300), default="")
    weight: Mapped[float] = mapped_column(Float, default=1.0)
    removed: Mapped[bool] = mapped_column(Boolean, default=False)
    removed_reason: Mapped[str | None] = mapped_column(Text)


class ExecutionWave(Base):
    __tablename__ = "execution_waves"
    __table_args__ = (UniqueConstraint("masterplan_id", "wave_number"),)

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    masterplan_id: Mapped[uuid.UUID] = _fk("masterplans.id", index=False)
    graph_id: Mapped[uuid.UUID] = _fk("dependency_graphs.id")
    wave_number: Mapped[int] = mapped_column(Integer)
    atom_count: Mapped[int] = mapped_column(Integer)
    status: Mapped[WaveStatus] = mapped_column(
        _enum(WaveStatus, "wave_status"), default=WaveStatus.PENDING
    )
    completed_count: Mapped[int] = mapped_column(Integer, default=0)
    failed_count: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ValidationResult(Base):
    __tablename__ = "validation_results"
    __table_args__ = (
        Index("ix_validation_results_plan_level", "masterplan_id", "level"),
        Index("ix_validation_results_atom", "atom_id"),
    )

    id: Mapped[uuid.UUID] = _pk()
    masterplan_id: Mapped[uuid.UUID] = _fk("masterplans.id", index=False)
    atom_id: Mapped[uuid.UUID | None] = _fk("atomic_units.id", nullable=True, index=False)
    task_id: Mapped[uuid.UUID | None] = _fk("masterplan_tasks.id", nullable=True, index=False)
    milestone_id: Mapped[uuid.UUID | None] = _fk(
        "masterplan_milestones.id", nullable=True, index=False
    )
    level: Mapped[int] = mapped_column(Integer)
    check_name: Mapped[str] = mapped_column(String(100))
    outcome: Mapped[ValidationOutcome] = mapped_column(
        _enum(ValidationOutcome, "validation_outcome")
    )
    score: Mapped[float | None] = mapped_column(Float)
    violations: Mapped[list[Any]] = mapped_column(JSONB, default=list)
    warnings: Mapped[list[Any]] = mapped_column(JSONB, default=list)
    reason: Mapped[str | None] = mapped_column(Text, doc="Why a check was not run, or failed.")
    attempt: Mapped[int | None] = mapped_column(Integer)
    duration_ms: Mapped[float] = mapped_column(Float, default=0.0)
    validator_version: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = _created()


class AtomRetryHistory(Base):
    __tablename__ = "atom_retry_history"
    # One row per delivered attempt of one generation round (a reviewer's "regenerate"
    # starts a new round, and with it the temperature schedule).
    __table_args__ = (UniqueConstraint("atom_id", "round", "attempt"),)

    id: Mapped[uuid.UUID] = _pk()
    masterplan_id: Mapped[uuid.UUID] = _fk("masterplans.id")
    atom_id: Mapped[uuid.UUID] = _fk("atomic_units.id", index=False)
    round: Mapped[int] = mapped_column(Integer, default=0)
    attempt: Mapped[int] = mapped_column(Integer)
    error_category: Mapped[ErrorCategory] = mapped_column(_enum(ErrorCategory, "error_category"))
    error_message: Mapped[str] = mapped_column(Text)
    feedback_prompt: Mapped[str] = mapped_column(Text)
    temperature: Mapped[float | None] = mapped_column(
        Float, doc="The temperature sent; NULL when the model takes none."
    )
    generated_code: Mapped[str | None] = mapped_column(Text)
    input_tokens: Mapped[int] = mapped_column(BigInteger, default=0)
    output_tokens: Mapped[int] = mapped_column(BigInteger, default=0)
    cost_usd: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    created_at: Mapped[datetime] = _created()


class HumanReview(Base):
    __tablename__ = "human_review_queue"
    __table_args__ = (
        Index("ix_human_review_queue_status_priority", "status", "priority"),
        Index("ix_human_review_queue_plan", "masterplan_id", "status"),
        # Queueing is idempotent: one review per atom and generation round.
        UniqueConstraint("atom_id", "round"),
    )

    id: Mapped[uuid.UUID] = _pk()
    masterplan_id: Mapped[uuid.UUID] = _fk("masterplans.id", index=False)
    atom_id: Mapped[uuid.UUID] = _fk("atomic_units.id")
    status: Mapped[ReviewStatus] = mapped_column(
        _enum(ReviewStatus, "review_status"), default=ReviewStatus.PENDING
    )
    priority: Mapped[int] = mapped_column(Integer, default=50)
    confidence: Mapped[float | None] = mapped_column(Float)
    level: Mapped[str | None] = mapped_column(String(20))
    round: Mapped[int] = mapped_column(Integer, default=0)
    reasons: Mapped[list[Any]] = mapped_column(JSONB, default=list)
    suggestions: Mapped[list[Any]] = mapped_column(JSONB, default=list)
    assigned_to: Mapped[str | None] = mapped_column(String(200))
    reviewer: Mapped[str | None] = mapped_column(String(200))
    action: Mapped[str | None] = mapped_column(String(20))
    feedback: Mapped[str | None] = mapped_column(Text)
    edited_code: Mapped[str | None] = mapped_column(
        Text, doc="Code of an edit, stored by the API so the signal carries ids only."
    )
    message: Mapped[str | None] = mapped_column(Text, doc="What became of the decision.")
    created_at: Mapped[datetime] = _created()
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
