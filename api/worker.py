"""The worker: activity classes built once with their dependencies, plus the workflows."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Mapping

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client
from temporalio.worker import PollerBehaviorAutoscaling, Worker

from activities.config import ActivityConfig
from activities.generation import GenerationActivities
from activities.output import OutputActivities
from activities.plan_stages import PlanActivities
from activities.providers import AnthropicProvider, LLMProvider, ReferenceProvider
from activities.review import ReviewActivities
from activities.validation import ValidationActivities, ValidationConfig
from api.settings import Settings
from workflows.masterplan import MasterPlanWorkflow
from workflows.wave import WaveWorkflow


def build_providers(settings: Settings) -> dict[str, LLMProvider]:
    providers: dict[str, LLMProvider] = {"reference": ReferenceProvider()}
    key = settings.llm.api_key.get_secret_value() if settings.llm.api_key else None
    if key:
        providers["anthropic"] = AnthropicProvider(
            api_key=key,
            model=settings.llm.model,
            base_url=settings.llm.base_url,
            timeout_s=settings.llm.timeout_s,
            traces=settings.llm.traces,
        )
    return providers


def activity_config(settings: Settings) -> ActivityConfig:
    return ActivityConfig(
        output_root=settings.output_root.resolve(),
        schedule=settings.retry_schedule,
        max_parallel_atoms=settings.max_parallel_atoms,
        wave_chunk_size=settings.wave_chunk_size,
        atom_timeout_s=settings.atom_timeout_s,
        max_tokens=settings.llm.max_tokens,
        provider_name=settings.llm.provider,
        model=settings.llm.model,
        heartbeat_every_s=settings.heartbeat_every_s,
        heartbeat_timeout_s=settings.heartbeat_timeout_s,
        max_provider_retries=settings.max_provider_retries,
        review_mode=settings.review.mode,
        review_threshold=settings.review.threshold,
        review_lowest_percent=settings.review.lowest_percent,
        review_timeout_s=settings.review.timeout_s,
        review_deadline_policy=settings.review.deadline_policy,
        review_llm_advice=settings.review.llm_advice,
    )


@contextlib.asynccontextmanager
async def running_worker(
    client: Client,
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    providers: Mapping[str, LLMProvider] | None = None,
) -> AsyncIterator[Worker]:
    """The worker, polling until the block ends, with the given providers or those the
    settings configure; then the providers' HTTP clients are closed (an open aiohttp
    session warns at exit)."""
    providers = providers if providers is not None else build_providers(settings)
    try:
        async with build_worker(client, settings, sessions, providers) as worker:
            yield worker
    finally:
        for provider in providers.values():
            close = getattr(provider, "aclose", None)
            if close is not None:
                await close()


def build_worker(
    client: Client,
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    providers: Mapping[str, LLMProvider] | None = None,
    *,
    task_queue: str | None = None,
) -> Worker:
    providers = providers if providers is not None else build_providers(settings)
    config = activity_config(settings)
    plan = PlanActivities(sessions, providers, config)
    generation = GenerationActivities(sessions, providers, config)
    output = OutputActivities(sessions, config)
    review = ReviewActivities(sessions, providers, config)
    validation = ValidationActivities(
        sessions, ValidationConfig.discover(data_dir=settings.data_dir.resolve())
    )
    return Worker(
        client,
        task_queue=task_queue or settings.temporal.task_queue,
        workflows=[MasterPlanWorkflow, WaveWorkflow],
        activities=[
            plan.start_run,
            plan.atomize_plan,
            plan.build_graph,
            plan.validate_plan,
            plan.finish_run,
            generation.begin_wave,
            generation.generate_atom,
            generation.mark_atom_failed,
            generation.skip_atoms,
            generation.finish_wave,
            validation.validate_atoms,
            validation.validate_tasks,
            validation.validate_milestones,
            validation.validate_masterplan,
            output.assemble_output,
            review.queue_reviews,
            review.apply_review_decision,
            review.settle_regeneration,
            review.expire_reviews,
        ],
        max_concurrent_activities=settings.max_concurrent_activities,
        # A wave schedules up to MGE_MAX_PARALLEL_ATOMS activities at once; five fixed pollers
        # (the SDK default) hand them out five at a time. Let the server's backlog scale them.
        activity_task_poller_behavior=PollerBehaviorAutoscaling(
            maximum=max(5, min(100, settings.max_concurrent_activities))
        ),
    )
