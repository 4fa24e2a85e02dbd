"""Data-sharing policies as matrices over nations: the presets and scenario-defined ones.

docs/architecture.md §5: a policy is a set of independent levers —

- ``share``/``latency_s`` per ordered pair of nations (src, dst): what src's sensors give dst —
  0 none, 1 early_warning (cueing only), 2 track (launch on remote), 3 engage (engage on
  remote) — and how late;
- ``defends``: which nations' batteries may defend which nations' assets (engagement authority);
- ``ifc`` per nation: integrated fire control (its remote-guidance-capable interceptors may be
  guided by its own radars other than the battery's fire-control radar).

A scenario policy starts from a preset and every lever it writes replaces the preset's value.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from shieldwall.scenario.model import PRESET_POLICIES, DefendsRow, PolicySpec
from shieldwall.scenario.world import Policy

__all__ = ["SHARE_LEVELS", "build_policy", "preset_policy"]

#: Share level names by code (``share[src, dst]``).
SHARE_LEVELS: tuple[str, ...] = ("none", "early_warning", "track", "engage")

_PRESET_LEVEL = {"national": 0, "cueing": 1, "shared_tracks": 2, "integrated": 3}


def preset_policy(name: str, n_nations: int, latency_s: float) -> Policy:
    """A built-in policy over ``n_nations`` nations.

    Parameters
    ----------
    name
        ``national`` (nothing shared, each defends itself), ``cueing`` (early warning
        everywhere), ``shared_tracks`` (fire-control tracks everywhere, each defends itself) or
        ``integrated`` (engage on remote everywhere, any battery defends any ally).
    n_nations
        Number of nations.
    latency_s
        Latency of every off-diagonal link. [s]
    """
    if name not in _PRESET_LEVEL:
        raise ValueError(f"unknown preset {name!r}; presets: {', '.join(PRESET_POLICIES)}")
    level = _PRESET_LEVEL[name]
    eye = np.eye(n_nations, dtype=bool)
    share = np.where(eye, 3, level).astype(np.int8)
    latency = np.where(eye, 0.0, float(latency_s))
    integrated = name == "integrated"
    defends = np.ones((n_nations, n_nations), bool) if integrated else eye.copy()
    ifc = np.full(n_nations, integrated, dtype=bool)
    return Policy(name=name, share=share, latency_s=latency, defends=defends, ifc=ifc)


def build_policy(spec: PolicySpec, nations: Sequence[str], default_latency_s: float) -> Policy:
    """A scenario policy: its ``base`` preset, then every lever it writes.

    - ``links``: level and latency of each ordered pair written (later in the list wins;
      ``two_way`` sets both directions).
    - ``defends``: each entry **replaces** that nation's row of the base: the nations listed
      (``all`` = every nation) plus its own, unless the long form ``{nations: [...], own:
      false}`` removes its own. A nation not written keeps the base's row.
    - ``ifc``: ``all`` sets every nation, then each named nation its own value.
    """
    base = preset_policy(spec.base, len(nations), default_latency_s)
    share = base.share.copy()
    latency = base.latency_s.copy()
    defends = base.defends.copy()
    index = {n: i for i, n in enumerate(nations)}
    for link in spec.links:
        src, dst = index[link.src], index[link.dst]
        pairs = [(src, dst), (dst, src)] if link.two_way else [(src, dst)]
        lat = default_latency_s if link.latency_s is None else link.latency_s
        for a, b in pairs:
            share[a, b] = SHARE_LEVELS.index(link.level)
            latency[a, b] = lat
    for defender, entry in spec.defends.items():
        row = entry if isinstance(entry, DefendsRow) else DefendsRow(nations=entry)
        d = index[defender]
        defends[d, :] = "all" in row.nations
        for ally in row.nations:
            if ally != "all":
                defends[d, index[ally]] = True
        defends[d, d] = row.own
    ifc = base.ifc.copy()
    if "all" in spec.ifc:
        ifc[:] = spec.ifc["all"]
    for nation, on in spec.ifc.items():
        if nation != "all":
            ifc[index[nation]] = on
    return Policy(name=spec.name, share=share, latency_s=latency, defends=defends, ifc=ifc)
