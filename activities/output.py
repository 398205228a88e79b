"""Output stages: validation of the assembled files (levels 2 to 4) and writing the project."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio import activity

from activities import contracts as c
from activities.config import ActivityConfig
from activities.errors import permanent_errors_fail_fast
from domain.assembly import AssembledFile, manifest
from domain.status import PlanStatus
from persistence import plans as plan_repo
from persistence.models import MasterPlan
from persistence.output import project_files


def write_files(files: list[AssembledFile], target: Path) -> str:
    """Write files and manifest.json into `target`, each file replaced atomically; files
    already there that the project does not name are left alone (it may be the user's dir)."""
    target.mkdir(parents=True, exist_ok=True)
    document = json.dumps(manifest(files), indent=2, sort_keys=True) + "\n"
    for path, data in [(f.path, f.content.encode("utf-8")) for f in files] + [
        ("manifest.json", document.encode())
    ]:
        destination = target / path
        destination.parent.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(prefix=".mge-", dir=destination.parent)
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temp, destination)
    return hashlib.sha256(document.encode()).hexdigest()


def write_project(files: list[AssembledFile], target: Path) -> str:
    """Write the project into `target`, replacing it whole; returns the manifest hash.
    Built in a sibling temp dir and renamed, so a crash leaves no half-written project."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        digest = write_files(files, staging)
        if target.exists():
            shutil.rmtree(target)
        os.replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return digest


class OutputActivities:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], config: ActivityConfig) -> None:
        self._sessions = sessions
        self._config = config

    @activity.defn(name=c.ASSEMBLE_OUTPUT)
    @permanent_errors_fail_fast
    async def assemble_output(self, ref: c.PlanRef) -> c.AssembleResult:
        plan_id = plan_repo.parse_id(ref.masterplan_id)
        async with self._sessions() as session:
            files = await project_files(session, plan_id)
        target = self._config.output_root / str(plan_id)
        digest = write_project(files, target)
        async with self._sessions.begin() as session:
            await session.execute(
                update(MasterPlan)
                .where(MasterPlan.id == plan_id)
                .values(status=PlanStatus.ASSEMBLING)
            )
        return c.AssembleResult(files=len(files), output_dir=str(target), manifest_sha256=digest)
