"""Tutorial 4: how much does cooperation reduce leakage, with what confidence?

``api.compare`` runs the whole pipeline (flight, sensing, tracking, engagement windows, fire
plan, Monte Carlo) for each sharing policy on the *same* random numbers (common random
numbers), so each policy's difference from ``national`` is measured trial by trial. The four
presets: ``national`` (each nation alone), ``cueing`` (early-warning data shared),
``shared_tracks`` (fire-control tracks shared: launch on remote) and ``integrated`` (any ally's
battery may engage any threat, guided by any ally's radar: engage on remote). See
docs/montecarlo.md.

A small trial count keeps this quick; the README's table uses 10,000 trials.

Run: ``uv run python examples/tutorials/04_together_or_alone.py``
"""

from pathlib import Path

from shieldwall import api

FLAGSHIP = Path(__file__).resolve().parents[1] / "korea_japan.yaml"
TRIALS = 500

world = api.compile_world(api.load_scenario(FLAGSHIP))
comparison = api.compare(
    world,
    policies=["national", "cueing", "shared_tracks", "integrated"],
    trials=TRIALS,
    seed=1,
)
print(
    f"{world.name} ({world.phase}), {comparison.trials} trials per policy, seed {comparison.seed}"
)
print("P(zero leak): probability the whole raid is stopped, Wilson 95% interval")
print("leakers: expected leakers per raid; differences from national: paired 95% intervals")
print(
    f"  {'policy':14}{'P(zero leak)':>22}{'vs national (pts)':>24}{'leakers':>9}{'vs national':>24}"
)
for row in comparison.rows:
    lo, hi = row.p_zero_leak_ci
    dp_lo, dp_hi = row.d_p_zero_leak_ci
    dl_lo, dl_hi = row.d_expected_leakers_ci
    print(
        f"  {row.name:14}"
        f"{f'{row.p_zero_leak:.1%} ({lo:.1%}-{hi:.1%})':>22}"
        f"{f'{100 * row.d_p_zero_leak:+.1f} ({100 * dp_lo:+.1f} to {100 * dp_hi:+.1f})':>24}"
        f"{row.expected_leakers:9.2f}"
        f"{f'{row.d_expected_leakers:+.2f} ({dl_lo:+.2f} to {dl_hi:+.2f})':>24}"
    )
