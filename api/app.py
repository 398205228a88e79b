"""The HTTP API (FastAPI). Errors of the domain hierarchy map to status codes here."""

from __future__ import annotations

import io
import tarfile
from typing import Any

import yaml
from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client

from api import services
from api.commands.graph import GraphFormat, render
from api.review_api import router as review_router
from api.review_page import router as review_page_router
from api.settings import Settings
from domain.errors import (
    ConflictError,
    InvalidInputError,
    MgeError,
    NotFoundError,
    PlanValidationError,
)
from domain.graph import GraphvizNotInstalledError
from domain.plan import plan_json_schema, validate_plan_data
from persistence import plans as plan_repo
from persistence.graphs import load_graph
from persistence.output import project_files
from workflows.ids import masterplan_workflow_id


def create_app(
    settings: Settings,
    *,
    sessions: async_sessionmaker[AsyncSession],
    client: Client,
) -> FastAPI:
    app = FastAPI(title="MGE", version="0.1.0", description="MasterPlan Generation Engine")
    app.state.settings = settings
    app.state.sessions = sessions
    app.state.client = client

    @app.exception_handler(PlanValidationError)
    async def _plan_invalid(_: Request, exc: PlanValidationError) -> JSONResponse:
        problems = [{"loc": p.location, "msg": p.message, "line": p.line} for p in exc.problems]
        return JSONResponse({"detail": problems}, status_code=422)

    @app.exception_handler(MgeError)
    async def _mge_error(_: Request, exc: MgeError) -> JSONResponse:
        status = 500
        if isinstance(exc, InvalidInputError):
            status = 422
        elif isinstance(exc, NotFoundError):
            status = 404
        elif isinstance(exc, ConflictError):
            status = 409
        return JSONResponse({"detail": str(exc)}, status_code=status)

    app.include_router(review_router)
    app.include_router(review_page_router)

    def get_sessions() -> async_sessionmaker[AsyncSession]:
        return sessions

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/api/v2/plan-schema")
    async def schema() -> dict[str, Any]:
        return plan_json_schema()

    @app.post("/api/v2/masterplans", status_code=201)
    async def create_plan(
        request: Request,
        provider: str | None = None,
        granularity: str = "atom",
        db: async_sessionmaker[AsyncSession] = Depends(get_sessions),
    ) -> dict[str, Any]:
        """Import a plan: a JSON body, or YAML with a YAML content type."""
        body = await request.body()
        content_type = request.headers.get("content-type", "")
        try:
            data = yaml.safe_load(body) if "yaml" in content_type else _json(body)
        except (yaml.YAMLError, ValueError) as exc:
            raise InvalidInputError(
                f"the body is not valid {'YAML' if 'yaml' in content_type else 'JSON'}: {exc}"
            ) from None
        spec = validate_plan_data(data)
        plan_id = await services.import_plan(db, spec, provider=provider, granularity=granularity)
        return {"id": str(plan_id), "name": spec.name, "tasks": len(spec.tasks())}

    @app.get("/api/v2/masterplans")
    async def list_plans(
        db: async_sessionmaker[AsyncSession] = Depends(get_sessions),
    ) -> list[dict[str, Any]]:
        async with db() as session:
            rows = await plan_repo.list_plans(session)
        return [
            {
                "id": str(p.id),
                "name": p.name,
                "status": str(p.status),
                "created_at": p.created_at.isoformat(),
            }
            for p in rows
        ]

    @app.get("/api/v2/masterplans/{masterplan_id}")
    async def get_plan(
        masterplan_id: str, db: async_sessionmaker[AsyncSession] = Depends(get_sessions)
    ) -> dict[str, Any]:
        view = await services.plan_progress(db, plan_repo.parse_id(masterplan_id))
        return {
            "id": view.masterplan_id,
            "name": view.name,
            "status": view.status,
            "reason": view.reason,
            "total_atoms": view.total_atoms,
            "total_waves": view.total_waves,
            "atoms_by_status": view.atoms_by_status,
            "done": view.done,
            "failed": view.failed,
            "cost_usd": view.cost_usd,
            "waves_done": view.waves_done,
            "running": view.running,
            "workflow_id": masterplan_workflow_id(view.masterplan_id),
        }

    @app.post("/api/v2/masterplans/{masterplan_id}/run", status_code=202)
    async def run_plan(
        masterplan_id: str, db: async_sessionmaker[AsyncSession] = Depends(get_sessions)
    ) -> dict[str, str]:
        handle = await services.start_run(
            client, db, plan_repo.parse_id(masterplan_id), settings.temporal.task_queue
        )
        return {"workflow_id": handle.id, "run_id": handle.result_run_id or ""}

    @app.post("/api/v2/masterplans/{masterplan_id}/cancel", status_code=202)
    async def cancel_plan(
        masterplan_id: str, db: async_sessionmaker[AsyncSession] = Depends(get_sessions)
    ) -> dict[str, str]:
        await services.cancel_run(client, db, plan_repo.parse_id(masterplan_id))
        return {"status": "cancelling"}

    @app.get("/api/v2/masterplans/{masterplan_id}/graph")
    async def plan_graph(
        masterplan_id: str,
        format: GraphFormat = GraphFormat.JSON,
        db: async_sessionmaker[AsyncSession] = Depends(get_sessions),
    ) -> Response:
        async with db() as session:
            plan = await plan_repo.get_plan(session, masterplan_id)
            graph = await load_graph(session, plan.id)
        if graph is None:
            raise NotFoundError(f"masterplan {masterplan_id} has no graph yet")
        try:
            body = render(graph, format)
        except GraphvizNotInstalledError as exc:
            return JSONResponse({"detail": str(exc)}, status_code=501)
        media = {
            GraphFormat.JSON: "application/json",
            GraphFormat.SVG: "image/svg+xml",
        }.get(format, "text/plain; charset=utf-8")
        return Response(body, media_type=media)

    @app.get("/api/v2/masterplans/{masterplan_id}/files")
    async def files(
        masterplan_id: str, db: async_sessionmaker[AsyncSession] = Depends(get_sessions)
    ) -> dict[str, Any]:
        async with db() as session:
            plan = await plan_repo.get_plan(session, masterplan_id)
            assembled = await project_files(session, plan.id)
        return {"files": [{"path": f.path, "sha256": f.sha256} for f in assembled]}

    @app.get("/api/v2/masterplans/{masterplan_id}/download")
    async def download(
        masterplan_id: str, db: async_sessionmaker[AsyncSession] = Depends(get_sessions)
    ) -> Response:
        async with db() as session:
            plan = await plan_repo.get_plan(session, masterplan_id)
            assembled = await project_files(session, plan.id)
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
            for f in assembled:
                data = f.content.encode("utf-8")
                info = tarfile.TarInfo(f"{plan.name}/{f.path}")
                info.size = len(data)
                archive.addfile(info, io.BytesIO(data))
        return Response(
            buffer.getvalue(),
            media_type="application/gzip",
            headers={"content-disposition": f'attachment; filename="{plan.name}.tar.gz"'},
        )

    return app


def _json(body: bytes) -> Any:
    import json

    return json.loads(body or b"null")
