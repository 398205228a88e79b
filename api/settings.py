"""All configuration of MGE: one pydantic-settings class, prefix ``MGE_``, groups with ``__``.

Examples: ``MGE_DATABASE_URL``, ``MGE_TEMPORAL__ADDRESS``, ``MGE_LLM__API_KEY``,
``MGE_MAX_PARALLEL_ATOMS``, ``MGE_TEMPERATURES='[0.7, 0.5, 0.3]'``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from domain.retry_schedule import DEFAULT_TEMPERATURES, RetrySchedule

PLACEHOLDER_SECRETS = frozenset({"", "changeme", "change-me", "placeholder", "sk-ant-xxx", "xxx"})


class TemporalSettings(BaseModel):
    address: str | None = Field(
        None, description="host:port of a Temporal frontend; unset = the managed dev server."
    )
    namespace: str = "default"
    task_queue: str = "mge"
    api_key: SecretStr | None = None
    tls: bool = False
    dev_port: int = Field(7233, description="gRPC port of the managed dev server (0 = any).")
    dev_ui_port: int = Field(8233, description="Web UI port of the managed dev server (0 = any).")


class LLMSettings(BaseModel):
    provider: Literal["reference", "anthropic"] = "reference"
    model: str = "claude-sonnet-4-6"
    api_key: SecretStr | None = None
    base_url: str | None = None
    max_tokens: int = Field(2048, ge=64, le=64000)
    timeout_s: float = Field(120.0, gt=0)
    traces: bool = Field(
        False,
        description="OpenTelemetry spans of the anthropic SDK (for a configured tracer "
        "provider; the ANTHROPIC_OPEN_TELEMETRY* variables then apply).",
    )


class ReviewSettings(BaseModel):
    mode: Literal["plan", "wave", "off"] = Field(
        "plan",
        description="plan: review after generation; wave: after each wave, and later waves "
        "wait; off: never wait for reviewers.",
    )
    threshold: float = Field(0.7, ge=0, le=1, description="Atoms under it go to review.")
    lowest_percent: float | None = Field(
        None, gt=0, le=100, description="Also queue the lowest N% by confidence (off)."
    )
    timeout_s: float | None = Field(None, gt=0, description="Review deadline (none: wait).")
    deadline_policy: Literal["accept", "fail"] = "accept"
    llm_advice: bool = Field(True, description="Ask the model for a suggestion per review.")


class ApiSettings(BaseModel):
    host: str = "127.0.0.1"
    port: int = 8000


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="MGE_", env_nested_delimiter="__", env_file=".env", extra="ignore"
    )

    env: Literal["dev", "test", "prod"] = "dev"
    data_dir: Path = Field(Path(".mge"), description="Embedded stack state and outputs.")
    database_url: str | None = Field(
        None, description="postgresql:// URL; unset = embedded PostgreSQL under data_dir."
    )
    temporal: TemporalSettings = Field(default_factory=TemporalSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    api: ApiSettings = Field(default_factory=ApiSettings)
    max_parallel_atoms: int = Field(100, ge=1, le=2000)
    wave_chunk_size: int = Field(500, ge=1, le=1000, description="Fan-out cap per wave child.")
    temperatures: tuple[float, ...] = DEFAULT_TEMPERATURES
    initial_backoff_s: float = Field(1.0, gt=0)
    max_backoff_s: float = Field(4.0, gt=0)
    atom_timeout_s: float = Field(300.0, gt=0)
    heartbeat_every_s: float = Field(5.0, gt=0)
    heartbeat_timeout_s: float = Field(60.0, gt=0)
    review: ReviewSettings = Field(default_factory=lambda: ReviewSettings())
    max_provider_retries: int = Field(
        10, ge=0, description="Retries for rate limits / provider errors (no quality attempt)."
    )
    max_concurrent_activities: int = Field(200, ge=1)

    @field_validator("temperatures")
    @classmethod
    def _valid_schedule(cls, value: tuple[float, ...]) -> tuple[float, ...]:
        return RetrySchedule(value).temperatures

    @model_validator(mode="after")
    def _no_placeholder_secrets_outside_dev(self) -> Settings:
        if self.env == "prod":
            for name, secret in (("llm.api_key", self.llm.api_key),):
                if self.llm.provider == "anthropic" and (
                    secret is None or secret.get_secret_value().strip() in PLACEHOLDER_SECRETS
                ):
                    raise ValueError(f"{name} is unset or a placeholder; refusing to start in prod")
        return self

    @property
    def output_root(self) -> Path:
        return self.data_dir / "output"

    @property
    def retry_schedule(self) -> RetrySchedule:
        return RetrySchedule(self.temperatures, self.initial_backoff_s, 2.0, self.max_backoff_s)
