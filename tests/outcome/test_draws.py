"""Block draws (docs/montecarlo.md §4): what they decide fixes them, nothing else does."""

from __future__ import annotations

import numpy as np
import pytest

from shieldwall.outcome.draws import THREAT_CHUNK, TRIAL_BLOCK, DrawsError, block_draws, n_blocks


def _draws(**kw: object):  # type: ignore[no-untyped-def]
    args = {"n_trials": 50, "n_threats": 3, "n_nations": 2, "type_names": ("a", "b"), "n_shots": 4}
    args.update(kw)
    return block_draws(7, 0, **args)  # type: ignore[arg-type]


def test_a_truncated_block_is_the_start_of_the_full_one() -> None:
    full = block_draws(
        7, 2, n_trials=TRIAL_BLOCK, n_threats=3, n_nations=2, type_names=("a",), n_shots=4
    )
    part = block_draws(7, 2, n_trials=37, n_threats=3, n_nations=2, type_names=("a",), n_shots=4)
    for name in ("fly_u", "fail_time_u", "fcq_u", "ipp_z", "kill_u", "ka_u", "common_mode_u"):
        np.testing.assert_array_equal(getattr(part, name), getattr(full, name)[..., :37])


def test_threat_chunks_and_other_purposes_do_not_move_the_draws() -> None:
    small = _draws(n_threats=3)
    big = _draws(n_threats=THREAT_CHUNK + 5)
    np.testing.assert_array_equal(big.kill_u[:3], small.kill_u)
    np.testing.assert_array_equal(big.fcq_u[:, :3], small.fcq_u)
    np.testing.assert_array_equal(big.ipp_z[:, :3], small.ipp_z)
    # one common-mode stream per type name: adding or reordering types changes nothing else
    other = _draws(type_names=("c", "b"))
    np.testing.assert_array_equal(other.common_mode_u[:, 1], small.common_mode_u[:, 1])
    assert not np.array_equal(other.common_mode_u[:, 0], small.common_mode_u[:, 0])
    # a different block or seed is different luck
    assert not np.array_equal(
        block_draws(
            7, 1, n_trials=50, n_threats=3, n_nations=2, type_names=("a", "b"), n_shots=4
        ).kill_u,
        small.kill_u,
    )
    assert n_blocks(1) == 1
    assert n_blocks(TRIAL_BLOCK) == 1
    assert n_blocks(TRIAL_BLOCK + 1) == 2


def test_draws_that_do_not_fit_are_an_error() -> None:
    d = _draws()
    with pytest.raises(DrawsError, match="rounds per threat"):
        d.check_fits(n_trials=50, n_threats=3, n_nations=2, n_shots=6, n_types=2)
    with pytest.raises(DrawsError, match="trials"):
        d.check_fits(n_trials=60, n_threats=3, n_nations=2, n_shots=4, n_types=2)
    with pytest.raises(DrawsError, match=r"1 \.\. 1000"):
        _draws(n_trials=TRIAL_BLOCK + 1)
