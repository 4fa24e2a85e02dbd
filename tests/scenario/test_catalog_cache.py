"""Validated-catalog cache: same entries as the full load, falls back on any trouble."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from shieldwall.scenario.catalog import KINDS, CatalogEntry, cache, loader


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    return tmp_path / "shieldwall"


def _no_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args: object, **kwargs: object) -> list[CatalogEntry]:
        raise AssertionError("the cache should have answered")

    monkeypatch.setattr(loader, "read_catalog_file", fail)


def test_cache_gives_the_entries_of_the_full_load(
    cache_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    full = loader._shipped_entries(KINDS, use_cache=False)
    assert not cache_home.exists()
    first = loader._shipped_entries(KINDS)  # validates and writes the cache
    assert len(list(cache_home.glob("catalog-*.json"))) == 1
    _no_parsing(monkeypatch)
    cached = loader._shipped_entries(KINDS)
    assert first == full
    assert cached == full
    assert [type(p.value) for e in cached for p in e.params.values()] == [
        type(p.value) for e in full for p in e.params.values()
    ]


def test_one_kind_has_its_own_cache_file(cache_home: Path) -> None:
    missiles = loader._shipped_entries(["missile"])
    assert {e.kind for e in missiles} == {"missile"}
    assert loader._shipped_entries(["missile"]) == missiles
    loader._shipped_entries(KINDS)
    assert len(list(cache_home.glob("catalog-*.json"))) == 2


@pytest.mark.parametrize(
    "content",
    [
        "",
        "{not json",
        '{"key": "x", "entries": []}',
        "[1, 2]",
        None,  # valid JSON with the right key but a broken entry
    ],
)
def test_corrupt_cache_falls_back_to_the_full_load(
    cache_home: Path, monkeypatch: pytest.MonkeyPatch, content: str | None
) -> None:
    full = loader._shipped_entries(["missile"], use_cache=False)
    loader._shipped_entries(["missile"])
    (path,) = cache_home.glob("catalog-*.json")
    if content is None:
        doc = json.loads(path.read_text("utf-8"))
        doc["entries"][0]["params"]["max_range_km"]["value"] = [1, 2]
        content = json.dumps(doc)
    path.write_text(content, "utf-8")
    assert loader._shipped_entries(["missile"]) == full
    # ... and the full load rewrote a good cache
    _no_parsing(monkeypatch)
    assert loader._shipped_entries(["missile"]) == full


def test_unwritable_cache_dir_is_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the cache directory would be", "utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    full = loader._shipped_entries(["radar"], use_cache=False)
    assert loader._shipped_entries(["radar"]) == full
    assert not cache.write_cache("k" * 64, full)
    assert cache.read_cache("k" * 64) is None
    assert list(tmp_path.iterdir()) == [blocker]


def test_cache_key_changes_with_any_text_name_or_version() -> None:
    texts = {"missiles.yaml": "kind: missile\n", "radars.yaml": "kind: radar\n"}
    key = cache.cache_key(texts, "1.0")
    assert key == cache.cache_key(dict(reversed(texts.items())), "1.0")
    assert key != cache.cache_key({**texts, "radars.yaml": "kind: radar \n"}, "1.0")
    assert key != cache.cache_key({"missiles.yaml": texts["missiles.yaml"]}, "1.0")
    assert key != cache.cache_key(
        {"missiles.yam": "lkind: missile\n", "radars.yaml": "kind: radar\n"}, "1.0"
    )
    assert key != cache.cache_key(texts, "1.1")


def test_cache_is_keyed_by_the_shipped_texts(
    cache_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    loader._shipped_entries(["satellite"])
    seen: list[str] = []
    real_read = cache.read_cache

    def spy(key: str, **kwargs: Any) -> list[CatalogEntry] | None:
        seen.append(key)
        return real_read(key, **kwargs)

    monkeypatch.setattr(cache, "read_cache", spy)
    loader._shipped_entries(["satellite"])
    (path,) = cache_home.glob("catalog-*.json")
    assert path.name == f"catalog-satellites-{seen[0][:40]}.json"
    assert json.loads(path.read_text("utf-8"))["key"] == seen[0]


def test_a_cached_load_imports_neither_yaml_nor_pydantic(cache_home: Path) -> None:
    code = (
        "import sys\n"
        "from shieldwall.scenario.catalog import load_catalog\n"
        "assert load_catalog(kind='missile').get('missile', 'Nodong').name == 'Nodong'\n"
        "print(sorted(m for m in ('pydantic', 'ruamel.yaml') if m in sys.modules))\n"
    )
    env = {**os.environ, "XDG_CACHE_HOME": str(cache_home.parent)}
    runs = [
        subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        ).stdout.strip()
        for _ in range(2)
    ]
    assert runs == ["['pydantic', 'ruamel.yaml']", "[]"]


def test_changed_validation_code_misses_the_cache(
    cache_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code = cache.code_texts()
    assert code is not None
    assert set(code) == {f"code/{m}" for m in ("keys.py", "loader.py", "model.py", "cache.py")}
    loader._shipped_entries(["radar"])
    loader._shipped_entries(["satellite"])
    edited = {**code, "code/keys.py": code["code/keys.py"] + "\n# a tightened check\n"}
    monkeypatch.setattr(cache, "code_texts", lambda: edited)
    calls: list[str] = []
    real = loader.read_catalog_file

    def counting(path: str | Path, *, text: str | None = None) -> list[CatalogEntry]:
        calls.append(str(path))
        return real(path, text=text)

    monkeypatch.setattr(loader, "read_catalog_file", counting)
    loader._shipped_entries(["radar"])
    assert len(calls) == 1
    # the new file replaced the old one of the same files; other files' caches stay
    names = sorted(p.name.split("-")[1] for p in cache_home.glob("catalog-*.json"))
    assert names == ["radars", "satellites"]


def test_unreadable_validation_code_disables_the_cache(
    cache_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cache, "code_texts", lambda: None)
    full = loader._shipped_entries(["radar"], use_cache=False)
    assert loader._shipped_entries(["radar"]) == full
    assert not cache_home.exists()
