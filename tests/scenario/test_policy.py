"""Sharing policies: preset matrices and scenario policies (DESIGN.md §3)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from shieldwall.scenario import SHARE_LEVELS, build_policy, compile_world, load_scenario
from shieldwall.scenario.model import Link, PolicySpec
from tests.scenario.conftest import make_doc

NATIONS = ("A", "B", "C")


def test_presets() -> None:
    w = compile_world(load_scenario(make_doc(settings={"default_latency_s": 12})))
    off = ~np.eye(2, dtype=bool)
    expected_level = {"national": 0, "cueing": 1, "shared_tracks": 2, "integrated": 3}
    for name, level in expected_level.items():
        p = w.policies[name]
        assert p.name == name
        assert p.share.dtype == np.int8
        assert (np.diag(p.share) == 3).all()
        assert (p.share[off] == level).all()
        assert (np.diag(p.latency_s) == 0).all()
        assert (p.latency_s[off] == 12).all()
        assert np.diag(p.defends).all()
        assert p.defends[off].all() == (name == "integrated")
        assert not p.defends[off].any() or name == "integrated"


def test_scenario_policy() -> None:
    doc = make_doc(
        policies=[
            {
                "name": "tisa",
                "base": "national",
                "links": [
                    {"from": "GRN", "to": "BLU", "level": "track", "latency_s": 60},
                    {"from": "BLU", "to": "GRN", "level": "early_warning", "two_way": True},
                ],
                "defends": {"GRN": ["BLU"]},
            }
        ]
    )
    w = compile_world(load_scenario(doc))
    p = w.policies["tisa"]
    assert list(w.policies) == ["national", "cueing", "shared_tracks", "integrated", "tisa"]
    # the two-way BLU<->GRN early_warning link comes after GRN->BLU track and overrides it
    assert p.share.tolist() == [[3, 1], [1, 3]]
    assert p.latency_s.tolist() == [[0.0, 10.0], [10.0, 0.0]]
    assert p.defends.tolist() == [[True, False], [True, True]]


links = st.lists(
    st.fixed_dictionaries(
        {
            "from": st.sampled_from(NATIONS),
            "to": st.sampled_from(NATIONS),
            "level": st.sampled_from(SHARE_LEVELS),
            "latency_s": st.one_of(st.none(), st.floats(0, 3600)),
            "two_way": st.booleans(),
        }
    )
    .filter(lambda d: d["from"] != d["to"])
    .map(Link.model_validate),
    max_size=8,
)


@settings(max_examples=60, deadline=None)
@given(
    base=st.sampled_from(("national", "cueing", "shared_tracks", "integrated")),
    links=links,
    latency=st.floats(0, 100),
)
def test_policy_invariants(base: str, links: list[Link], latency: float) -> None:
    spec = PolicySpec(name="p", base=base, links=tuple(links))  # type: ignore[arg-type]
    p = build_policy(spec, NATIONS, latency)
    assert (np.diag(p.share) == 3).all()
    assert np.diag(p.defends).all()
    assert (np.diag(p.latency_s) == 0).all()
    assert ((p.share >= 0) & (p.share <= 3)).all()
    # the last link written for an ordered pair decides it
    last: dict[tuple[int, int], Link] = {}
    for link in links:
        a, b = NATIONS.index(link.src), NATIONS.index(link.dst)
        last[(a, b)] = link
        if link.two_way:
            last[(b, a)] = link
    for (a, b), link in last.items():
        assert p.share[a, b] == SHARE_LEVELS.index(link.level)
        assert p.latency_s[a, b] == (latency if link.latency_s is None else link.latency_s)
