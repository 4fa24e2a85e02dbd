"""Variants of a World for studies: a coalition of nations' units, a policy of chosen levers.

- :func:`keep_nations`: the world with only the units (radars, satellites, batteries) of some
  nations; the others' units are removed and the cross-references re-indexed (a battery's
  fire-control radar, a radar's battery: ``-1`` where the other end was removed). Nations,
  assets, policies and the raid are unchanged — every nation's assets still count.
- :data:`LEVERS` / :func:`lever_policy`: the policy levers (docs/architecture.md §5) that
  separate two policies, and the policy with some levers at one's setting and the rest at the
  other's.
- :func:`link_policy`: a policy whose data links (``share``/``latency_s`` of nation pairs) are
  those of one policy for some pairs and of another for the rest.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Sequence
from typing import Any, TypeVar

import numpy as np

from shieldwall.scenario.world import Origin, Policy, World

__all__ = ["LEVERS", "differing_levers", "keep_nations", "lever_policy", "link_policy", "links"]

#: The policy levers, by name: the Policy fields each one sets.
LEVERS: dict[str, tuple[str, ...]] = {
    "share": ("share",),
    "latency": ("latency_s",),
    "defends": ("defends",),
    "ifc": ("ifc",),
}

_T = TypeVar("_T")


def _take(table: _T, rows: np.ndarray, **override: Any) -> _T:
    """The rows ``rows`` of a struct-of-arrays table (arrays and tuples of its length)."""
    n = len(table)  # type: ignore[arg-type]
    values: dict[str, Any] = {}
    for f in dataclasses.fields(table):  # type: ignore[arg-type]
        v = getattr(table, f.name)
        if isinstance(v, np.ndarray) and v.ndim >= 1 and v.shape[0] == n:
            values[f.name] = np.array(v[rows])
        elif isinstance(v, tuple) and len(v) == n:
            values[f.name] = tuple(v[int(i)] for i in rows)
        else:
            values[f.name] = v
    values.update(override)
    return type(table)(**values)


def _remap(idx: np.ndarray, kept: np.ndarray, n: int) -> np.ndarray:
    """Old row indices (``-1`` = none) to rows of the kept subset (``-1`` where removed)."""
    new = np.full(n + 1, -1, dtype=np.int64)  # slot n: the old -1
    new[kept] = np.arange(kept.size)
    old = np.where(idx < 0, n, idx)
    return new[old]


def keep_nations(world: World, nations: Collection[str]) -> World:
    """The world with only the radars, satellites and batteries of ``nations`` (ids).

    Raises
    ------
    ValueError
        A nation id the world does not have.
    """
    unknown = [n for n in nations if n not in world.nations.id]
    if unknown:
        raise ValueError(f"unknown nations {unknown}; nations: {', '.join(world.nations.id)}")
    keep = np.array([world.nation_index(n) for n in nations], dtype=np.int64)
    r_rows = np.flatnonzero(np.isin(world.radars.nation_idx, keep))
    s_rows = np.flatnonzero(np.isin(world.satellites.nation_idx, keep))
    b_rows = np.flatnonzero(np.isin(world.batteries.nation_idx, keep))
    n_r, n_b = len(world.radars), len(world.batteries)
    radars = _take(
        world.radars, r_rows,
        battery_idx=_remap(world.radars.battery_idx[r_rows], b_rows, n_b),
    )  # fmt: skip
    batteries = _take(
        world.batteries, b_rows,
        radar_idx=_remap(world.batteries.radar_idx[b_rows], r_rows, n_r),
    )  # fmt: skip
    satellites = _take(world.satellites, s_rows)
    rows = dict(world.origin.rows)
    for name, kept in (("radars", r_rows), ("satellites", s_rows), ("batteries", b_rows)):
        paths = rows.get(name, ())
        rows[name] = tuple(paths[int(i)] for i in kept if int(i) < len(paths))
    origin = Origin(source=world.origin.source, rows=rows)
    return dataclasses.replace(
        world, radars=radars, satellites=satellites, batteries=batteries, origin=origin
    )


def differing_levers(base: Policy, target: Policy) -> list[str]:
    """The :data:`LEVERS` whose setting differs between two policies (in LEVERS' order)."""
    return [
        lever
        for lever, fs in LEVERS.items()
        if any(not np.array_equal(getattr(base, f), getattr(target, f)) for f in fs)
    ]


def lever_policy(name: str, base: Policy, target: Policy, levers: Collection[str]) -> Policy:
    """``base`` with the ``levers`` (names of :data:`LEVERS`) at ``target``'s setting."""
    values = {f: getattr(base, f) for fs in LEVERS.values() for f in fs}
    for lever in levers:
        for f in LEVERS[lever]:
            values[f] = getattr(target, f)
    return Policy(name=name, **{f: np.array(v) for f, v in values.items()})


def links(base: Policy, target: Policy, nations: Sequence[str]) -> list[tuple[str, str]]:
    """The unordered nation pairs whose link (share or latency, either way) differs."""
    out = []
    for i in range(len(nations)):
        for j in range(i + 1, len(nations)):
            cells = ([i, j], [j, i])
            differ = not (
                np.array_equal(base.share[cells], target.share[cells])
                and np.array_equal(base.latency_s[cells], target.latency_s[cells])
            )
            if differ:
                out.append((nations[i], nations[j]))
    return out


def link_policy(
    name: str,
    base: Policy,
    target: Policy,
    pairs: Collection[tuple[str, str]],
    nations: Sequence[str],
) -> Policy:
    """``target`` with the data links of nation pairs not in ``pairs`` at ``base``'s setting
    (both directions); ``defends`` and ``ifc`` are ``target``'s."""
    share = np.array(base.share)
    latency = np.array(base.latency_s)
    index = {n: k for k, n in enumerate(nations)}
    for a, b in pairs:
        i, j = index[a], index[b]
        for s, d in ((i, j), (j, i)):
            share[s, d] = target.share[s, d]
            latency[s, d] = target.latency_s[s, d]
    return Policy(
        name=name, share=share, latency_s=latency, defends=np.array(target.defends),
        ifc=np.array(target.ifc),
    )  # fmt: skip
