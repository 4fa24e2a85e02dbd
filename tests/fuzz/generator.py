"""Mutated scenarios for the fuzz suite: one deterministic case per (seed, index).

A case starts from one of the shipped examples (``examples/*.yaml``) and applies one to three
mutations of a family chosen at random:

- ``structure``: delete, empty, wrap or replace a mapping/list, duplicate a list item, add an
  unknown or misspelt key, truncate the file;
- ``types``: a scalar replaced by another type (numeric strings, hex, bool, null, list, map);
- ``extremes``: numbers at and beyond their bounds (0, -1, 1e-308, 1e308, NaN, ±inf, 2**64,
  10,000 missiles, latitudes ±90.0000001, longitudes 540);
- ``unicode``: markup (``[/b]``, ``:100:``), right-to-left and zero-width characters, emoji,
  combining marks, lone surrogates (a file that is not UTF-8), very long strings, odd file names;
- ``yaml``: anchors and aliases, merge keys, tags (``!!omap``, ``!!set``, ``!!python/object``,
  ``!custom``), several documents, flow style, complex and non-string keys, duplicate keys, BOM,
  CRLF, tabs, alias bombs, deep nesting, the whole file as JSON;
- ``references``: ids and catalog names replaced by unknown ones, another kind's, other case,
  with blanks; duplicate ids;
- ``geometry``: sites at the poles and the antimeridian, zero-range and out-of-reach aims,
  inverted, empty and globe-sized launch boxes, degenerate polygons;
- ``cli``: the ``run`` step with another phase, policy or solver (the scenario's own included).

``generate(index, seed)`` is a pure function of its arguments and the example files, so a
failure is reproduced by its index alone (``python -m tests.fuzz --show INDEX``).
"""

from __future__ import annotations

import copy
import json
import math
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from tests.fuzz.emit import Anchored, Merge, Raw, emit, plain

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = tuple(sorted((ROOT / "examples").glob("*.yaml")))

#: Seed and bases of the cases ``./dev test`` runs (tests/fuzz/test_fuzz.py): mostly the small
#: example, so that the budget stays small.
CI_SEED = 20_260_101


def ci_bases() -> tuple[Path, ...]:
    """The small example 24 times, then every example once (their shares of the CI cases: the
    large examples take seconds to validate and run, the small one a few tenths)."""
    minimal = [p for p in EXAMPLES if p.name == "minimal.yaml"]
    return (*(minimal * 24), *EXAMPLES)


FAMILIES = ("structure", "types", "extremes", "unicode", "yaml", "references", "geometry", "cli")

Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class Case:
    """One fuzz case: the text of a scenario file, its file name and the ``run`` arguments."""

    index: int
    base: str
    family: str
    mutations: tuple[str, ...]
    text: str
    file_name: str = "scenario.yaml"
    run_args: tuple[str, ...] = ()
    #: The text has lone surrogates: the file is written with surrogatepass (not UTF-8).
    binary: bool = False

    def describe(self) -> str:
        return f"case {self.index} ({self.base}, {self.family}): " + "; ".join(self.mutations)


# -- walking the document -------------------------------------------------------------------------


