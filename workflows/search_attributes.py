"""Typed search attributes that make runs findable in the Temporal Web UI."""

from __future__ import annotations

from temporalio.common import SearchAttributeKey

MASTERPLAN_ID = SearchAttributeKey.for_keyword("MgeMasterPlanId")
PLAN_STATUS = SearchAttributeKey.for_keyword("MgePlanStatus")
WAVE = SearchAttributeKey.for_int("MgeWave")
PENDING_REVIEWS = SearchAttributeKey.for_int("MgePendingReviews")

ALL = (MASTERPLAN_ID, PLAN_STATUS, WAVE, PENDING_REVIEWS)
