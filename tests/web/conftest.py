"""Fixtures of the viewer tests: a runs root with the flagship comparison, a live server."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from shieldwall.web.app import Settings, create_app
from tests.io.records import flagship_compare_dir


@pytest.fixture(scope="module")
def runs_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("runs")
    shutil.copytree(flagship_compare_dir(tmp_path_factory.getbasetemp().parent), root / "flagship")
    return root


class LiveServer:
    """uvicorn serving the viewer on a free loopback port, in a thread."""

    def __init__(self, settings: Settings) -> None:
        import uvicorn

        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        sock.close()
        self.app = create_app(settings)
        self.server = uvicorn.Server(
            uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="error")
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 60
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)


@pytest.fixture(scope="module")
def live(runs_root: Path) -> Iterator[LiveServer]:
    settings = Settings(root=runs_root, max_body_bytes=64 * 1024, max_jobs=1, max_trials=400)
    with LiveServer(settings) as server:
        yield server
