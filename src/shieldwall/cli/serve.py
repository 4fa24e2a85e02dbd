"""``shieldwall serve``: the viewer — a Cesium globe replaying the runs under a runs folder."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from shieldwall.cli._common import err

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    """Add ``serve``."""

    @app.command(name="serve")
    def serve_cmd(
        root: Annotated[Path, typer.Option("--root", help="Runs folder to serve.")] = Path("runs"),
        host: Annotated[
            str, typer.Option("--host", help="Address to bind (loopback by default).")
        ] = "127.0.0.1",
        port: Annotated[int, typer.Option("--port", min=0, max=65535, help="TCP port.")] = 8765,
        max_upload_kb: Annotated[
            int, typer.Option("--max-upload-kb", min=1, help="Largest uploaded scenario.")
        ] = 512,
        max_trials: Annotated[
            int, typer.Option("--max-trials", min=1, help="Most trials per uploaded run.")
        ] = 5000,
        max_jobs: Annotated[
            int, typer.Option("--max-jobs", min=1, help="Most uploaded runs queued at once.")
        ] = 2,
    ) -> None:
        """Serve the viewer on http://HOST:PORT (Ctrl-C stops it).

        Replays runs in time on a globe (trajectories, radar tracks, interceptor flyouts,
        intercepts, leakers, coverage), lists the run database, shows the comparison charts
        and runs uploaded scenarios with the same validation as `shieldwall validate`.
        """
        import uvicorn

        from shieldwall.io.basemap import node_modules
        from shieldwall.web.app import Settings, create_app

        node_modules()  # the globe's files must be installed: a clear error now, not a blank page
        if host not in ("127.0.0.1", "localhost", "::1"):
            err.print(
                f"warning: serving on {host}: anyone who can reach it can run simulations here",
                markup=False,
            )
        settings = Settings(
            root=root,
            max_body_bytes=max_upload_kb * 1024,
            max_trials=max_trials,
            max_jobs=max_jobs,
        )
        err.print(f"shieldwall viewer on http://{host}:{port}/ (runs: {root})", markup=False)
        uvicorn.run(create_app(settings), host=host, port=port, log_level="warning")
