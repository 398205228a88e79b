"""The masterplan document model and its loader."""

from domain.plan.loader import parse_plan_text, plan_json_schema, validate_plan_data
from domain.plan.schema import (
    SUPPORTED_LANGUAGES,
    AtomizationSettings,
    MasterPlanSpec,
    MilestoneSpec,
    PhaseSpec,
    TaskSpec,
)

__all__ = [
    "SUPPORTED_LANGUAGES",
    "AtomizationSettings",
    "MasterPlanSpec",
    "MilestoneSpec",
    "PhaseSpec",
    "TaskSpec",
    "parse_plan_text",
    "plan_json_schema",
    "validate_plan_data",
]