def paths(data: Any, prefix: Path_ = ()) -> Iterator[tuple[Path_, Any]]:
    """Every (path, value) in the document, containers before their contents."""
    yield prefix, data
    if isinstance(data, dict):
        for key, value in data.items():
            yield from paths(value, (*prefix, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from paths(value, (*prefix, i))


def dotted(path: Path_) -> str:
    return ".".join(str(p) for p in path)


def get(data: Any, path: Path_) -> Any:
    for part in path:
        data = data[part]
    return data


def put(data: Any, path: Path_, value: Any) -> None:
    get(data, path[:-1])[path[-1]] = value


def delete(data: Any, path: Path_) -> None:
    del get(data, path[:-1])[path[-1]]


# -- values ---------------------------------------------------------------------------------------

# fmt: off
EXTREME_NUMBERS: tuple[Any, ...] = (
    0, -1, -0.0, 1, 1e-308, 5e-324, 1e-100, -1e-100, 1e100, 1e308, -1e308, math.nan, math.inf,
    -math.inf, 2**31, 2**63 - 1, 2**63, 2**64, 10**30, -(2**63), 1e15, 0.5, 1.5, 99999, 1e-6,
)
HEAVY_NUMBERS: tuple[Any, ...] = (10_000, 1_000_000, 10_000_000, 9999, 1000)
ANGLES: tuple[float, ...] = (
    90.0, -90.0, 90.0000001, -90.0000001, 180.0, -180.0, 180.0000001, 540.0, -720.0, 0.0, 1e-9,
)
MARKUP = (
    "[/b]", "Plan [/b] B", "[bold red]loud", ":100:", "[link=file:///etc/passwd]x[/link]",
    "[/]", "\\[x]", "[", "]", "%s %d {0} {name}", "$(rm -rf /)", "<script>alert(1)</script>",
)
UNICODE = (
    "\u202eKOR", "K\u200bOR", "🚀🛰", "e\u0301", "Ωμέγα", "日本", "کره", "\u00a0KOR\u00a0",
    "\ufeffBOM", "a\tb", "line\nbreak", "\\", "'quote", '"dq"', " KOR ", "kor", "\x7f",
    "\u2028sep", "𝕂𝕆ℝ",
)
SURROGATE = "bad\ud800surrogate"
TYPE_SWAPS: tuple[Any, ...] = (
    "12", "twelve", "1e3", "0x1F", "1_000", "", " ", True, False, None, [], {}, [1, 2],
    {"value": 1}, 2.5, -3, "nan", "inf", "2026-01-01", Raw("0o17"), Raw("1:30"), Raw("017"),
    Raw("0x1F"), Raw("yes"), Raw("~"), Raw(".NaN"), Raw("1e400"),
)
TAGS = (
    "!!omap [{a: 1}, {b: 2}]", "!!set {a, b}", "!!binary aGVsbG8=", "!!python/object:os.system",
    "!!python/name:os.system", "!custom 5", "!!str 5", '!!int "12"', "!!float 1", "!!null ''",
    "!!timestamp 2026-01-01", "!!bool yes", "!<tag:yaml.org,2002:str> x", "!!map {a: 1}",
    "!!seq [1]", "!!pairs [{a: 1}]",
)
# fmt: on


def _file_name(rng: random.Random) -> str:
    return rng.choice(
        [
            "scénario [bold] 🚀.yaml",
            "plan [b] :100:.yaml",
            "x" * 300 + ".yaml",  # longer than a file name may be (ENAMETOOLONG)
            "with space.yaml",
            "-starts-with-dash.yaml",
            ".hidden.yaml",
            "no_extension",
            "a.yml",
            "日本語.yaml",
            "semi;colon&amp.yaml",
        ]
    )


# -- mutations ------------------------------------------------------------------------------------


@dataclass
class Draft:
    """What a mutation can change besides the data: text rewrites, the file name, run args."""

    data: Any
    heavy: bool
    text_ops: list[Callable[[str], str]] = field(default_factory=list)
    file_name: str = "scenario.yaml"
    run_args: list[str] = field(default_factory=list)
    binary: bool = False


def _pick(rng: random.Random, data: Any, pred: Callable[[Path_, Any], bool]) -> Path_ | None:
    found = [p for p, v in paths(data) if p and pred(p, v)]
    return rng.choice(found) if found else None


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def m_structure(rng: random.Random, d: Draft) -> str:
    data = d.data
    op = rng.choice(
        [
            "delete",
            "delete",
            "empty",
            "wrap",
            "scalar",
            "dup_item",
            "unknown_key",
            "typo_key",
            "truncate",
            "swap",
            "nest",
            "top_scalar",
        ]
    )
    if op == "truncate":
        cut = rng.random()
        d.text_ops.append(lambda t: t[: int(len(t) * cut)])
        return f"truncated at {cut:.0%}"
    if op == "top_scalar":
        d.data = rng.choice([[], "just text", 5, None, [data]])
        return f"document replaced by {type(d.data).__name__}"
    path = _pick(rng, data, lambda p, v: True)
    if path is None:
        return "nothing to mutate"
    value = get(data, path)
    if op == "delete":
        delete(data, path)
        return f"deleted {dotted(path)}"
    if op == "empty":
        put(data, path, rng.choice([{}, [], None, ""]))
        return f"emptied {dotted(path)}"
    if op == "wrap":
        put(data, path, [value])
        return f"wrapped {dotted(path)} in a list"
    if op == "scalar":
        put(data, path, rng.choice(["x", 1, None]))
        return f"{dotted(path)} replaced by a scalar"
    if op == "nest":
        put(data, path, {"value": value})
        return f"{dotted(path)} nested under 'value'"
    if op == "dup_item":
        lst = _pick(rng, data, lambda p, v: isinstance(v, list) and bool(v))
        if lst is None:
            return "no list"
        items = get(data, lst)
        items.append(copy.deepcopy(rng.choice(items)))
        return f"duplicated an item of {dotted(lst)}"
    if op == "swap":
        parent = _pick(rng, data, lambda p, v: isinstance(v, dict) and len(v) >= 2)
        if parent is None:
            return "no mapping"
        m = get(data, parent)
        a, b = rng.sample(list(m), 2)
        m[a], m[b] = m[b], m[a]
        return f"swapped {dotted((*parent, a))} and {b}"
    parent = _pick(rng, data, lambda p, v: isinstance(v, dict) and bool(v))
    if parent is None:
        return "no mapping"
    m = get(data, parent)
    if op == "unknown_key":
        m[rng.choice(["bogus", "extra_field", "__class__", "$ref", "id "])] = 1
        return f"unknown key under {dotted(parent)}"
    key = rng.choice(list(m))
    typo = str(key)[:-1] if len(str(key)) > 1 and rng.random() < 0.5 else str(key) + "s"
    m[typo] = m.pop(key)
    return f"renamed {dotted((*parent, key))} to {typo!r}"


def m_types(rng: random.Random, d: Draft) -> str:
    path = _pick(rng, d.data, lambda p, v: not isinstance(v, dict | list))
    if path is None:
        return "no scalar"
    new = rng.choice(TYPE_SWAPS)
    put(d.data, path, copy.deepcopy(new))
    return f"{dotted(path)} = {new!r}"


def m_extremes(rng: random.Random, d: Draft) -> str:
    path = _pick(rng, d.data, lambda p, v: _is_number(v))
    if path is None:
        return "no number"
    name = str(path[-1])
    old = get(d.data, path)
    pool: list[Any] = list(EXTREME_NUMBERS)
    if d.heavy:
        pool += HEAVY_NUMBERS
    if name.endswith(("lat_deg", "lon_deg")) or "lat_" in name or "lon_" in name:
        pool += list(ANGLES) * 2
    if _is_number(old) and old:
        pool += [old * 1e6, old * (1 + 1e-12), -old, old + 1, old - 1]
        if d.heavy or abs(old * 10) <= 100:
            pool.append(old * 10)
    new = rng.choice(pool)
    put(d.data, path, new)
    return f"{dotted(path)}: {old!r} -> {new!r}"


def m_unicode(rng: random.Random, d: Draft) -> str:
    if rng.random() < 0.2:
        d.file_name = _file_name(rng)
        return f"file name {d.file_name[:40]!r}"
    path = _pick(rng, d.data, lambda p, v: isinstance(v, str))
    if path is None:
        return "no string"
    old = get(d.data, path)
    op = rng.choice(["markup", "markup", "unicode", "append", "long", "surrogate", "key"])
    if op == "surrogate":
        new = old + SURROGATE
        d.binary = True
    elif op == "long":
        new = old * 2000 if old else "x" * 10_000
    elif op == "append":
        new = old + rng.choice(MARKUP + UNICODE)
    elif op == "key":
        parent = _pick(rng, d.data, lambda p, v: isinstance(v, dict) and bool(v))
        if parent is not None:
            m = get(d.data, parent)
            key = rng.choice(list(m))
            new_key = str(key) + rng.choice(MARKUP + UNICODE)
            m[new_key] = m.pop(key)
            return f"key {dotted((*parent, key))} -> {new_key!r}"
        new = old
    else:
        new = rng.choice(MARKUP if op == "markup" else UNICODE)
    put(d.data, path, new)
    return f"{dotted(path)} = {new[:60]!r}"


def m_yaml(rng: random.Random, d: Draft) -> str:
    data = d.data
    op = rng.choice(
        [
            "anchor",
            "anchor",
            "merge",
            "merge",
            "tag",
            "tag",
            "multidoc",
            "flow",
            "json",
            "complex_key",
            "int_key",
            "dup_key",
            "bom",
            "crlf",
            "tabs",
            "bomb",
            "deep",
            "comment",
            "no_newline",
            "end_marker",
            "directive",
        ]
    )
    if op == "anchor":
        src = _pick(rng, data, lambda p, v: isinstance(v, dict) and bool(v) and len(p) >= 2)
        if src is None:
            return "no mapping"
        value = get(data, src)
        put(data, src, Anchored("a1", value))
        targets = [p for p, v in paths(data) if isinstance(v, dict) and p and p != src]
        dst = [p for p in targets if str(p[-1]) == str(src[-1]) and len(p) == len(src)]
        if not dst:
            return f"anchored {dotted(src)} (unused)"
        target = rng.choice(dst)
        put(data, target, Raw("*a1"))
        return f"{dotted(target)} = *a1 (alias of {dotted(src)})"
    if op == "merge":
        lst = _pick(
            rng, data, lambda p, v: isinstance(v, list) and bool(v) and isinstance(v[0], dict)
        )
        if lst is None:
            return "no list of mappings"
        items = get(data, lst)
        k = rng.randrange(len(items))
        first = items[k]
        rest = {
            key: f"{val}_merged" if isinstance(val, str) else val
            for key, val in first.items()
            if key in ("id", "name")
        }
        items[k] = Anchored("m1", first)
        items.append(Merge("m1", rest))
        return f"merge key: {dotted(lst)}[+] = <<: *m1 (copy of item {k})"
    if op == "tag":
        path = _pick(rng, data, lambda p, v: True)
        if path is None:
            return "empty"
        tag = rng.choice(TAGS)
        put(data, path, Raw(tag))
        return f"{dotted(path)} = {tag}"
    if op == "multidoc":
        extra = rng.choice(["---\n", "---\nname: second\n", "--- !!str x\n", "---\n- a\n"])
        d.text_ops.append(lambda t: t + extra)
        return f"second document {extra!r}"
    if op == "flow":
        path = _pick(rng, data, lambda p, v: isinstance(v, dict | list) and bool(v))
        if path is None:
            return "nothing"
        put(data, path, Raw(json.dumps(plain(get(data, path)), ensure_ascii=False)))
        return f"{dotted(path)} in flow style"
    if op == "json":
        d.text_ops.append(lambda t: json.dumps(plain(data), ensure_ascii=False, indent=1) + "\n")
        return "whole document as JSON"
    if op in ("complex_key", "int_key"):
        parent = _pick(rng, data, lambda p, v: isinstance(v, dict))
        if parent is None:
            return "no mapping"
        key = Raw("? [a, b]") if op == "complex_key" else Raw(rng.choice(["1", "null", "true"]))
        get(data, parent)[key] = "x"
        return f"{key.text} key under {dotted(parent)}"
    if op == "dup_key":
        line = rng.choice(["name: dup\n", "settings: {}\n", "nations: []\n"])
        d.text_ops.append(lambda t: t + line)
        return f"duplicate top-level key {line.strip()!r}"
    if op == "bom":
        d.text_ops.append(lambda t: "\ufeff" + t)
        return "byte-order mark"
    if op == "crlf":
        d.text_ops.append(lambda t: t.replace("\n", "\r\n"))
        return "CRLF line ends"
    if op == "tabs":
        d.text_ops.append(lambda t: t.replace("  ", "\t", 3))
        return "tabs in indentation"
    if op == "bomb":
        levels = rng.choice([4, 9])
        bomb = "bomb_0: &b0 [x, x, x, x, x, x, x, x, x]\n" + "".join(
            f"bomb_{i}: &b{i} [" + ", ".join([f"*b{i - 1}"] * 9) + "]\n" for i in range(1, levels)
        )
        d.text_ops.append(lambda t: bomb + t)
        return f"alias bomb, {levels} levels"
    if op == "deep":
        depth = rng.choice([40, 200, 2000])
        d.text_ops.append(lambda t: t + "deep: " + "[" * depth + "]" * depth + "\n")
        return f"nesting {depth} deep"
    if op == "comment":
        d.text_ops.append(lambda t: "# comment [/b] :100:\n" + t.replace("\n", "  # c\n", 5))
        return "comments"
    if op == "no_newline":
        d.text_ops.append(lambda t: t.rstrip("\n"))
        return "no final newline"
    if op == "end_marker":
        d.text_ops.append(lambda t: t + "...\n")
        return "document end marker"
    d.text_ops.append(lambda t: "%YAML 1.1\n---\n" + t)
    return "%YAML 1.1 directive"


def m_references(rng: random.Random, d: Draft) -> str:
    ref_keys = (
        "nation",
        "aim_asset",
        "launch_area",
        "interceptor",
        "type",
        "missile",
        "radar",
        "from",
        "to",
        "base",
        "remove",
        "base_phase",
    )
    path = _pick(
        rng,
        d.data,
        lambda p, v: isinstance(v, str) and any(str(x) in ref_keys for x in p[-2:]),
    )
    if path is None:
        return "no reference"
    old = get(d.data, path)
    ids = sorted(
        {v for p, v in paths(d.data) if p and p[-1] in ("id", "name") and isinstance(v, str)}
    )
    op = rng.choice(["unknown", "other", "case", "blank", "dup_id"])
    if op == "dup_id":
        id_paths = [p for p, v in paths(d.data) if p and p[-1] == "id" and isinstance(v, str)]
        if len(id_paths) >= 2:
            a, b = rng.sample(id_paths, 2)
            put(d.data, b, get(d.data, a))
            return f"{dotted(b)} = duplicate id {get(d.data, a)!r}"
    new = {
        "unknown": "does_not_exist",
        "other": rng.choice(ids) if ids else "x",
        "case": old.swapcase(),
        "blank": f" {old} ",
        "dup_id": old + "x",
    }[op]
    put(d.data, path, new)
    return f"{dotted(path)}: {old!r} -> {new!r}"


def m_geometry(rng: random.Random, d: Draft) -> str:
    data = d.data
    op = rng.choice(
        [
            "pole",
            "antimeridian",
            "same_point",
            "far_aim",
            "box_inverted",
            "box_empty",
            "box_globe",
            "polygon",
            "radius",
            "alt",
            "boresight",
        ]
    )
    lat_paths = [p for p, v in paths(data) if p and p[-1] == "lat_deg" and _is_number(v)]
    if op in ("pole", "antimeridian", "far_aim", "same_point") and lat_paths:
        path = rng.choice(lat_paths)
        site = get(data, path[:-1])
        if op == "pole":
            site["lat_deg"] = rng.choice([90.0, -90.0, 89.9999999])
        elif op == "antimeridian":
            site["lon_deg"] = rng.choice([180.0, -180.0, 179.9999999])
        elif op == "far_aim":
            site["lat_deg"], site["lon_deg"] = rng.choice([(-33.9, 151.2), (51.5, -0.1), (0, 0)])
        else:
            boxes = [v for p, v in paths(data) if p and p[-1] == "box" and isinstance(v, dict)]
            if boxes:
                box = rng.choice(boxes)
                site["lat_deg"] = box.get("lat_min_deg", 0)
                site["lon_deg"] = box.get("lon_min_deg", 0)
        return f"{op}: {dotted(path[:-1])} = {site.get('lat_deg')}, {site.get('lon_deg')}"
    boxes = [p for p, v in paths(data) if p and p[-1] == "box" and isinstance(v, dict)]
    if op.startswith("box") and boxes:
        path = rng.choice(boxes)
        box = get(data, path)
        if op == "box_inverted":
            box["lat_min_deg"], box["lat_max_deg"] = box.get("lat_max_deg"), box.get("lat_min_deg")
        elif op == "box_empty":
            box["lat_max_deg"] = box.get("lat_min_deg")
            box["lon_max_deg"] = box.get("lon_min_deg")
        else:
            box.update(lat_min_deg=-90, lat_max_deg=90, lon_min_deg=-180, lon_max_deg=180)
        return f"{op}: {dotted(path)} = {box}"
    areas = [p for p, v in paths(data) if p and p[-2:-1] == ("launch_areas",)]
    if op == "polygon" and areas:
        path = rng.choice(areas)
        area = get(data, path)
        for key in ("box", "point", "polygon"):
            area.pop(key, None)
        area["polygon"] = rng.choice(
            [
                [{"lat_deg": 39.0, "lon_deg": 125.0}, {"lat_deg": 39.5, "lon_deg": 125.5}],
                [{"lat_deg": 39.0, "lon_deg": 125.0}] * 3,
                [{"lat_deg": 39.0, "lon_deg": v} for v in (125.0, 125.5, 126.0)],
                [
                    {"lat_deg": 39.0, "lon_deg": 125.0},
                    {"lat_deg": 40.0, "lon_deg": 126.0},
                    {"lat_deg": 39.0, "lon_deg": 126.0},
                    {"lat_deg": 40.0, "lon_deg": 125.0},
                ],
                [
                    {"lat_deg": 39.0, "lon_deg": 179.5},
                    {"lat_deg": 40.0, "lon_deg": -179.5},
                    {"lat_deg": 40.0, "lon_deg": 179.5},
                ],
                [],
            ]
        )
        return f"polygon at {dotted(path)}: {len(area['polygon'])} points"
    key = {"radius": "radius_km", "alt": "alt_m", "boresight": "boresight_az_deg"}.get(op)
    target = _pick(rng, data, lambda p, v: bool(p) and p[-1] == key and _is_number(v))
    if target is None:
        return m_extremes(rng, d)
    new = {
        "radius_km": rng.choice([0, 1e-9, 20000, 1e6]),
        "alt_m": rng.choice([-1e4, -11000, 1e5, 4e7]),
        "boresight_az_deg": rng.choice([360, -360, 720, 359.9999]),
    }[str(key)]
    put(data, target, new)
    return f"{dotted(target)} = {new}"


def m_cli(rng: random.Random, d: Draft) -> str:
    data = d.data if isinstance(d.data, dict) else {}
    phases = [p.get("name") for p in data.get("phases", []) if isinstance(p, dict)]
    policies = [p.get("name") for p in data.get("policies", []) if isinstance(p, dict)]
    choice = rng.choice(["phase", "phase", "policy", "policy", "solver"])
    if choice == "phase":
        value = rng.choice([*(str(p) for p in phases if p), "0", "1", "-1", "99", "base", "x"])
        d.run_args += ["--phase", value]
    elif choice == "policy":
        presets = ["national", "cueing", "shared_tracks", "integrated"]
        value = rng.choice([*(str(p) for p in policies if p), *presets, "nope"])
        d.run_args += ["--policy", value]
    else:
        value = rng.choice(["exact", "doctrine", "heuristic"])
        d.run_args += ["--solver", value]
    return f"run --{choice} {value}"


MUTATORS: dict[str, Callable[[random.Random, Draft], str]] = {
    "structure": m_structure,
    "types": m_types,
    "extremes": m_extremes,
    "unicode": m_unicode,
    "yaml": m_yaml,
    "references": m_references,
    "geometry": m_geometry,
    "cli": m_cli,
}


# -- the case -------------------------------------------------------------------------------------

_LOADED: dict[Path, Any] = {}


def _base_data(path: Path) -> Any:
    if path not in _LOADED:
        _LOADED[path] = YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))
    return copy.deepcopy(_LOADED[path])


