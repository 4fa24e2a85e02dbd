"""``shieldwall detect FILE --policy P``: what each nation's picture knows about each threat."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer
from rich.table import Table

from shieldwall.cli._common import esc, out, print_json, print_table
from shieldwall.errors import Problem, ShieldwallError

__all__ = ["detect_summary", "register"]


def _fmt_t(t: float) -> str:
    return "-" if not np.isfinite(t) else f"{t:.0f}"


def detect_summary(
    world: Any,
    trajectories: Any,
    policy_name: str,
    fcq_sigma_m: float | None = None,
    fusion: str = "centralized",
    mode: str = "covariance",
    trials: int = 100,
) -> dict[str, Any]:
    """Observe and track one policy; a JSON-ready summary per threat and nation."""
    from shieldwall.sensing import observe
    from shieldwall.tracking import nation_fcq_requirement_m, track

    if policy_name not in world.policies:
        valid = ", ".join(world.policies)
        raise ShieldwallError(
            f"unknown policy {policy_name!r}",
            [
                Problem(
                    message=f"unknown policy {policy_name!r}; valid policies: {valid}",
                    path="--policy",
                )
            ],
        )
    policy = world.policies[policy_name]
    vis = observe(world, trajectories, policy)
    picture = track(world, trajectories, vis, policy, mode, fusion=fusion, trials=trials)
    n_nat = len(world.nations)
    req = (
        nation_fcq_requirement_m(world)
        if fcq_sigma_m is None
        else np.full(n_nat, float(fcq_sigma_m))
    )
    fcq = picture.fire_control_time(np.arange(n_nat), req)  # (n_nat, n_threat)
    kfc = picture.fire_control_index(np.arange(n_nat), req)
    threats = []
    for j in range(trajectories.n):
        mi = int(trajectories.missile_idx[j])
        t_det = picture.first_detect_t_s[:, j]
        best = int(np.argmin(t_det))
        sensor = int(picture.first_detect_sensor[best, j])
        nations = {}
        for n in range(n_nat):
            k = int(kfc[n, j])
            nations[world.nations.id[n]] = {
                "first_detect_t_s": float(t_det[n]),
                "track_t_s": float(picture.track_t_s[n, j]),
                "fcq_t_s": float(fcq[n, j]),
                "ipp_sigma_at_fcq_m": float(picture.ipp_sigma_m[n, j, k]) if k >= 0 else None,
            }
        threats.append(
            {
                "threat": j,
                "missile": world.missiles.name[mi] if mi >= 0 else "",
                "launch_t_s": float(trajectories.launch_t_s[j]),
                "impact_t_s": float(trajectories.impact_t_s[j]),
                "first_detect_t_s": float(t_det[best]),
                "first_detect_sensor": picture.sensor_ids[sensor] if sensor >= 0 else None,
                "nations": nations,
            }
        )
    return {
        "policy": policy_name,
        "mode": mode,
        "fusion": fusion,
        "fcq_requirement_m": {world.nations.id[n]: float(req[n]) for n in range(n_nat)},
        "threats": threats,
    }


def _print(summary: dict[str, Any]) -> None:
    nations = list(summary["fcq_requirement_m"])
    table = Table(
        title=f"policy {esc(summary['policy'])} ({esc(summary['mode'])} mode): first detection and "
        "fire-control-quality (FCQ) track per nation",
        caption="FCQ: first time the nation's impact-point 1-sigma is within its batteries' "
        "requirement ("
        + esc(", ".join(f"{n} {v:.0f} m" for n, v in summary["fcq_requirement_m"].items()))
        + "); times in s since the scenario epoch; '-' never",
    )
    for col in ("#", "missile", "launch", "impact", "first det"):
        table.add_column(col, justify="right" if col in ("#", "launch", "impact") else "left")
    for n in nations:
        table.add_column(f"{esc(n)} FCQ", justify="right")
        table.add_column(f"{esc(n)} IPP m", justify="right")
    for th in summary["threats"]:
        det = "-"
        if th["first_detect_sensor"] is not None:
            det = f"{_fmt_t(th['first_detect_t_s'])} {esc(th['first_detect_sensor'])}"
        row = [
            str(th["threat"]),
            esc(th["missile"]),
            _fmt_t(th["launch_t_s"]),
            _fmt_t(th["impact_t_s"]),
            det,
        ]
        for n in nations:
            rec = th["nations"][n]
            row.append(_fmt_t(rec["fcq_t_s"]))
            sig = rec["ipp_sigma_at_fcq_m"]
            row.append("-" if sig is None else f"{sig:.0f}")
        table.add_row(*row)
    print_table(table)
    for n in nations:
        margins = [th["impact_t_s"] - th["nations"][n]["fcq_t_s"] for th in summary["threats"]]
        ok = [m for m in margins if np.isfinite(m)]
        mean = f"{np.mean(ok):.0f} s before impact on average" if ok else "none"
        out.print(f"{esc(n)}: FCQ track on {len(ok)} of {len(margins)} threats ({mean})")


def register(app: typer.Typer) -> None:
    """Add ``detect`` to the CLI."""

    @app.command("detect")
    def detect(
        file: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
        policy: Annotated[str, typer.Option("--policy", "-p", help="Sharing policy name.")] = (
            "national"
        ),
        phase: Annotated[
            str | None, typer.Option(help="Deployment phase (name or 0-based index).")
        ] = None,
        fcq_m: Annotated[
            float | None,
            typer.Option(
                "--fcq-m",
                help="IPP 1-sigma requirement [m] for every nation (default: per nation, the "
                "loosest requirement of its batteries).",
                min=1.0,
            ),
        ] = None,
        fusion: Annotated[
            str, typer.Option(help="Track fusion: centralized (measurement) or ci.")
        ] = "centralized",
        mode: Annotated[
            str, typer.Option(help="Tracking fidelity: covariance (fast) or measurement.")
        ] = "covariance",
        trials: Annotated[
            int, typer.Option(help="Measurement mode: Monte Carlo trials per nation.", min=2)
        ] = 100,
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
        force: Annotated[
            bool,
            typer.Option(
                "--force",
                help="Run even if the resource guard estimates more memory than is available "
                "or more than a day.",
            ),
        ] = False,
    ) -> None:
        """What each nation sees of each threat, and when it has a fire-control track."""
        from shieldwall.flight import fly_raid  # type: ignore[attr-defined,unused-ignore]
        from shieldwall.resources import check_resources
        from shieldwall.scenario import compile_world, load_scenario
        from shieldwall.tracking import FUSIONS, MODES

        if mode not in MODES:
            raise ShieldwallError(
                f"unknown mode {mode!r}",
                [Problem(message=f"valid modes: {', '.join(MODES)}", path="--mode")],
            )
        if mode == "measurement" and fusion != "centralized":
            raise ShieldwallError(
                "measurement mode supports --fusion centralized only",
                [
                    Problem(
                        message="use --fusion centralized with --mode measurement", path="--fusion"
                    )
                ],
            )
        if fusion not in FUSIONS:
            raise ShieldwallError(
                f"unknown fusion {fusion!r}",
                [Problem(message=f"valid fusions: {', '.join(FUSIONS)}", path="--fusion")],
            )
        scenario = load_scenario(file)
        world = compile_world(scenario, phase=phase)
        ekf_trials = trials if mode == "measurement" else 0
        check_resources(world, 1, measurement_trials=ekf_trials, force=force)
        trajectories = fly_raid(world)
        summary = detect_summary(world, trajectories, policy, fcq_m, fusion, mode, trials)
        if as_json:
            print_json(summary)
        else:
            _print(summary)
