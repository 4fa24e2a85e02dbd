"""Benchmark: how fast the flagship replay loads in the viewer, against a static CZML file.

Writes the flagship comparison (four policies, ``--trials`` trials) as a run folder, serves it
with ``shieldwall serve``'s application (uvicorn, loopback) and opens the viewer in Debian's
chromium (Playwright, software WebGL). Prints

- the time from opening ``/?run=flagship`` to the replay being on the globe (page, CesiumJS,
  the run list, the CZML made by the server, the camera flight);
- per trial, the time to switch the globe to another logged trial through the viewer (the server
  builds that trial's CZML from the run folder, the browser parses and adds it);
- the same for the strongest straightforward alternative: the same trial exported beforehand
  with ``shieldwall export`` and loaded as a static CZML file into the same globe.

The last line is the ratio of the viewer's path to the static file's (1 = no overhead)::

    ratio_vs_static_czml=<x>

Usage: ``uv run python benchmarks/bench_viewer.py [--trials N] [--replays K]``
"""

from __future__ import annotations

import argparse
import socket
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import uvicorn
from playwright.sync_api import Route, sync_playwright

from shieldwall.io.export import render
from shieldwall.io.record import record_comparison
from shieldwall.io.run_folder import read_run, write_record
from shieldwall.io.scene import scene
from shieldwall.scenario import compile_world, load_scenario
from shieldwall.studies.compare import compare
from shieldwall.web.app import Settings, create_app

FLAGSHIP = Path(__file__).resolve().parents[1] / "examples" / "korea_japan.yaml"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--enable-unsafe-swiftshader",
]

_LOAD_STATIC = """async (url) => {
  const t0 = performance.now();
  const viewer = window.shieldwall.viewer;
  const source = await Cesium.CzmlDataSource.load(url);
  if (window.shieldwall.source) viewer.dataSources.remove(window.shieldwall.source, true);
  await viewer.dataSources.add(source);
  window.shieldwall.source = source;
  await viewer.zoomTo(source);
  viewer.scene.requestRender();
  return performance.now() - t0;
}"""

_LOAD_VIEWER = """async ([policy, trial]) => {
  document.getElementById('policy').value = policy;
  document.getElementById('trial').value = String(trial);
  await window.shieldwall.loadReplay();
  return window.shieldwall.replayMs;
}"""


def _serve(data: bytes) -> Callable[[Route], None]:
    """A Playwright route handler answering with ``data`` (a static CZML file)."""
    return lambda route: route.fulfill(body=data, content_type="application/json")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=2000)
    parser.add_argument("--replays", type=int, default=5, help="trials switched to")
    args = parser.parse_args()
    scenario = load_scenario(FLAGSHIP)
    comparison = compare(compile_world(scenario), trials=args.trials)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "runs"
        folder = write_record(record_comparison(comparison, scenario=scenario), root / "flagship")
        record = read_run(folder)
        policy = record.policies[-1]
        static = {
            k: render(scene(record, policy=policy, trial=k), "czml")
            for k in range(1, args.replays + 1)
        }
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        sock.close()
        server = uvicorn.Server(
            uvicorn.Config(create_app(Settings(root=root)), port=port, log_level="error")
        )
        threading.Thread(target=server.run, daemon=True).start()
        while not server.started:
            time.sleep(0.02)
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
                page = browser.new_page(viewport={"width": 1280, "height": 800})
                for k, data in static.items():
                    page.route(f"**/bench/{k}.czml", _serve(data))
                t0 = time.perf_counter()
                page.goto(f"http://127.0.0.1:{port}/?run=flagship")
                page.wait_for_function(
                    "window.shieldwall && window.shieldwall.loaded", timeout=300_000
                )
                first_s = time.perf_counter() - t0
                print(f"flagship replay on the globe after opening the viewer: {first_s:.2f} s")
                ours, theirs = [], []
                for k in static:
                    ours.append(page.evaluate(_LOAD_VIEWER, [policy, k]) / 1e3)
                    theirs.append(page.evaluate(_LOAD_STATIC, f"/bench/{k}.czml") / 1e3)
                    print(f"trial {k}: viewer {ours[-1]:.2f} s, static CZML {theirs[-1]:.2f} s")
                browser.close()
        finally:
            server.should_exit = True
    mean_ours, mean_static = sum(ours) / len(ours), sum(theirs) / len(theirs)
    print(
        f"switching trial: viewer {mean_ours:.2f} s, static CZML {mean_static:.2f} s "
        f"(mean of {len(ours)})"
    )
    print(f"ratio_vs_static_czml={mean_ours / mean_static:.2f}")


if __name__ == "__main__":
    main()