def _render(data: Any) -> str:
    if isinstance(data, dict | list) and data:
        return emit(data)
    return json.dumps(plain(data), ensure_ascii=False) + "\n"


def generate(
    index: int, seed: int = 0, *, heavy: bool = True, bases: tuple[Path, ...] = ()
) -> Case:
    """The fuzz case ``index`` of run ``seed`` (``heavy``: include 10,000-missile raids etc.)."""
    rng = random.Random(f"shieldwall-fuzz:{seed}:{index}")
    pool = bases or EXAMPLES
    base = pool[rng.randrange(len(pool))]
    draft = Draft(data=_base_data(base), heavy=heavy)
    family = rng.choice(FAMILIES)
    n = rng.choices([1, 2, 3], weights=[6, 3, 1])[0]
    mutations = []
    for k in range(n):
        fam = family if k == 0 else rng.choice(FAMILIES)
        if not isinstance(draft.data, dict) and fam != "yaml":
            break
        mutations.append(MUTATORS[fam](rng, draft))
    text = _render(draft.data)
    for op in draft.text_ops:
        text = op(text)
    return Case(
        index=index,
        base=base.name,
        family=family,
        mutations=tuple(mutations),
        text=text,
        file_name=draft.file_name,
        run_args=tuple(draft.run_args),
        binary=draft.binary,
    )
