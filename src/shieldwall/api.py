"""The curated public Python API of shieldwall.

Import from here in notebooks and scripts::

    from shieldwall import api

    scenario = api.load_scenario("examples/korea_japan.yaml")
"""

from __future__ import annotations

from shieldwall.earth.geodesy import (
    aer_to_ecef,
    ecef_to_aer,
    ecef_to_enu,
    ecef_to_geodetic,
    enu_to_ecef,
    geodesic_direct,
    geodesic_inverse,
    geodetic_to_ecef,
)
from shieldwall.errors import (
    CatalogError,
    Problem,
    ScenarioError,
    ShieldwallError,
    TargetingError,
)
from shieldwall.scenario import Policy, Scenario, World, compile_world, load_scenario
from shieldwall.scenario.catalog import (
    Catalog,
    CatalogEntry,
    Param,
    load_catalog,
    read_catalog_file,
)

__all__ = [
    "Catalog",
    "CatalogEntry",
    "CatalogError",
    "Param",
    "Policy",
    "Problem",
    "Scenario",
    "ScenarioError",
    "ShieldwallError",
    "TargetingError",
    "World",
    "aer_to_ecef",
    "compile_world",
    "ecef_to_aer",
    "ecef_to_enu",
    "ecef_to_geodetic",
    "enu_to_ecef",
    "geodesic_direct",
    "geodesic_inverse",
    "geodetic_to_ecef",
    "load_catalog",
    "load_scenario",
    "read_catalog_file",
]
