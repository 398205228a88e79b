"""The generated project as files, read from the atoms (the single source of output)."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.assembly import AssembledFile, AtomPiece, assemble_files
from domain.status import AtomStatus
from persistence.models import AtomicUnit, Task


async def project_files(
    session: AsyncSession, masterplan_id: uuid.UUID, *, include_tests: bool = True
) -> list[AssembledFile]:
    """Each task's file from its atoms (generated code, else the spec it came from), plus
    the plan's test files."""
    rows = await session.execute(
        select(
            AtomicUnit.file_path,
            AtomicUnit.ordinal,
            AtomicUnit.status,
            AtomicUnit.generated_code,
            AtomicUnit.spec_code,
        ).where(AtomicUnit.masterplan_id == masterplan_id)
    )
    files = assemble_files(
        AtomPiece(path, ordinal, shipped_code(status, generated, spec))
        for path, ordinal, status, generated, spec in rows.all()
    )
    if include_tests:
        tests = await session.execute(
            select(Task.test_file, Task.key, Task.tests, Task.language).where(
                Task.masterplan_id == masterplan_id, Task.tests.is_not(None)
            )
        )
        taken = {f.path for f in files}
        for test_file, key, text, language in tests.all():
            path = test_file or default_test_path(key, language)
            if path not in taken:
                files.append(AssembledFile(path, text or ""))
                taken.add(path)
        files.sort(key=lambda f: f.path)
    return files


def shipped_code(status: AtomStatus | str, generated: str | None, spec: str) -> str:
    """The code an atom puts in the output. A rejected atom ships its spec, as an atom never
    generated does: the reviewer refused the generated code (which stays on the atom, for the
    record and the review page)."""
    if generated is None or status == AtomStatus.REJECTED:
        return spec
    return generated


def default_test_path(key: str, language: str) -> str:
    if language == "python":
        return f"tests/test_{key.replace('-', '_')}.py"
    suffix = "ts" if language == "typescript" else "js"
    return f"tests/{key}.test.{suffix}"
