"""The viewer's HTTP API: what it serves, what it refuses (4xx, never a traceback), and that it
keeps serving afterwards."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from shieldwall.cli.main import main
from shieldwall.web.app import Settings
from tests.io.records import MINIMAL
from tests.web.conftest import LiveServer

BAD = "name: bad\nnations:\n  - {id: BLU, name: Blueland}\nsettings:\n  trials: -5\n"


@pytest.fixture(scope="module")
def client(live: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live.url, timeout=120) as http:
        yield http


def _alive(client: httpx.Client) -> None:
    assert client.get("/api/health").json()["ok"] is True


def test_pages_and_assets(client: httpx.Client) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert "/cesium/Cesium.js" in page.text
    assert client.get("/static/viewer.js").status_code == 200
    assert client.get("/cesium/Cesium.js").status_code == 200
    tms = client.get("/cesium/Assets/Textures/NaturalEarthII/tilemapresource.xml")
    assert tms.status_code == 200
    borders = client.get("/api/borders").json()
    assert len(borders["features"]) > 150


def test_runs_and_replay(client: httpx.Client) -> None:
    runs = client.get("/api/runs").json()
    assert [r["run_id"] for r in runs] == ["flagship"]
    info = client.get("/api/runs/flagship").json()
    assert info["policies"] == ["national", "cueing", "shared_tracks", "integrated"]
    doc = client.get("/api/runs/flagship/czml", params={"policy": "integrated", "trial": 3}).json()
    assert doc[0]["id"] == "document"
    assert "trial 3" in doc[0]["name"]
    png = client.get("/api/runs/flagship/charts/survival.png")
    assert png.status_code == 200
    assert png.content.startswith(b"\x89PNG")


@pytest.mark.parametrize(
    "path",
    [
        "/cesium/../../../pyproject.toml",
        "/cesium/%2e%2e/%2e%2e/%2e%2e/pyproject.toml",
        "/cesium/..%2f..%2f..%2fpyproject.toml",
        "/cesium//etc/passwd",
        "/cesium/Assets/../../../world-atlas/package.json",
        "/static/../app.py",
        "/static/app.py",
        "/static/%2e%2e%2fapp.py",
        "/api/runs/..%2f..%2fetc/czml",
        "/api/runs/%2e%2e/czml",
        "/api/runs/.hidden",
        "/api/runs/index.duckdb",
    ],
)
def test_no_path_traversal(client: httpx.Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404, (path, response.status_code, response.text[:200])
    assert "Traceback" not in response.text
    _alive(client)


def test_unknown_run_job_chart_policy_trial(client: httpx.Client) -> None:
    for path in (
        "/api/runs/nope",
        "/api/runs/nope/czml",
        "/api/jobs/nope",
        "/api/runs/flagship/charts/x.png",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "detail" in response.json()
    bad_policy = client.get("/api/runs/flagship/czml", params={"policy": "alone"})
    assert bad_policy.status_code == 400
    assert "its policies: national" in bad_policy.json()["detail"]
    bad_trial = client.get("/api/runs/flagship/czml", params={"trial": 99})
    assert bad_trial.status_code == 400
    assert "logs trials 0 to 19" in bad_trial.json()["detail"]
    assert client.get("/api/runs/flagship/czml", params={"trial": "x"}).status_code == 422
    _alive(client)


def test_oversize_bodies_are_refused(client: httpx.Client) -> None:
    big = json.dumps({"name": "x.yaml", "text": "#" * (70 * 1024)})
    response = client.post(
        "/api/validate", content=big, headers={"content-type": "application/json"}
    )
    assert response.status_code == 413

    def chunks():  # no Content-Length: counted as it arrives
        for _ in range(80):
            yield b" " * 1024

    response = client.post(
        "/api/validate", content=chunks(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    _alive(client)


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"[]",
        b'{"name": "x.yaml"}',
        b'{"text": 5}',
        b'{"text": "a", "bogus": 1}',
        b"\xff\xfe",
    ],
)
def test_malformed_json_is_a_422(client: httpx.Client, body: bytes) -> None:
    response = client.post(
        "/api/validate", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["detail"] == "malformed request"
    _alive(client)


def test_validation_messages_are_the_cli_s(
    client: httpx.Client, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = client.post("/api/validate", json={"name": "bad.yaml", "text": BAD}).json()
    assert result["ok"] is False
    texts = [p["text"] for p in result["problems"]]
    assert any(t.startswith("bad.yaml:5:") for t in texts), texts
    (tmp_path / "bad.yaml").write_text(BAD)
    assert main(["validate", str(tmp_path / "bad.yaml"), "--json"]) == 2
    cli = json.loads(capsys.readouterr().out)[0]["problems"]
    assert [p["message"] for p in result["problems"]] == [p["message"] for p in cli]
    good = client.post("/api/validate", json={"name": "m.yaml", "text": MINIMAL.read_text()}).json()
    assert good["ok"] is True
    # the uploaded name is reduced to a plain file name
    sneaky = client.post("/api/validate", json={"name": "../../etc/x.yaml", "text": BAD}).json()
    assert all(p["where"].startswith("x.yaml") for p in sneaky["problems"] if p["where"])


def test_jobs_run_uploaded_scenarios_within_bounds(client: httpx.Client) -> None:
    too_many = client.post("/api/jobs", json={"text": MINIMAL.read_text(), "trials": 401})
    assert too_many.status_code == 422
    assert "at most 400" in too_many.json()["detail"]
    first = client.post(
        "/api/jobs", json={"name": "mini.yaml", "text": MINIMAL.read_text(), "trials": 60}
    )
    assert first.status_code == 202
    second = client.post(
        "/api/jobs", json={"name": "mini.yaml", "text": MINIMAL.read_text(), "trials": 60}
    )
    assert second.status_code == 429  # one job at a time on this server
    job_id = first.json()["id"]
    deadline = time.monotonic() + 300
    while (job := client.get(f"/api/jobs/{job_id}").json())["status"] in ("queued", "running"):
        assert time.monotonic() < deadline
        time.sleep(0.2)
    assert job["status"] == "done", job
    assert job["run_id"] in [r["run_id"] for r in client.get("/api/runs").json()]
    assert client.get(f"/api/runs/{job['run_id']}/czml").status_code == 200
    failed = client.post("/api/jobs", json={"name": "bad.yaml", "text": BAD, "trials": 10}).json()
    while (failed := client.get(f"/api/jobs/{failed['id']}").json())["status"] in (
        "queued",
        "running",
    ):
        time.sleep(0.1)
    assert failed["status"] == "failed"
    assert failed["problems"][0]["text"].startswith("bad.yaml:")


def test_live_server_survives_garbage(runs_root: Path) -> None:
    with LiveServer(Settings(root=runs_root)) as server:
        for junk in (
            b"GARBAGE\r\n\r\n",
            b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\n\r\n",
            b"\x00\xff" * 100,
        ):
            with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
                sock.sendall(junk)
                sock.settimeout(10)
                try:
                    reply = sock.recv(200)
                except (TimeoutError, ConnectionResetError):
                    reply = b""
                assert not reply or reply.startswith(b"HTTP/1.1 4")
        for raw in ("/cesium/../../../pyproject.toml", "/static/../app.py", "/cesium/./../x"):
            with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
                sock.sendall(f"GET {raw} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
                assert sock.recv(12) == b"HTTP/1.1 404", raw  # the raw path, not normalised
        with httpx.Client(base_url=server.url, timeout=30) as http:
            assert http.get("/api/health").status_code == 200
            assert (
                http.post(
                    "/api/validate", content=b"{", headers={"content-type": "application/json"}
                ).status_code
                == 422
            )
            assert http.get("/api/runs").status_code == 200
