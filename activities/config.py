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
    max_tokens: int = 2048
    provider_name: str = "reference"
