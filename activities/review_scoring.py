"""Scoring the atoms of a plan and choosing those a person should review."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from activities.config import ActivityConfig
from domain.review.confidence import CheckTally, ConfidenceInput, ConfidenceScorer
from domain.review.queue import ScoredAtom, SelectionPolicy, select_for_review
from domain.review.suggestions import suggest
from domain.status import AtomStatus, ValidationOutcome
from persistence import atoms as atom_repo
from persistence import plans as plan_repo
from persistence.models import AtomicUnit, ValidationResult

INTEGRATION_LEVEL = 4


@dataclass(frozen=True)
class ChosenAtom:
    atom_id: uuid.UUID
    confidence: float
    level: str
    priority: int
    reasons: tuple[str, ...]
    suggestions: tuple[dict[str, Any], ...]


async def _atom_checks(
    session: AsyncSession, plan_id: uuid.UUID
) -> dict[uuid.UUID, list[tuple[int, str, str]]]:
    rows = await session.execute(
        select(
            ValidationResult.atom_id,
            ValidationResult.level,
            ValidationResult.check_name,
            ValidationResult.outcome,
        )
        .where(ValidationResult.masterplan_id == plan_id, ValidationResult.atom_id.is_not(None))
        .order_by(ValidationResult.created_at)
    )
    checks: dict[uuid.UUID, list[tuple[int, str, str]]] = defaultdict(list)
    for atom_id, level, name, outcome in rows.all():
        if atom_id is not None:
            checks[atom_id].append((level, name, str(outcome)))
    return checks


def _suggestions(atom: AtomicUnit) -> tuple[dict[str, Any], ...]:
    code = atom.generated_code or atom.spec_code
    return tuple(s.to_dict() for s in suggest(code, atom.language))


async def score_plan_atoms(
    session: AsyncSession,
    plan_id: uuid.UUID,
    config: ActivityConfig,
    wave_number: int | None = None,
) -> list[ChosenAtom]:
    """Score the plan's atoms (of one wave, if given), store the scores on the atoms, and
    return those to queue for review."""
    plan = await plan_repo.get_plan(session, plan_id)
    limits = plan.atomization_config
    atoms = await atom_repo.plan_atoms(session, plan_id, wave_number)
    checks = await _atom_checks(session, plan_id)
    scorer = ConfidenceScorer()
    scored: list[ScoredAtom] = []
    by_id = {str(a.id): a for a in atoms}
    for atom in atoms:
        results = checks.get(atom.id, [])
        level1 = [(n, o) for lvl, n, o in results if lvl < INTEGRATION_LEVEL]
        if atom.status in (AtomStatus.COMPLETED, AtomStatus.APPROVED) and not level1:
            # generate_atom only stores code that parsed in its file.
            level1 = [("atom.parses", ValidationOutcome.PASSED.value)]
        integration = [(n, o) for lvl, n, o in results if lvl == INTEGRATION_LEVEL]
        failed = atom.status == AtomStatus.FAILED
        confidence = scorer.score(
            ConfidenceInput(
                validation=CheckTally.of(level1),
                attempts_used=max(1, atom.attempts),
                attempts_allowed=config.schedule.quality_attempts,
                complexity=atom.complexity,
                max_complexity=int(limits.get("max_complexity", 3)),
                loc=atom.loc,
                max_loc=int(limits.get("max_loc", 15)),
                integration=CheckTally.of(integration),
                failed=failed,
            )
        )
        # Set on the loaded objects: the flush sends one batched UPDATE for all of them
        # (an UPDATE statement per atom made the session re-scan every atom each time).
        atom.confidence = confidence.score
        atom.confidence_level = confidence.level.value
        atom.confidence_reasons = list(confidence.reasons)
        scored.append(ScoredAtom(str(atom.id), confidence, failed=failed))
    if config.review_mode == "off":
        return []
    policy = SelectionPolicy(
        threshold=config.review_threshold, lowest_percent=config.review_lowest_percent or 0.0
    )
    return [
        ChosenAtom(
            atom_id=uuid.UUID(candidate.atom_id),
            confidence=candidate.confidence,
            level=candidate.level.value,
            priority=candidate.priority,
            reasons=(*candidate.selected_because, *candidate.reasons),
            suggestions=_suggestions(by_id[candidate.atom_id]),
        )
        for candidate in select_for_review(scored, policy)
    ]
