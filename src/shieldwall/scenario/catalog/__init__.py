"""The sourced catalog: public, approximate parameters of missiles, interceptors, radars and
early-warning satellites, each parameter with its source and confidence.

Example
-------
>>> from shieldwall.scenario.catalog import load_catalog
>>> cat = load_catalog()
>>> cat.get("missile", "scud b").value("max_range_km")
300.0
"""

from __future__ import annotations

from shieldwall.scenario.catalog.keys import (
    CONFIDENCES,
    COST_KEYS,
    KEY_SPECS,
    KINDS,
    PARAM_KEYS,
    Confidence,
    KeySpec,
    Kind,
    unit_of,
)
from shieldwall.scenario.catalog.loader import (
    CATALOG_FILES,
    check_value,
    load_catalog,
    read_catalog_file,
    shipped_catalog_paths,
)
from shieldwall.scenario.catalog.model import Catalog, CatalogEntry, Param, Value, normalize_name

__all__ = [
    "CATALOG_FILES",
    "CONFIDENCES",
    "COST_KEYS",
    "KEY_SPECS",
    "KINDS",
    "PARAM_KEYS",
    "Catalog",
    "CatalogEntry",
    "Confidence",
    "KeySpec",
    "Kind",
    "Param",
    "Value",
    "check_value",
    "load_catalog",
    "normalize_name",
    "read_catalog_file",
    "shipped_catalog_paths",
    "unit_of",
]
