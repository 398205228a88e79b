"""What activities need from the settings, handed in by the worker (activities never read
the environment themselves)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from domain.retry_schedule import RetrySchedule


@dataclass(frozen=True)
class ActivityConfig:
    output_root: Path
    schedule: RetrySchedule = field(default_factory=RetrySchedule)
    max_parallel_atoms: int = 100
    wave_chunk_size: int = 500
    atom_timeout_s: float = 300.0
    heartbeat_every_s: float = 5.0
    max_provider_retries: int = 10
    max_tokens: int = 2048
    provider_name: str = "reference"
    model: str = "claude-sonnet-4-6"
    heartbeat_timeout_s: float = 60.0
    # Typical tokens of one atom call, for the budget estimate before real costs are known.
    estimated_input_tokens: int = 1500
    estimated_output_tokens: int = 400
    review_mode: str = "plan"
    review_threshold: float = 0.7
    review_lowest_percent: float | None = None
    review_timeout_s: float | None = None
    review_deadline_policy: str = "accept"
    review_llm_advice: bool = True
