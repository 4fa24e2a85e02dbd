"""The error hierarchy prints what the user needs, unquoted."""

from shieldwall.errors import CatalogError, Problem, ScenarioError


def test_catalog_error_is_not_quoted_like_a_key_error() -> None:
    assert str(CatalogError("unknown missile 'Nodongg'")) == "unknown missile 'Nodongg'"


def test_problems_are_listed_with_file_line_col() -> None:
    exc = ScenarioError(
        "scenario.yaml is not valid",
        [Problem(message="unknown field", path="sensors[0].nation", file="s.yaml", line=3, col=5)],
    )
    text = str(exc)
    assert text.splitlines()[0] == "scenario.yaml is not valid"
    assert "s.yaml:3:5: error: sensors[0].nation: unknown field" in text
