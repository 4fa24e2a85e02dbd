"""``shieldwall serve``: a FastAPI application around a Cesium globe that replays runs.

Routes (every ``/api`` answer is JSON; every error a 4xx with a ``detail`` that says what was
wrong; the server keeps serving):

- ``GET /`` the viewer page; ``GET /static/{name}`` its own files (a fixed list);
- ``GET /cesium/{path}`` the CesiumJS build from npm (only files inside it);
- ``GET /api/borders`` Natural Earth country borders as GeoJSON lines (npm world-atlas);
- ``GET /api/runs`` the run database; ``GET /api/runs/{id}`` one run's provenance and metrics;
- ``GET /api/runs/{id}/czml?policy=&trial=`` one logged trial as CZML (trajectories in time,
  detections as radar tracks, interceptor flyouts, intercepts, leakers, coverage);
- ``GET /api/runs/{id}/charts/{policies|survival|study}.png`` the report's charts;
- ``POST /api/validate`` a scenario (JSON ``{"name", "text"}``): the problems ``shieldwall
  validate`` prints, with file:line:col;
- ``POST /api/jobs`` run an uploaded scenario (bounded trials and queue); ``GET /api/jobs/{id}``.

Security: binds to 127.0.0.1 unless told otherwise; request bodies are bounded (413); trials and
queued jobs are bounded (422, 429); only the viewer's own files, the Cesium build and run
records under the runs root are served (no path traversal: 404); malformed JSON is a 422.
The web layer reads runs only through :mod:`shieldwall.io` (an import-linter contract).
"""

from __future__ import annotations

import json
import re
import traceback
from collections import OrderedDict
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from shieldwall.errors import Problem, ShieldwallError
from shieldwall.io.basemap import country_rings, node_modules
from shieldwall.io.export import to_czml
from shieldwall.io.index import list_runs
from shieldwall.io.record import RunRecord
from shieldwall.io.run_folder import RUN_FILE, STUDY_FILE, read_folder
from shieldwall.io.scene import scene
from shieldwall.web.jobs import JobQueue, QueueFull

__all__ = ["Settings", "create_app"]

STATIC = Path(__file__).resolve().parent / "static"
#: The viewer's own files: the only ones ``/static`` serves.
STATIC_FILES = {"viewer.js": "text/javascript", "viewer.css": "text/css"}
_RUN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$")

ASGIApp = Callable[
    [MutableMapping[str, Any], Callable[[], Awaitable[Any]], Callable[[Any], Awaitable[None]]],
    Awaitable[None],
]


@dataclass(frozen=True, kw_only=True)
class Settings:
    """What ``shieldwall serve`` serves and its bounds.

    Parameters
    ----------
    root
        The runs root (run folders and ``index.duckdb``); uploaded scenarios run into it.
    modules
        ``node_modules`` holding cesium and world-atlas (found automatically when ``None``).
    max_body_bytes
        Largest request body (an uploaded scenario). [bytes]
    max_trials
        Most trials an uploaded scenario may ask for.
    max_jobs
        Most jobs queued or running at once.
    """

    root: Path
    modules: Path | None = None
    max_body_bytes: int = 512 * 1024
    max_trials: int = 5000
    max_jobs: int = 2


