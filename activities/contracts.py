"""The dataclasses that cross the workflow/activity boundary, and the activity names.

Side-effect free and stdlib-only: workflows import this module through
``workflow.unsafe.imports_passed_through()``. Only ids, counts and short labels go through
here — never code or LLM text (Temporal keeps every payload in the history).
"""

# No `from __future__ import annotations` here: Temporal resolves these field types at run
# time inside the workflow sandbox, where string annotations cannot be evaluated.
from dataclasses import dataclass, field

# Activity names: workflows call activities by name so they never import activity code.
START_RUN = "start_run"
ATOMIZE_PLAN = "atomize_plan"
BUILD_GRAPH = "build_graph"
VALIDATE_PLAN = "validate_plan"
BEGIN_WAVE = "begin_wave"
GENERATE_ATOM = "generate_atom"
MARK_ATOM_FAILED = "mark_atom_failed"
FINISH_WAVE = "finish_wave"
ASSEMBLE_OUTPUT = "assemble_output"
FINISH_RUN = "finish_run"
SKIP_ATOMS = "skip_atoms"
QUEUE_REVIEWS = "queue_reviews"
APPLY_REVIEW_DECISION = "apply_review_decision"
SETTLE_REGENERATION = "settle_regeneration"
EXPIRE_REVIEWS = "expire_reviews"

# Signal and query names (the temporal CLI uses them as they are).
REVIEW_DECISION_SIGNAL = "review_decision"
PENDING_REVIEWS_QUERY = "pending_reviews"


@dataclass(frozen=True)
class MasterPlanInput:
    """Workflow input; ``{"masterplan_id": "..."}`` is enough from the temporal CLI."""

    masterplan_id: str


@dataclass(frozen=True)
class PlanRef:
    masterplan_id: str


@dataclass(frozen=True)
class RunConfig:
    """What the worker's settings say about how to run this plan (read once per run)."""

    masterplan_id: str
    max_parallel_atoms: int
    wave_chunk_size: int
    temperatures: list[float]
    initial_backoff_s: float
    max_backoff_s: float
    atom_timeout_s: float
    granularity: str = "atom"
    max_provider_retries: int = 10
    heartbeat_timeout_s: float = 60.0
    budget_usd: float | None = None
    estimated_atom_cost_usd: float = 0.0
    review_timeout_s: float | None = None
    review_deadline_policy: str = "accept"
    review_mode: str = "plan"


@dataclass(frozen=True)
class AtomizeResult:
    task_count: int
    atom_count: int
    oversized_count: int


@dataclass(frozen=True)
class WaveInfo:
    wave_number: int
    atom_count: int


@dataclass(frozen=True)
class GraphResult:
    graph_id: str
    edge_count: int
    removed_edge_count: int
    waves: list[WaveInfo] = field(default_factory=list)


@dataclass(frozen=True)
class PlanCheckResult:
    passed: bool
    problems: list[str] = field(default_factory=list)
    estimated_cost_usd: float = 0.0


@dataclass(frozen=True)
class WaveInput:
    masterplan_id: str
    wave_number: int
    part: int
    offset: int
    limit: int
    max_parallel: int
    temperatures: list[float]
    initial_backoff_s: float = 1.0
    max_backoff_s: float = 4.0
    atom_timeout_s: float = 300.0
    max_provider_retries: int = 10
    heartbeat_timeout_s: float = 60.0
    budget_remaining_usd: float | None = None
    estimated_atom_cost_usd: float = 0.0


@dataclass(frozen=True)
class WaveSlice:
    masterplan_id: str
    wave_number: int
    offset: int
    limit: int


@dataclass(frozen=True)
class AtomRef:
    atom_id: str
    label: str


@dataclass(frozen=True)
class WaveAtoms:
    atoms: list[AtomRef] = field(default_factory=list)


@dataclass(frozen=True)
class GenerateAtomInput:
    masterplan_id: str
    atom_id: str
    wave_number: int


@dataclass(frozen=True)
class GenerateAtomResult:
    atom_id: str
    status: str
    attempt: int
    cost_usd: float = 0.0


@dataclass(frozen=True)
class AtomFailure:
    masterplan_id: str
    atom_id: str
    reason: str


@dataclass(frozen=True)
class WaveOutcome:
    masterplan_id: str
    wave_number: int
    completed: int
    failed: int


@dataclass(frozen=True)
class WaveResult:
    wave_number: int
    part: int
    completed: int
    failed: int
    skipped: int = 0
    cost_usd: float = 0.0
    budget_exhausted: bool = False


@dataclass(frozen=True)
class SkipAtoms:
    """Atoms left unscheduled (budget reached); ids only."""

    masterplan_id: str
    atom_ids: list[str]
    reason: str


@dataclass(frozen=True)
class AssembleResult:
    files: int
    output_dir: str
    manifest_sha256: str


@dataclass(frozen=True)
class RunOutcome:
    masterplan_id: str
    status: str
    reason: str | None = None


@dataclass(frozen=True)
class MasterPlanResult:
    masterplan_id: str
    status: str
    total_atoms: int
    completed_atoms: int
    failed_atoms: int
    waves: int
    files: int
    reason: str | None = None
    rejected_atoms: int = 0
    cost_usd: float = 0.0


@dataclass(frozen=True)
class RunTotals:
    total: int
    completed: int
    failed: int
    rejected: int
    cost_usd: float


@dataclass(frozen=True)
class PlanStatusView:
    masterplan_id: str
    status: str
    reason: str | None
    current_wave: int | None
    total_waves: int


@dataclass(frozen=True)
class PlanProgress:
    waves_total: int
    waves_done: int
    atoms_total: int
    atoms_completed: int
    atoms_failed: int
    atoms_skipped: int = 0
    cost_usd: float = 0.0


@dataclass(frozen=True)
class ReviewDecision:
    """The `review_decision` signal. `code` is accepted for `temporal workflow signal`; the
    API stores edited code in the database and signals ids only."""

    review_id: str
    action: str
    reviewer: str = ""
    code: str | None = None
    feedback: str | None = None


@dataclass(frozen=True)
class ReviewScope:
    """Which atoms to score and queue: the whole plan, or one wave (per-wave review)."""

    masterplan_id: str
    wave_number: int | None = None


@dataclass(frozen=True)
class ReviewBatch:
    review_ids: list[str] = field(default_factory=list)
    atom_ids: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class DecisionInput:
    masterplan_id: str
    decision: ReviewDecision


@dataclass(frozen=True)
class DecisionOutcome:
    review_id: str
    atom_id: str
    label: str
    resolved: bool
    status: str
    message: str
    regenerate: bool = False


@dataclass(frozen=True)
class RegenerationDone:
    masterplan_id: str
    review_id: str
    generated: bool
    message: str = ""


@dataclass(frozen=True)
class ExpireReviews:
    masterplan_id: str
    review_ids: list[str]
    reason: str
