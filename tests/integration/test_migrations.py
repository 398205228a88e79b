"""One reversible Alembic history, checked on the embedded PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import asyncpg
import pytest

from persistence import migrate
from persistence.models import Base

pytestmark = pytest.mark.integration

MGE = str(Path(sys.executable).parent / "mge")

ENGINE_TABLES = {
    "atomic_units",
    "atom_dependencies",
    "dependency_graphs",
    "validation_results",
    "execution_waves",
    "atom_retry_history",
    "human_review_queue",
}
INPUT_TABLES = {"masterplans", "masterplan_phases", "masterplan_milestones", "masterplan_tasks"}


async def _tables(url: str) -> set[str]:
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
    try:
        rows = await conn.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
            " AND tablename <> 'alembic_version'"
        )
        return {r["tablename"] for r in rows}
    finally:
        await conn.close()


async def _enum_types(url: str) -> set[str]:
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch("SELECT typname FROM pg_type WHERE typtype = 'e'")
        return {r["typname"] for r in rows}
    finally:
        await conn.close()


async def test_upgrade_downgrade_upgrade(postgres) -> None:  # type: ignore[no-untyped-def]
    name = await postgres.create_database()
    url = postgres.url(name)
    try:
        await asyncio.to_thread(migrate.upgrade, url)
        assert await _tables(url) == ENGINE_TABLES | INPUT_TABLES
        assert set(Base.metadata.tables) == ENGINE_TABLES | INPUT_TABLES
        await asyncio.to_thread(migrate.downgrade, url)
        assert await _tables(url) == set()
        assert await _enum_types(url) == set(), "downgrade must drop the enum types too"
        await asyncio.to_thread(migrate.upgrade, url)
        assert await _tables(url) == ENGINE_TABLES | INPUT_TABLES
    finally:
        await postgres.drop_database(name)


async def test_models_match_the_migration(database_url: str) -> None:
    """Autogenerate against the migrated database finds nothing to add: models == history."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from persistence.db import create_engine

    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn:
            diff = await conn.run_sync(
                lambda sync: compare_metadata(MigrationContext.configure(sync), Base.metadata)
            )
    finally:
        await engine.dispose()
    assert diff == []


async def test_db_commands_migrate_the_configured_database(
    database_url: str, tmp_path: Path
) -> None:
    """`mge db downgrade` / `mge db upgrade` as an operator runs them, on MGE_DATABASE_URL."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MGE_")}
    env.update(MGE_DATABASE_URL=database_url, MGE_DATA_DIR=str(tmp_path / ".mge"))

    def mge(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [MGE, "db", *args], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120
        )

    down = await asyncio.to_thread(mge, "downgrade")
    assert down.returncode == 0, down.stderr
    assert await _tables(database_url) == set()
    up = await asyncio.to_thread(mge, "upgrade")
    assert up.returncode == 0, up.stderr
    assert await _tables(database_url) == ENGINE_TABLES | INPUT_TABLES
    assert not (tmp_path / ".mge").exists(), "an external database needs no embedded one"
