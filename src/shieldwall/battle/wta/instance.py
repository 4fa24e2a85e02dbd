"""Reader for static WTA instance files (Andersen, Pavlikov and Toffolo, 2022, benchmark format).

Format: line 1 ``m n mu`` (m weapon types with mu units each, n targets); then n lines, the target
values V_j (real values allowed); then m*n lines ``i j p_ij`` (0-based weapon type and target, kill
probability of one unit). Blank lines are ignored. Every pair must be given exactly once.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from shieldwall.battle.wta.problem import WTAError, WTAProblem
from shieldwall.errors import Problem

__all__ = ["ahuja_instance", "read_instance"]


def _bad(path: Path, line: int, message: str) -> WTAError:
    return WTAError(
        f"{path}: not a valid WTA instance file",
        [Problem(message=message, file=str(path), line=line, col=1)],
    )


def read_instance(path: str | Path) -> WTAProblem:
    """Read a static WTA instance in the Andersen–Pavlikov–Toffolo (2022) text format.

    Parameters
    ----------
    path
        The instance file.

    Returns
    -------
    WTAProblem
        Target-based problem with ``inventory = mu`` for every weapon type.

    Raises
    ------
    WTAError
        The file cannot be read or is malformed; the problem names the file and line.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise WTAError(f"cannot read WTA instance {path}: {exc}") from exc
    lines = [(k + 1, raw.split()) for k, raw in enumerate(text.splitlines()) if raw.strip()]
    if not lines:
        raise _bad(path, 1, "empty file; expected a first line 'm n mu'")
    head_no, head = lines[0]
    try:
        m, n, mu = (int(tok) for tok in head)
    except ValueError:
        raise _bad(path, head_no, "first line must be three integers 'm n mu'") from None
    if m <= 0 or n <= 0 or mu < 0:
        raise _bad(path, head_no, "m and n must be positive and mu non-negative")
    if len(lines) != 1 + n + m * n:
        last = lines[-1][0]
        raise _bad(
            path, last, f"expected {n} value lines and {m * n} 'i j p' lines, got {len(lines) - 1}"
        )
    values = np.empty(n)
    for k, (no, toks) in enumerate(lines[1 : 1 + n]):
        try:
            (values[k],) = (float(t) for t in toks)
        except ValueError:
            raise _bad(
                path, no, f"target value {k} must be one number, got {' '.join(toks)!r}"
            ) from None
        if not np.isfinite(values[k]) or values[k] < 0:
            raise _bad(path, no, f"target value {k} must be finite and non-negative")
    pk = np.full((m, n), np.nan)
    for no, toks in lines[1 + n :]:
        try:
            i_txt, j_txt, p_txt = toks
            i, j, p = int(i_txt), int(j_txt), float(p_txt)
        except ValueError:
            raise _bad(
                path, no, f"expected 'i j p' (two integers, a number), got {' '.join(toks)!r}"
            ) from None
        if not (0 <= i < m and 0 <= j < n):
            raise _bad(path, no, f"pair ({i}, {j}) out of range: i in 0..{m - 1}, j in 0..{n - 1}")
        if not 0.0 <= p < 1.0:
            raise _bad(path, no, f"kill probability {p} must lie in [0, 1)")
        if not np.isnan(pk[i, j]):
            raise _bad(path, no, f"pair ({i}, {j}) given twice")
        pk[i, j] = p
    return WTAProblem(values=values, pk=pk, inventory=np.full(m, mu, dtype=np.int64))


def ahuja_instance(n: int, seed: int) -> WTAProblem:
    """A seeded random instance in the style of Ahuja et al. (2007), Oper. Res. 55(6).

    ``n`` weapons of one unit each and ``n`` targets; values V ~ U[25, 100], kill probabilities
    p ~ U[0.6, 0.9]. The same ``(n, seed)`` always gives the same instance (used by the test suite
    and ``benchmarks/bench_wta.py``).
    """
    rng = np.random.default_rng([n, seed])
    return WTAProblem(
        values=rng.uniform(25.0, 100.0, n),
        pk=rng.uniform(0.6, 0.9, (n, n)),
        inventory=np.ones(n, dtype=np.int64),
    )
