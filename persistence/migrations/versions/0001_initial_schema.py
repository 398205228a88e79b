"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-22 04:51:01.787385
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ENUM_TYPES = (
    "plan_status",
    "atom_status",
    "wave_status",
    "dependency_type",
    "validation_outcome",
    "error_category",
    "review_status",
)


def upgrade() -> None:
    op.create_table(
        "masterplans",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=20), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "imported",
                "queued",
                "atomizing",
                "graphing",
                "validating",
                "generating",
                "reviewing",
                "assembling",
                "completed",
                "failed",
                "cancelled",
                "budget_exceeded",
                name="plan_status",
            ),
            nullable=False,
        ),
        sa.Column("status_reason", sa.Text(), nullable=True),
        sa.Column("document", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("source_sha256", sa.String(length=64), nullable=False),
        sa.Column("atomization_config", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("budget_usd", sa.Numeric(precision=14, scale=6), nullable=True),
        sa.Column("graph_id", sa.UUID(), nullable=True),
        sa.Column("total_atoms", sa.Integer(), nullable=False),
        sa.Column("total_waves", sa.Integer(), nullable=False),
        sa.Column("max_parallelism", sa.Integer(), nullable=False),
        sa.Column("precision_percent", sa.Float(), nullable=True),
        sa.Column("cost_usd", sa.Numeric(precision=14, scale=6), nullable=False),
        sa.Column("input_tokens", sa.BigInteger(), nullable=False),
        sa.Column("output_tokens", sa.BigInteger(), nullable=False),
        sa.Column("provider", sa.String(length=40), nullable=True),
        sa.Column("granularity", sa.String(length=10), nullable=False),
        sa.Column("workflow_id", sa.String(length=200), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_masterplans")),
    )
    op.create_index(
        op.f("ix_masterplans_source_sha256"), "masterplans", ["source_sha256"], unique=False
    )
    op.create_index(op.f("ix_masterplans_status"), "masterplans", ["status"], unique=False)
    op.create_table(
        "dependency_graphs",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("masterplan_id", sa.UUID(), nullable=False),
        sa.Column("node_count", sa.Integer(), nullable=False),
        sa.Column("edge_count", sa.Integer(), nullable=False),
        sa.Column("wave_count", sa.Integer(), nullable=False),
        sa.Column("removed_edge_count", sa.Integer(), nullable=False),
        sa.Column("critical_path_length", sa.Integer(), nullable=False),
        sa.Column("stats", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["masterplan_id"],
            ["masterplans.id"],
            name=op.f("fk_dependency_graphs_masterplan_id_masterplans"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dependency_graphs")),
    )
    op.create_index(
        op.f("ix_dependency_graphs_masterplan_id"),
        "dependency_graphs",
        ["masterplan_id"],
        unique=False,
    )
    # masterplans.graph_id and dependency_graphs.masterplan_id point at each other.
    op.create_foreign_key(
        op.f("fk_masterplans_graph_id_dependency_graphs"),
        "masterplans",
        "dependency_graphs",
        ["graph_id"],
        ["id"],
        ondelete="SET NULL",
    )
    op.create_table(
        "masterplan_phases",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("masterplan_id", sa.UUID(), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["masterplan_id"],
            ["masterplans.id"],
            name=op.f("fk_masterplan_phases_masterplan_id_masterplans"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_masterplan_phases")),
        sa.UniqueConstraint(
            "masterplan_id", "ordinal", name=op.f("uq_masterplan_phases_masterplan_id_ordinal")
        ),
    )
    op.create_index(
        op.f("ix_masterplan_phases_masterplan_id"),
        "masterplan_phases",
        ["masterplan_id"],
        unique=False,
    )
    op.create_table(
        "execution_waves",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("masterplan_id", sa.UUID(), nullable=False),
        sa.Column("graph_id", sa.UUID(), nullable=False),
        sa.Column("wave_number", sa.Integer(), nullable=False),
        sa.Column("atom_count", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("pending", "running", "completed", "failed", "cancelled", name="wave_status"),
            nullable=False,
        ),
        sa.Column("completed_count", sa.Integer(), nullable=False),
        sa.Column("failed_count", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["graph_id"],
            ["dependency_graphs.id"],
            name=op.f("fk_execution_waves_graph_id_dependency_graphs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["masterplan_id"],
            ["masterplans.id"],
            name=op.f("fk_execution_waves_masterplan_id_masterplans"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_execution_waves")),
        sa.UniqueConstraint(
            "masterplan_id",
            "wave_number",
            name=op.f("uq_execution_waves_masterplan_id_wave_number"),
        ),
    )
    op.create_index(
        op.f("ix_execution_waves_graph_id"), "execution_waves", ["graph_id"], unique=False
    )
    op.create_table(
        "masterplan_milestones",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("masterplan_id", sa.UUID(), nullable=False),
        sa.Column("phase_id", sa.UUID(), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["masterplan_id"],
            ["masterplans.id"],
            name=op.f("fk_masterplan_milestones_masterplan_id_masterplans"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["phase_id"],
            ["masterplan_phases.id"],
            name=op.f("fk_masterplan_milestones_phase_id_masterplan_phases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_masterplan_milestones")),
        sa.UniqueConstraint(
            "phase_id", "ordinal", name=op.f("uq_masterplan_milestones_phase_id_ordinal")
        ),
    )
    op.create_index(
        op.f("ix_masterplan_milestones_masterplan_id"),
        "masterplan_milestones",
        ["masterplan_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_masterplan_milestones_phase_id"),
        "masterplan_milestones",
        ["phase_id"],
        unique=False,
    )
    op.create_table(
        "masterplan_tasks",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("masterplan_id", sa.UUID(), nullable=False),
        sa.Column("milestone_id", sa.UUID(), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("file_path", sa.String(length=500), nullable=False),
        sa.Column("language", sa.String(length=20), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("depends_on", postgresql.ARRAY(sa.String(length=100)), nullable=False),
        sa.Column("skeleton", sa.Text(), nullable=True),
        sa.Column("reference_code", sa.Text(), nullable=True),
        sa.Column("tests", sa.Text(), nullable=True),
        sa.Column("test_file", sa.String(length=500), nullable=True),
        sa.Column("code_source", sa.String(length=20), nullable=True),
        sa.Column("generated_skeleton", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["masterplan_id"],
            ["masterplans.id"],
            name=op.f("fk_masterplan_tasks_masterplan_id_masterplans"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["milestone_id"],
            ["masterplan_milestones.id"],
            name=op.f("fk_masterplan_tasks_milestone_id_masterplan_milestones"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_masterplan_tasks")),
        sa.UniqueConstraint(
            "masterplan_id", "file_path", name=op.f("uq_masterplan_tasks_masterplan_id_file_path")
        ),
        sa.UniqueConstraint(
            "masterplan_id", "key", name=op.f("uq_masterplan_tasks_masterplan_id_key")
        ),
    )
    op.create_index(
        op.f("ix_masterplan_tasks_masterplan_id"),
        "masterplan_tasks",
        ["masterplan_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_masterplan_tasks_milestone_id"), "masterplan_tasks", ["milestone_id"], unique=False
    )
    op.create_table(
        "atomic_units",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("masterplan_id", sa.UUID(), nullable=False),
        sa.Column("task_id", sa.UUID(), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=True),
        sa.Column("file_path", sa.String(length=500), nullable=False),
        sa.Column("language", sa.String(length=20), nullable=False),
        sa.Column("spec_code", sa.Text(), nullable=False),
        sa.Column("reference_code", sa.Text(), nullable=True),
        sa.Column("generated_code", sa.Text(), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "running",
                "completed",
                "failed",
                "cancelled",
                "skipped",
                "needs_review",
                "approved",
                "rejected",
                name="atom_status",
            ),
            nullable=False,
        ),
        sa.Column("start_line", sa.Integer(), nullable=False),
        sa.Column("end_line", sa.Integer(), nullable=False),
        sa.Column("loc", sa.Integer(), nullable=False),
        sa.Column("complexity", sa.Integer(), nullable=False),
        sa.Column("oversized", sa.Boolean(), nullable=False),
        sa.Column("oversize_reason", sa.Text(), nullable=True),
        sa.Column("context", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("context_completeness", sa.Float(), nullable=False),
        sa.Column("atomicity_score", sa.Float(), nullable=False),
        sa.Column("atomicity", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("issues", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("wave_number", sa.Integer(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("generation_round", sa.Integer(), nullable=False),
        sa.Column("generated_attempt", sa.Integer(), nullable=True),
        sa.Column("temperature", sa.Float(), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("confidence_level", sa.String(length=20), nullable=True),
        sa.Column("confidence_reasons", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("input_tokens", sa.BigInteger(), nullable=False),
        sa.Column("output_tokens", sa.BigInteger(), nullable=False),
        sa.Column("cache_read_tokens", sa.BigInteger(), nullable=False),
        sa.Column("cache_write_tokens", sa.BigInteger(), nullable=False),
        sa.Column("cost_usd", sa.Numeric(precision=14, scale=6), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["masterplan_id"],
            ["masterplans.id"],
            name=op.f("fk_atomic_units_masterplan_id_masterplans"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["task_id"],
            ["masterplan_tasks.id"],
            name=op.f("fk_atomic_units_task_id_masterplan_tasks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_atomic_units")),
        sa.UniqueConstraint("task_id", "ordinal", name=op.f("uq_atomic_units_task_id_ordinal")),
    )
    op.create_index(
        "ix_atomic_units_plan_status", "atomic_units", ["masterplan_id", "status"], unique=False
    )
    op.create_index(
        "ix_atomic_units_plan_wave", "atomic_units", ["masterplan_id", "wave_number"], unique=False
    )
    op.create_index(op.f("ix_atomic_units_task_id"), "atomic_units", ["task_id"], unique=False)
    op.create_table(
        "atom_dependencies",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("masterplan_id", sa.UUID(), nullable=False),
        sa.Column("graph_id", sa.UUID(), nullable=False),
        sa.Column("source_atom_id", sa.UUID(), nullable=False),
        sa.Column("target_atom_id", sa.UUID(), nullable=False),
        sa.Column(
            "dependency_type",
            sa.Enum(
                "import", "function_call", "variable", "type", "data_flow", name="dependency_type"
            ),
            nullable=False,
        ),
        sa.Column("symbol", sa.String(length=300), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.Column("removed", sa.Boolean(), nullable=False),
        sa.Column("removed_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["graph_id"],
            ["dependency_graphs.id"],
            name=op.f("fk_atom_dependencies_graph_id_dependency_graphs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["masterplan_id"],
            ["masterplans.id"],
            name=op.f("fk_atom_dependencies_masterplan_id_masterplans"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["source_atom_id"],
            ["atomic_units.id"],
            name=op.f("fk_atom_dependencies_source_atom_id_atomic_units"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["target_atom_id"],
            ["atomic_units.id"],
            name=op.f("fk_atom_dependencies_target_atom_id_atomic_units"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_atom_dependencies")),
        sa.UniqueConstraint(
            "graph_id",
            "source_atom_id",
            "target_atom_id",
            "dependency_type",
            name="uq_atom_dependencies_edge",
        ),
    )
    op.create_index(
        op.f("ix_atom_dependencies_masterplan_id"),
        "atom_dependencies",
        ["masterplan_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_atom_dependencies_source_atom_id"),
        "atom_dependencies",
        ["source_atom_id"],
        unique=False,
    )
    op.create_index(
        "ix_atom_dependencies_target", "atom_dependencies", ["target_atom_id"], unique=False
    )
    op.create_table(
        "atom_retry_history",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("masterplan_id", sa.UUID(), nullable=False),
        sa.Column("atom_id", sa.UUID(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column(
            "error_category",
            sa.Enum(
                "syntax",
                "type",
                "logic",
                "timeout",
                "dependency",
                "context",
                "rate_limited",
                "provider_error",
                name="error_category",
            ),
            nullable=False,
        ),
        sa.Column("error_message", sa.Text(), nullable=False),
        sa.Column("feedback_prompt", sa.Text(), nullable=False),
        sa.Column("temperature", sa.Float(), nullable=True),
        sa.Column("generated_code", sa.Text(), nullable=True),
        sa.Column("input_tokens", sa.BigInteger(), nullable=False),
        sa.Column("output_tokens", sa.BigInteger(), nullable=False),
        sa.Column("cost_usd", sa.Numeric(precision=14, scale=6), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["atom_id"],
            ["atomic_units.id"],
            name=op.f("fk_atom_retry_history_atom_id_atomic_units"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["masterplan_id"],
            ["masterplans.id"],
            name=op.f("fk_atom_retry_history_masterplan_id_masterplans"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_atom_retry_history")),
        sa.UniqueConstraint(
            "atom_id", "round", "attempt", name=op.f("uq_atom_retry_history_atom_id_round_attempt")
        ),
    )
    op.create_index(
        op.f("ix_atom_retry_history_masterplan_id"),
        "atom_retry_history",
        ["masterplan_id"],
        unique=False,
    )
    op.create_table(
        "human_review_queue",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("masterplan_id", sa.UUID(), nullable=False),
        sa.Column("atom_id", sa.UUID(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "approved",
                "edited",
                "regenerating",
                "rejected",
                "regenerated",
                "expired",
                name="review_status",
            ),
            nullable=False,
        ),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("level", sa.String(length=20), nullable=True),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("reasons", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("suggestions", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("assigned_to", sa.String(length=200), nullable=True),
        sa.Column("reviewer", sa.String(length=200), nullable=True),
        sa.Column("action", sa.String(length=20), nullable=True),
        sa.Column("feedback", sa.Text(), nullable=True),
        sa.Column("edited_code", sa.Text(), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["atom_id"],
            ["atomic_units.id"],
            name=op.f("fk_human_review_queue_atom_id_atomic_units"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["masterplan_id"],
            ["masterplans.id"],
            name=op.f("fk_human_review_queue_masterplan_id_masterplans"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_human_review_queue")),
        sa.UniqueConstraint("atom_id", "round", name=op.f("uq_human_review_queue_atom_id_round")),
    )
    op.create_index(
        op.f("ix_human_review_queue_atom_id"), "human_review_queue", ["atom_id"], unique=False
    )
    op.create_index(
        "ix_human_review_queue_plan",
        "human_review_queue",
        ["masterplan_id", "status"],
        unique=False,
    )
    op.create_index(
        "ix_human_review_queue_status_priority",
        "human_review_queue",
        ["status", "priority"],
        unique=False,
    )
    op.create_table(
        "validation_results",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("masterplan_id", sa.UUID(), nullable=False),
        sa.Column("atom_id", sa.UUID(), nullable=True),
        sa.Column("task_id", sa.UUID(), nullable=True),
        sa.Column("milestone_id", sa.UUID(), nullable=True),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("check_name", sa.String(length=100), nullable=False),
        sa.Column(
            "outcome",
            sa.Enum("passed", "failed", "not_run", name="validation_outcome"),
            nullable=False,
        ),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("violations", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("warnings", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("attempt", sa.Integer(), nullable=True),
        sa.Column("duration_ms", sa.Float(), nullable=False),
        sa.Column("validator_version", sa.String(length=40), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["atom_id"],
            ["atomic_units.id"],
            name=op.f("fk_validation_results_atom_id_atomic_units"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["masterplan_id"],
            ["masterplans.id"],
            name=op.f("fk_validation_results_masterplan_id_masterplans"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["milestone_id"],
            ["masterplan_milestones.id"],
            name=op.f("fk_validation_results_milestone_id_masterplan_milestones"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["task_id"],
            ["masterplan_tasks.id"],
            name=op.f("fk_validation_results_task_id_masterplan_tasks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_validation_results")),
    )
    op.create_index("ix_validation_results_atom", "validation_results", ["atom_id"], unique=False)
    op.create_index(
        "ix_validation_results_plan_level",
        "validation_results",
        ["masterplan_id", "level"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_constraint(
        op.f("fk_masterplans_graph_id_dependency_graphs"), "masterplans", type_="foreignkey"
    )
    op.drop_index("ix_validation_results_plan_level", table_name="validation_results")
    op.drop_index("ix_validation_results_atom", table_name="validation_results")
    op.drop_table("validation_results")
    op.drop_index("ix_human_review_queue_status_priority", table_name="human_review_queue")
    op.drop_index("ix_human_review_queue_plan", table_name="human_review_queue")
    op.drop_index(op.f("ix_human_review_queue_atom_id"), table_name="human_review_queue")
    op.drop_table("human_review_queue")
    op.drop_index(op.f("ix_atom_retry_history_masterplan_id"), table_name="atom_retry_history")
    op.drop_table("atom_retry_history")
    op.drop_index("ix_atom_dependencies_target", table_name="atom_dependencies")
    op.drop_index(op.f("ix_atom_dependencies_source_atom_id"), table_name="atom_dependencies")
    op.drop_index(op.f("ix_atom_dependencies_masterplan_id"), table_name="atom_dependencies")
    op.drop_table("atom_dependencies")
    op.drop_index(op.f("ix_atomic_units_task_id"), table_name="atomic_units")
    op.drop_index("ix_atomic_units_plan_wave", table_name="atomic_units")
    op.drop_index("ix_atomic_units_plan_status", table_name="atomic_units")
    op.drop_table("atomic_units")
    op.drop_index(op.f("ix_masterplan_tasks_milestone_id"), table_name="masterplan_tasks")
    op.drop_index(op.f("ix_masterplan_tasks_masterplan_id"), table_name="masterplan_tasks")
    op.drop_table("masterplan_tasks")
    op.drop_index(op.f("ix_masterplan_milestones_phase_id"), table_name="masterplan_milestones")
    op.drop_index(
        op.f("ix_masterplan_milestones_masterplan_id"), table_name="masterplan_milestones"
    )
    op.drop_table("masterplan_milestones")
    op.drop_index(op.f("ix_execution_waves_graph_id"), table_name="execution_waves")
    op.drop_table("execution_waves")
    op.drop_index(op.f("ix_masterplan_phases_masterplan_id"), table_name="masterplan_phases")
    op.drop_table("masterplan_phases")
    op.drop_index(op.f("ix_dependency_graphs_masterplan_id"), table_name="dependency_graphs")
    op.drop_table("dependency_graphs")
    op.drop_index(op.f("ix_masterplans_status"), table_name="masterplans")
    op.drop_index(op.f("ix_masterplans_source_sha256"), table_name="masterplans")
    op.drop_table("masterplans")
    for enum_name in ENUM_TYPES:
        sa.Enum(name=enum_name).drop(op.get_bind(), checkfirst=True)
