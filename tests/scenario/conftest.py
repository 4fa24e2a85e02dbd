"""Shared fixtures of the scenario tests: the shipped catalog and a small valid document."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from shieldwall.scenario.catalog import Catalog, load_catalog

#: A small valid scenario as a dict (tests copy it and break one thing).
BASE_DOC: dict[str, Any] = {
    "name": "unit",
    "settings": {"trials": 10, "seed": 7},
    "nations": [{"id": "BLU", "name": "Blueland"}, {"id": "GRN", "name": "Greenland"}],
    "assets": [
        {
            "id": "city",
            "nation": "BLU",
            "location": {"lat_deg": 35.0, "lon_deg": 128.0},
            "value": 10,
            "radius_km": 5,
        },
        {
            "id": "port",
            "nation": "GRN",
            "location": {"lat_deg": 34.0, "lon_deg": 131.0},
            "value": 5,
        },
    ],
    "sensors": {
        "radars": [
            {
                "id": "gp",
                "type": "Green Pine",
                "nation": "BLU",
                "site": {"lat_deg": 36.0, "lon_deg": 127.5, "alt_m": 300},
                "boresight_az_deg": 340,
                "r0_km": 650,
            }
        ],
        "satellites": [{"id": "sat", "type": "SBIRS", "nation": "GRN", "latency_s": 45}],
    },
    "batteries": [
        {
            "id": "pat",
            "nation": "BLU",
            "interceptor": "PAC-3 MSE",
            "launchers": 4,
            "per_launcher": 12,
            "site": {"lat_deg": 35.02, "lon_deg": 128.02},
            "organic_radar": {"type": "AN/MPQ-65", "boresight_az_deg": 330},
        },
        {
            "id": "ship",
            "nation": "GRN",
            "interceptor": "SM-3 Block IIA",
            "launchers": 1,
            "per_launcher": 8,
            "fire_channels": 2,
            "platform": "ship",
            "site": {"lat_deg": 37.5, "lon_deg": 133.0, "alt_m": 25},
            "radar": "gp",
        },
    ],
    "threats": {
        "launch_areas": [
            {"id": "pt", "point": {"lat_deg": 38.6, "lon_deg": 126.0}},
            {
                "id": "bx",
                "box": {
                    "lat_min_deg": 38.9,
                    "lat_max_deg": 39.3,
                    "lon_min_deg": 127.2,
                    "lon_max_deg": 127.6,
                },
            },
        ],
        "raid": [
            {
                "missile": "Scud-C",
                "count": 3,
                "launch_t_s": 10,
                "interval_s": 5,
                "launch_area": "bx",
                "aim_asset": "city",
            },
            {
                "missile": "KN-23",
                "count": 2,
                "launch_area": "pt",
                "aim_point": {"lat_deg": 36.0, "lon_deg": 128.5},
                "shape": "depressed",
                "apogee_km": 50,
            },
        ],
    },
}


def make_doc(**changes: Any) -> dict[str, Any]:
    """A deep copy of :data:`BASE_DOC` with top-level keys replaced."""
    doc = copy.deepcopy(BASE_DOC)
    doc.update(changes)
    return doc


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog()


#: BASE_DOC plus variants, a policy and two phases: every part of the language at least once.
RICH_DOC: dict[str, Any] = {
    **copy.deepcopy(BASE_DOC),
    "base_phase": "p0",
    "interceptors": [{"name": "MSE+", "type": "PAC-3 MSE", "pk_srbm": 0.9}],
    "policies": [
        {
            "name": "mine",
            "base": "cueing",
            "links": [{"from": "BLU", "to": "GRN", "level": "track", "latency_s": 5}],
            "defends": {"GRN": ["BLU"]},
        }
    ],
    "phases": [
        {
            "name": "p1",
            "add": {
                "batteries": [
                    {
                        "id": "new",
                        "nation": "GRN",
                        "interceptor": "MSE+",
                        "launchers": 2,
                        "per_launcher": 4,
                        "site": {"lat_deg": 34.1, "lon_deg": 131.1},
                        "organic_radar": {"type": "AN/MPQ-65"},
                    }
                ],
                "assets": [
                    {
                        "id": "base2",
                        "nation": "GRN",
                        "location": {"lat_deg": 33.0, "lon_deg": 130.0},
                        "value": 2,
                    }
                ],
            },
            "move": [{"id": "gp", "boresight_az_deg": 300}],
        },
        {"name": "p2", "remove": ["pat", "base2"]},
    ],
}