class Upload(BaseModel):
    """A scenario sent by the viewer."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field("upload.yaml", min_length=1, max_length=200)
    text: str = Field(min_length=1)


class JobRequest(Upload):
    """An uploaded scenario to run."""

    policy: str = Field("national", min_length=1, max_length=200)
    trials: int = Field(1000, ge=1)
    seed: int | None = Field(None, ge=0, le=2**63 - 1)


def _problem_json(p: Problem) -> dict[str, Any]:
    return {
        "where": p.where,
        "path": p.path,
        "message": p.message,
        "severity": p.severity,
        "line": p.line,
        "col": p.col,
        "text": str(p),
    }


class _BodyLimit:
    """ASGI middleware: a request body over ``limit`` bytes is refused with 413.

    A declared ``Content-Length`` over the limit is refused at once; otherwise the body is read
    (at most ``limit + 1`` bytes, so memory stays bounded) before the application sees it.
    """

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(
        self,
        scope: MutableMapping[str, Any],
        receive: Callable[[], Awaitable[Any]],
        send: Callable[[Any], Awaitable[None]],
    ) -> None:
        if scope["type"] != "http" or scope.get("method") in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        too_big = JSONResponse(
            {"detail": f"request body larger than {self.limit} bytes"}, status_code=413
        )
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await too_big(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break  # the client went away
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                await too_big(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        sent = False

        async def replay() -> Any:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


def _lines(scale: str, modules: Path | None) -> dict[str, Any]:
    """Country borders as a FeatureCollection of MultiLineStrings (light for the globe)."""
    feats = []
    for name, polys in country_rings(scale, modules):
        rings = [[[round(x, 4), round(y, 4)] for x, y in ring] for poly in polys for ring in poly]
        feats.append(
            {
                "type": "Feature",
                "properties": {"name": name},
                "geometry": {"type": "MultiLineString", "coordinates": rings},
            }
        )
    return {"type": "FeatureCollection", "features": feats}


def create_app(settings: Settings) -> FastAPI:
    """The viewer application for one runs root."""
    root = settings.root.resolve()
    root.mkdir(parents=True, exist_ok=True)
    app = FastAPI(title="shieldwall viewer", docs_url=None, redoc_url=None, openapi_url=None)
    jobs = JobQueue(root=root, max_jobs=settings.max_jobs)
    app.state.jobs = jobs
    records: OrderedDict[tuple[str, float], RunRecord] = OrderedDict()

    @cache
    def cesium_dir() -> Path:
        return (node_modules(settings.modules) / "cesium" / "Build" / "Cesium").resolve()

    def run_dir(run_id: str) -> Path:
        if not _RUN_ID.match(run_id):
            raise HTTPException(404, f"no run {run_id!r}")
        folder = root / run_id
        if folder.resolve().parent != root or not (
            (folder / RUN_FILE).is_file() or (folder / STUDY_FILE).is_file()
        ):
            raise HTTPException(404, f"no run {run_id!r} under the runs root")
        return folder

    def record_key(run_id: str) -> tuple[str, float]:
        folder = run_dir(run_id)
        marker = folder / (RUN_FILE if (folder / RUN_FILE).is_file() else STUDY_FILE)
        return run_id, marker.stat().st_mtime

    def record(run_id: str) -> RunRecord:
        key = record_key(run_id)
        folder = root / run_id
        if key not in records:
            records[key] = read_folder(folder)
            while len(records) > 16:
                records.popitem(last=False)
        return records[key]

    @app.exception_handler(ShieldwallError)
    async def _user_error(request: Request, exc: ShieldwallError) -> JSONResponse:
        return JSONResponse(
            {
                "detail": str(exc.args[0]) if exc.args else str(exc),
                "problems": [_problem_json(p) for p in exc.problems],
            },
            status_code=400,
        )

    @app.exception_handler(RequestValidationError)
    async def _bad_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"loc": list(e.get("loc", ())), "msg": str(e.get("msg", ""))} for e in exc.errors()
        ]
        return JSONResponse({"detail": "malformed request", "errors": errors}, status_code=422)

    @app.exception_handler(Exception)
    async def _internal(request: Request, exc: Exception) -> JSONResponse:  # pragma: no cover
        traceback.print_exception(exc)  # the server's own log; the client gets no traceback
        return JSONResponse({"detail": "internal error"}, status_code=500)

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(STATIC / "index.html", media_type="text/html")

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        return Response(status_code=204)

    @app.get("/static/{name}", include_in_schema=False)
    def static(name: str) -> FileResponse:
        if name not in STATIC_FILES:
            raise HTTPException(404, "no such file")
        return FileResponse(STATIC / name, media_type=STATIC_FILES[name])

    @app.get("/cesium/{path:path}", include_in_schema=False)
    def cesium(path: str) -> FileResponse:
        base = cesium_dir()
        if "\x00" in path or path.startswith("/") or "\\" in path:
            raise HTTPException(404, "no such file")
        target = (base / path).resolve()
        if not target.is_relative_to(base) or not target.is_file():
            raise HTTPException(404, "no such file")
        return FileResponse(target)

    @app.get("/api/health")
    def health() -> dict[str, Any]:
        return {"ok": True, "root": str(root)}

    @cache
    def borders(scale: str) -> bytes:
        return json.dumps(_lines(scale, settings.modules), separators=(",", ":")).encode()

    @app.get("/api/borders")
    def borders_route(scale: str = Query("110m", pattern="^(110m|50m)$")) -> Response:
        return Response(borders(scale), media_type="application/geo+json")

    @app.get("/api/runs")
    def runs(limit: int = Query(200, ge=1, le=10_000)) -> Response:
        frame = list_runs(root, limit=limit)
        text = frame.to_json(orient="records", date_format="iso", default_handler=str)
        return Response(text, media_type="application/json")

    @app.get("/api/runs/{run_id}")
    def run_info(run_id: str) -> dict[str, Any]:
        rec = record(run_id)
        keep = (
            "kind",
            "scenario",
            "phase",
            "policies",
            "baseline",
            "trials",
            "seed",
            "event_trials",
            "metrics",
            "created_utc",
            "study",
        )
        return {"run_id": run_id, **{k: rec.info.get(k) for k in keep}}

    replays: OrderedDict[tuple[tuple[str, float], str | None, int], bytes] = OrderedDict()

    @app.get("/api/runs/{run_id}/czml")
    def czml(run_id: str, policy: str | None = None, trial: int = Query(0, ge=0)) -> Response:
        rec = record(run_id)
        if rec.kind == "study":
            raise HTTPException(404, "a study folder has no replay; open one of its runs")
        key = (record_key(run_id), policy, trial)
        if key not in replays:
            doc = to_czml(scene(rec, policy=policy, trial=trial))
            replays[key] = json.dumps(doc, separators=(",", ":")).encode()
            while len(replays) > 32:
                replays.popitem(last=False)
        return Response(replays[key], media_type="application/json")

    @app.get("/api/runs/{run_id}/charts/{name}.png")
    def chart(run_id: str, name: str) -> Response:
        from shieldwall.report.figures import png, policy_chart, study_chart, survival_chart

        rec = record(run_id)
        fig = None
        if name == "policies" and rec.kind != "study":
            fig = policy_chart(rec.table("metrics"), rec.policies)
        elif name == "survival" and rec.kind != "study":
            fig = survival_chart(rec.table("asset_outcomes"), rec.policies)
        elif name == "study" and rec.kind == "study":
            fig = study_chart(rec.table("results"))
        if fig is None:
            raise HTTPException(404, f"no chart {name!r} for this run")
        return Response(png(fig, dpi=110), media_type="image/png")

    @app.post("/api/validate")
    def validate(upload: Upload) -> dict[str, Any]:
        ok, problems = jobs.validate(upload.name, upload.text)
        return {"ok": ok, "problems": [_problem_json(p) for p in problems]}

    @app.post("/api/jobs", status_code=202)
    def submit(req: JobRequest) -> dict[str, Any]:
        if req.trials > settings.max_trials:
            raise HTTPException(
                422, f"trials: at most {settings.max_trials} per run on this server"
            )
        try:
            job = jobs.submit(req.name, req.text, req.policy, req.trials, req.seed)
        except QueueFull as exc:
            raise HTTPException(429, str(exc)) from None
        return job.as_dict()

    @app.get("/api/jobs")
    def job_list() -> list[dict[str, Any]]:
        return [j.as_dict() for j in jobs.all()]

    @app.get("/api/jobs/{job_id}")
    def job(job_id: str) -> dict[str, Any]:
        found = jobs.get(job_id)
        if found is None:
            raise HTTPException(404, f"no job {job_id!r}")
        return found.as_dict()

    app.add_middleware(_BodyLimit, limit=settings.max_body_bytes)
    return app
