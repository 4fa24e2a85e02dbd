"""The viewer in a real browser (Playwright driving Debian's chromium): the globe shows its
imagery, a run replays (entities present at a given time), a bad upload shows file:line."""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from matplotlib.image import imread

from tests.web.conftest import LiveServer

CHROMIUM = "/usr/bin/chromium"
#: Chromium flags for a headless run here: no sandbox (root in a container), software WebGL
#: (SwiftShader) and nothing that phones home.
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
#: Generous waits: a loaded 2-core machine renders WebGL in software. [ms]
WAIT_MS = 180_000

if not Path(CHROMIUM).exists():
    if os.environ.get("SHIELDWALL_REQUIRE_BROWSER"):
        raise RuntimeError(f"{CHROMIUM} is missing; ./dev setup installs Debian's chromium")
    pytest.skip(f"{CHROMIUM} missing (./dev setup installs it)", allow_module_level=True)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(profile),
            executable_path=CHROMIUM,
            args=FLAGS,
            headless=True,
            viewport={"width": 1280, "height": 800},
        )
        yield context
        context.close()


@pytest.fixture(scope="module")
def replay(browser: Any, live: LiveServer) -> Any:
    page = browser.new_page()
    t0 = time.monotonic()
    page.goto(f"{live.url}/?run=flagship")
    page.wait_for_function("window.shieldwall && window.shieldwall.loaded", timeout=WAIT_MS)
    loaded_s = time.monotonic() - t0
    page.wait_for_function("window.shieldwall.imageryReady", timeout=WAIT_MS)
    page.loaded_s = loaded_s  # type: ignore[attr-defined]
    return page


def test_globe_renders_with_imagery(replay: Any, tmp_path: Path, record_property: Any) -> None:
    record_property("viewer_flagship_replay_load_s", replay.loaded_s)
    shot = tmp_path / "globe.png"
    replay.locator("#globe canvas").first.screenshot(path=str(shot))
    img = imread(shot)[..., :3]
    r, g, b = img[..., 0], img[..., 1], img[..., 2]
    sea = (b > r + 0.08) & (b > 0.25)  # Natural Earth II oceans
    land = (g > b + 0.02) & (g > 0.25)  # and its green-brown land
    assert sea.mean() > 0.10, sea.mean()
    assert land.mean() > 0.03, land.mean()
    assert img.std() > 0.05  # an image, not a flat colour


def _available(doc: list[dict[str, Any]], when: dt.datetime) -> dict[str, int]:
    counts: dict[str, int] = {}
    for packet in doc[1:]:
        span = packet.get("availability")
        if span:
            a, b = (dt.datetime.fromisoformat(x.replace("Z", "+00:00")) for x in span.split("/"))
            if not a <= when <= b:
                continue
        kind = packet["id"].split("/")[0]
        counts[kind] = counts.get(kind, 0) + 1
    return counts


def test_a_run_replays(replay: Any, live: LiveServer) -> None:
    doc = httpx.get(
        f"{live.url}/api/runs/flagship/czml", params={"policy": "national", "trial": 0}, timeout=120
    ).json()
    flyouts = [p for p in doc if p["id"].startswith("flyout/")]
    start = dt.datetime.fromisoformat(
        flyouts[0]["availability"].split("/")[0].replace("Z", "+00:00")
    )
    # an interceptor is in the air; whole seconds, as the page is given them (launch times are
    # jittered, so availability bounds have fractions of a second)
    when = (start + dt.timedelta(seconds=5)).replace(microsecond=0)
    iso = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    counts = replay.evaluate(f"window.shieldwall.countAt('{iso}')")
    expected = _available(doc, when)
    assert counts == expected
    assert counts["threat"] > 0
    assert counts["flyout"] > 0
    assert counts["asset"] == 11
    # another trial and policy load on request
    replay.select_option("#policy", "integrated")
    replay.wait_for_function(
        "window.shieldwall.loaded === 'flagship|integrated|0'", timeout=WAIT_MS
    )
    doc = httpx.get(
        f"{live.url}/api/runs/flagship/czml",
        params={"policy": "integrated", "trial": 0},
        timeout=120,
    ).json()
    assert replay.evaluate(f"window.shieldwall.countAt('{iso}')") == _available(doc, when)


def test_bad_upload_shows_file_line(replay: Any, tmp_path: Path) -> None:
    bad = tmp_path / "broken.yaml"
    bad.write_text(
        "name: broken\nnations:\n  - {id: BLU, name: Blueland}\nsettings:\n  trials: -5\n"
    )
    replay.set_input_files("#file", str(bad))
    replay.click("#validate")
    replay.wait_for_function(
        "document.getElementById('problems').textContent.includes('broken.yaml:5:')",
        timeout=WAIT_MS,
    )
    text = replay.text_content("#problems")
    assert "trials" in text
