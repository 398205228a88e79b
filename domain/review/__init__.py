"""Human review (pure): confidence scoring, selection for the review queue, and rule-based
suggestions. The activities that read atoms from storage and write the queue sit outside."""

from .confidence import (
    CheckTally,
    Confidence,
    ConfidenceInput,
    ConfidenceLevel,
    ConfidenceScorer,
    ConfidenceWeights,
    LevelThresholds,
    split_by_level,
)
from .queue import (
    PRIORITY_BY_LEVEL,
    QueueEntry,
    QueueStatistics,
    ReviewCandidate,
    ScoredAtom,
    SelectionPolicy,
    priority_of,
    queue_statistics,
    select_for_review,
)
from .suggestions import Suggestion, suggest

__all__ = [
    "PRIORITY_BY_LEVEL",
    "CheckTally",
    "Confidence",
    "ConfidenceInput",
    "ConfidenceLevel",
    "ConfidenceScorer",
    "ConfidenceWeights",
    "LevelThresholds",
    "QueueEntry",
    "QueueStatistics",
    "ReviewCandidate",
    "ScoredAtom",
    "SelectionPolicy",
    "Suggestion",
    "priority_of",
    "queue_statistics",
    "select_for_review",
    "split_by_level",
    "suggest",
]
