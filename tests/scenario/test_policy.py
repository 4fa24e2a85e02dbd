"""Sharing policies: preset matrices and scenario policies (docs/architecture.md §5)."""

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


def _policy(**spec: object) -> np.ndarray | object:
    doc = make_doc(policies=[{"name": "p", **spec}])
    return compile_world(load_scenario(doc)).policies["p"]


def test_a_narrower_defends_restricts_the_base() -> None:
    """Regression (issue #9): `base: integrated` with a narrower `defends` was silently ignored
    (defends only ever added to the base)."""
    p = _policy(base="integrated", defends={"GRN": ["GRN"]})
    assert p.defends.tolist() == [[True, True], [False, True]]  # type: ignore[attr-defined]
    p = _policy(base="integrated", defends={"GRN": []})  # the own nation stays
    assert p.defends.tolist() == [[True, True], [False, True]]  # type: ignore[attr-defined]


def test_the_long_form_may_remove_the_own_nation() -> None:
    p = _policy(base="national", defends={"GRN": {"nations": ["BLU"], "own": False}})
    assert p.defends.tolist() == [[True, False], [True, False]]  # type: ignore[attr-defined]
    p = _policy(base="integrated", defends={"BLU": {"nations": ["all"], "own": False}})
    assert p.defends.tolist() == [[False, True], [True, True]]  # type: ignore[attr-defined]


def test_ifc_per_nation_and_all() -> None:
    assert _policy(base="national").ifc.tolist() == [False, False]  # type: ignore[attr-defined]
    assert _policy(base="integrated").ifc.tolist() == [True, True]  # type: ignore[attr-defined]
    p = _policy(base="national", ifc={"GRN": True})
    assert p.ifc.tolist() == [False, True]  # type: ignore[attr-defined]
    p = _policy(base="integrated", ifc={"BLU": False, "all": True})  # a named nation wins
    assert p.ifc.tolist() == [False, True]  # type: ignore[attr-defined]


def test_lever_mistakes_are_located() -> None:
    import pytest

    from shieldwall.errors import ScenarioError

    doc = make_doc(
        policies=[
            {
                "name": "p",
                "defends": {"GRN": {"nations": ["GRN"], "own": False}, "BLU": 3},
                "ifc": {"RED": True},
            }
        ]
    )
    with pytest.raises(ScenarioError) as info:
        load_scenario(doc)
    got = {p.path: p.message for p in info.value.problems}
    assert "lists itself" in got["policies[0].defends.GRN.own"]
    assert "list of nation ids" in got["policies[0].defends.BLU"]
    assert "unknown nation 'RED'" in got["policies[0].ifc.RED"]


@settings(max_examples=60, deadline=None)
@given(
    base=st.sampled_from(("national", "cueing", "shared_tracks", "integrated")),
    rows=st.dictionaries(
        st.sampled_from(NATIONS),
        st.tuples(st.lists(st.sampled_from((*NATIONS, "all")), max_size=3), st.booleans()),
    ),
    ifc=st.dictionaries(st.sampled_from((*NATIONS, "all")), st.booleans()),
)
def test_every_lever_written_takes_effect(
    base: str, rows: dict[str, tuple[list[str], bool]], ifc: dict[str, bool]
) -> None:
    defends = {
        d: ({"nations": allies, "own": own} if not own else allies)
        for d, (allies, own) in rows.items()
        if own or d not in allies
    }
    spec = PolicySpec.model_validate({"name": "p", "base": base, "defends": defends, "ifc": ifc})
    p = build_policy(spec, NATIONS, 10.0)
    preset = build_policy(PolicySpec(name="q", base=base), NATIONS, 10.0)  # type: ignore[arg-type]
    for d, nation in enumerate(NATIONS):
        want_ifc = ifc.get(nation, ifc.get("all", bool(preset.ifc[d])))
        assert bool(p.ifc[d]) is want_ifc
        if nation not in defends:
            assert (p.defends[d] == preset.defends[d]).all()  # rows not written: the base's
            continue
        allies, own = rows[nation]
        expected = {n for n in NATIONS if "all" in allies or n in allies}
        expected = (expected | {nation}) if own else (expected - {nation})
        assert {n for o, n in enumerate(NATIONS) if p.defends[d, o]} == expected
