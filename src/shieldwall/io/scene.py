"""One logged trial of one policy, ready to draw: what flew where, who fired, what leaked.

A :class:`Scene` gathers, from a run record's tables, everything the exports (CZML, KML, GeoJSON),
the report's map and the viewer show: the deployed units and their coverage fans, each threat's
trajectory and fate in that trial, the engagements (launcher to intercept point) and the
impacts. Trials ``0 .. event_trials - 1`` are logged (docs/results.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from shieldwall.errors import Problem, ShieldwallError
from shieldwall.io.geometry import coverage_fan_deg, detection_range_m

if TYPE_CHECKING:
    import pandas as pd

    from shieldwall.io.record import RunRecord

__all__ = ["STATUSES", "ExportError", "Scene", "rows", "scene"]

#: Fate of a threat in a trial (the ``status`` of each threat of a scene).
STATUSES = {
    "leaked": "flew, was not killed and fell on a defended asset",
    "killed": "killed by an interceptor",
    "failed": "failed in flight (drawn until burnout: the failure time is not logged)",
    "clear": "flew, was not killed and fell on no defended asset",
}


def rows(frame: pd.DataFrame) -> Iterator[Any]:
    """The rows of a table as named tuples (attributes are the column names)."""
    return iter(cast(Iterable[Any], frame.itertuples(index=False)))


class ExportError(ShieldwallError, ValueError):
    """A request for a view of a run that the run cannot give (unknown policy, trial, format)."""


def _fail(field: str, message: str) -> ExportError:
    return ExportError(message, [Problem(message=message, path=field)])


@dataclass(frozen=True, kw_only=True)
class Scene:
    """One trial of one policy of a run record, as tables with names (pandas DataFrames).

    Attributes
    ----------
    title, policy, trial, epoch
        What is shown; ``epoch`` is the scenario's t = 0 (ISO 8601 UTC).
    start_t_s, end_t_s
        Time span of the trial: first launch to last impact. [s]
    nations, assets, batteries, radars
        The units (``radars`` with ``range_m`` and ``fan``: coverage outline, (k, 2) lon/lat).
    threats
        The ``threats`` table plus ``status`` (:data:`STATUSES`) and ``end_t_s`` (impact, or the
        intercept that killed it, or burnout for a failure).
    trajectories
        Samples of every threat (``trajectories`` table).
    events
        The trial's engagements (``events`` table), with ``nation`` of the battery and the
        battery's ``lat_deg``, ``lon_deg``, ``alt_m``.
    tracks
        ``radar_tracks`` of the policy (when each radar holds its own track of each threat).
    """

    title: str
    policy: str
    trial: int
    epoch: str
    start_t_s: float
    end_t_s: float
    nations: pd.DataFrame
    assets: pd.DataFrame
    batteries: pd.DataFrame
    radars: pd.DataFrame
    threats: pd.DataFrame
    trajectories: pd.DataFrame
    events: pd.DataFrame
    tracks: pd.DataFrame

    def iso(self, t_s: float) -> str:
        """ISO 8601 UTC time of ``t_s`` seconds after the epoch."""
        base = dt.datetime.fromisoformat(self.epoch.replace("Z", "+00:00"))
        return (base + dt.timedelta(seconds=float(t_s))).strftime("%Y-%m-%dT%H:%M:%S.%fZ")

    def nation_index(self, nation: object) -> int:
        """Row of a nation (for colours); -1 if unknown."""
        ids = list(self.nations["nation"])
        return ids.index(nation) if nation in ids else -1


def _choose_policy(record: RunRecord, policy: str | None) -> str:
    policies = record.policies
    if policy is None:
        return policies[0]
    if policy not in policies:
        raise _fail(
            "policy", f"the run has no policy {policy!r}; its policies: {', '.join(policies)}"
        )
    return policy


def scene(record: RunRecord, *, policy: str | None = None, trial: int = 0) -> Scene:
    """The scene of one logged trial of one policy of a run record.

    Raises
    ------
    ExportError
        Unknown policy, or a trial that was not logged (the message gives the range).
    """
    import pandas as pd

    pol = _choose_policy(record, policy)
    n_log = int(record.get("event_trials", 0))
    if not isinstance(trial, int) or not 0 <= trial < max(n_log, 1) or n_log == 0:
        raise _fail(
            "trial",
            f"trial {trial!r} is not logged; this run logs trials 0 to {n_log - 1}"
            if n_log
            else "this run logs no trials",
        )
    threats = record.table("threats")
    outcomes = record.table("threat_outcomes")
    outcomes = outcomes[(outcomes["policy"] == pol) & (outcomes["trial"] == trial)]
    events = record.table("events")
    events = events[(events["policy"] == pol) & (events["trial"] == trial)].copy()
    batteries = record.table("batteries")
    b = batteries.set_index("battery")
    events["nation"] = b.loc[events["battery"], "nation"].to_numpy()
    for col in ("lat_deg", "lon_deg", "alt_m"):
        events[col] = b.loc[events["battery"], col].to_numpy()

    fate = outcomes.set_index("threat").reindex(threats["threat"])
    flew = fate["flew"].fillna(False).to_numpy(bool)
    killed = fate["killed"].fillna(False).to_numpy(bool)
    leaked = fate["leaked"].fillna(False).to_numpy(bool)
    status = np.where(
        ~flew, "failed", np.where(killed, "killed", np.where(leaked, "leaked", "clear"))
    )
    end = threats["impact_t_s"].to_numpy(float).copy()
    kills = events[events["kill"]].set_index("threat")["intercept_t_s"]
    has_kill = threats["threat"].isin(kills.index).to_numpy()
    end[has_kill] = kills.loc[threats["threat"][has_kill]].to_numpy()
    end[~flew] = threats["burnout_t_s"].to_numpy(float)[~flew]
    target = threats["target_asset"]
    threats = threats.assign(
        status=status,
        end_t_s=end,
        target_asset=target.astype(object).where(target.notna(), None),
    )

    radars = record.table("radars")
    rcs = record.table("missiles")["rcs_rv_m2"]
    ref_rcs = float(np.median(rcs)) if len(rcs) else 1.0
    rng = detection_range_m(radars["r0_m"].to_numpy(float), ref_rcs)
    fans = [
        coverage_fan_deg(r.lat_deg, r.lon_deg, r.boresight_az_deg, r.half_az_deg, float(x))
        for r, x in zip(rows(radars), rng, strict=True)
    ]
    radars = radars.assign(range_m=rng)
    radars["fan"] = pd.Series(fans, index=radars.index, dtype=object)
    tracks = record.table("radar_tracks")
    tracks = tracks[tracks["policy"] == pol]
    start = float(threats["launch_t_s"].min()) if len(threats) else 0.0
    stop = float(np.nanmax(end)) if len(threats) else 0.0
    return Scene(
        title=str(record.get("scenario", "")),
        policy=pol,
        trial=trial,
        epoch=str(record.get("epoch", "2026-01-01T00:00:00Z")),
        start_t_s=start,
        end_t_s=max(stop, start + 1.0),
        nations=record.table("nations"),
        assets=record.table("assets"),
        batteries=batteries,
        radars=radars,
        threats=threats,
        trajectories=record.table("trajectories"),
        events=events.reset_index(drop=True),
        tracks=tracks.reset_index(drop=True),
    )
