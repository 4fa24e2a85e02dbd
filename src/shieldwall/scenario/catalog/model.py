"""Catalog records: a sourced parameter, an entry (one system), the catalog (all of them).

These are plain frozen dataclasses built by :mod:`shieldwall.scenario.catalog.loader` after the
YAML has been validated; they never hold unchecked data.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from shieldwall.errors import CatalogError
from shieldwall.scenario.catalog.keys import KINDS, PARAM_KEYS, Confidence, Kind

__all__ = ["Catalog", "CatalogEntry", "Param", "Value", "normalize_name"]

#: A parameter value as written in the catalog (I/O units as named by the key).
Value = float | str | bool

_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


def normalize_name(name: str) -> str:
    """The lookup form of a name: lower case, letters and digits only.

    ``"PAC-3 MSE"``, ``"pac3 mse"`` and ``"PAC3-MSE"`` all become ``"pac3mse"``.
    """
    return _NOT_ALNUM.sub("", name.casefold())


@dataclass(frozen=True, kw_only=True)
class Param:
    """One catalog parameter and where it comes from.

    Parameters
    ----------
    value
        The value, in the I/O unit named by its key (``max_range_km`` is in km).
    source
        Who says so (publication, date), or how an assumption was chosen.
    confidence
        ``high``, ``medium``, ``low`` or ``assumption`` (no public figure: a labelled guess).
    range
        Plausible ``(lo, hi)`` for the value, required for a numeric assumption; ``None`` if not
        given. Always contains ``value``.
    note
        Free-text caveats: conflicting figures, how a value was computed or calibrated.
    url
        Address of the source, ``""`` if none.
    see
        Further supporting sources as ``(text, url)`` pairs, e.g. the quoted figure an assumption
        was calibrated from.
    """

    value: Value
    source: str
    confidence: Confidence
    range: tuple[float, float] | None = None
    note: str = ""
    url: str = ""
    see: tuple[tuple[str, str], ...] = ()

    @property
    def is_assumption(self) -> bool:
        """Whether the value is a labelled assumption rather than a public figure."""
        return self.confidence == "assumption"


@dataclass(frozen=True, kw_only=True)
class CatalogEntry:
    """One system of the catalog (a missile type, interceptor type, radar type or satellite).

    Parameters
    ----------
    name
        Canonical name, e.g. ``"PAC-3 MSE"``.
    kind
        ``missile``, ``interceptor``, ``radar`` or ``satellite``.
    aliases
        Other names it is found under (lookup is case/space/punctuation-insensitive).
    description
        One or two sentences on what it is.
    params
        Every key of :data:`~shieldwall.scenario.catalog.keys.PARAM_KEYS` for ``kind``.
    """

    name: str
    kind: Kind
    aliases: tuple[str, ...] = ()
    description: str = ""
    params: Mapping[str, Param] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "params", MappingProxyType(dict(self.params)))

    def value(self, key: str) -> Value:
        """The plain value of one parameter (I/O unit as named by ``key``).

        Raises
        ------
        CatalogError
            If ``key`` is not a parameter of this entry's kind.
        """
        try:
            return self.params[key].value
        except KeyError:
            allowed = ", ".join(PARAM_KEYS[self.kind])
            raise CatalogError(
                f"{self.kind} {self.name!r} has no parameter {key!r}; {self.kind} parameters "
                f"are: {allowed}"
            ) from None

    def values(self) -> dict[str, Value]:
        """All plain values, keyed as in the catalog (I/O units as in the key names)."""
        return {key: param.value for key, param in self.params.items()}

    @property
    def n_assumptions(self) -> int:
        """How many parameters are labelled assumptions."""
        return sum(param.is_assumption for param in self.params.values())


@dataclass(frozen=True)
class Catalog:
    """All catalog entries, looked up by kind and name (or alias).

    Build one with :func:`~shieldwall.scenario.catalog.load_catalog` (the shipped files), with
    ``Catalog(entries)`` or :meth:`from_entries`; names and aliases must be unique across the whole
    catalog (ignoring case, spaces and punctuation).

    Raises
    ------
    CatalogError
        If two entries share a name or alias.
    """

    entries: tuple[CatalogEntry, ...]
    _index: Mapping[tuple[str, str], CatalogEntry] = field(
        init=False, repr=False, compare=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        entries = tuple(self.entries)
        index: dict[tuple[str, str], CatalogEntry] = {}
        owner: dict[str, CatalogEntry] = {}
        clashes: list[str] = []
        for entry in entries:
            for label in {normalize_name(n) for n in (entry.name, *entry.aliases)}:
                if label in owner and owner[label] is not entry:
                    other = owner[label]
                    clashes.append(f"{other.kind} {other.name!r} and {entry.kind} {entry.name!r}")
                    continue
                owner[label] = entry
                index[(entry.kind, label)] = entry
        if clashes:
            raise CatalogError(
                "catalog names and aliases must be unique (ignoring case, spaces and "
                "punctuation); clashing: " + "; ".join(clashes)
            )
        object.__setattr__(self, "entries", entries)
        object.__setattr__(self, "_index", MappingProxyType(index))

    @classmethod
    def from_entries(cls, entries: Iterable[CatalogEntry]) -> Catalog:
        """A catalog of these entries (see the class for the uniqueness rule)."""
        return cls(tuple(entries))

    @property
    def kinds(self) -> tuple[Kind, ...]:
        """The catalog kinds: ``("missile", "interceptor", "radar", "satellite")``."""
        return KINDS

    def entries_of(self, kind: str) -> list[CatalogEntry]:
        """The entries of one kind, in file order."""
        self._check_kind(kind)
        return [entry for entry in self.entries if entry.kind == kind]

    def names(self, kind: str) -> list[str]:
        """Canonical names of one kind, in file order."""
        return [entry.name for entry in self.entries_of(kind)]

    def get(self, kind: str, name: str) -> CatalogEntry:
        """The entry called ``name`` (or one of its aliases) of this kind.

        Matching ignores case, spaces and punctuation: ``"pac3 mse"`` finds ``"PAC-3 MSE"``.

        Raises
        ------
        CatalogError
            If there is no such entry; the message lists close matches and the valid names.
        """
        self._check_kind(kind)
        found = self._index.get((kind, normalize_name(name)))
        if found is not None:
            return found
        raise CatalogError(self._unknown_message(kind, name))

    def find(self, name: str) -> CatalogEntry:
        """The entry called ``name`` whatever its kind (names are unique across kinds).

        Raises
        ------
        CatalogError
            If there is no such entry; the message lists close matches.
        """
        label = normalize_name(name)
        for kind in KINDS:
            found = self._index.get((kind, label))
            if found is not None:
                return found
        raise CatalogError(self._unknown_message(None, name))

    def _check_kind(self, kind: str) -> None:
        if kind not in KINDS:
            raise CatalogError(f"unknown catalog kind {kind!r}; kinds are: {', '.join(KINDS)}")

    def _unknown_message(self, kind: str | None, name: str) -> str:
        pool = [e for e in self.entries if kind is None or e.kind == kind]
        labels: dict[str, str] = {}
        for entry in pool:
            for label in (entry.name, *entry.aliases):
                labels.setdefault(normalize_name(label), entry.name)
        close = difflib.get_close_matches(normalize_name(name), list(labels), n=5, cutoff=0.5)
        suggestions = list(dict.fromkeys(labels[c] for c in close))
        what = f"{kind} " if kind else ""
        message = f"unknown {what}catalog name {name!r}"
        if suggestions:
            message += "; did you mean: " + ", ".join(suggestions) + "?"
        message += " Known: " + ", ".join(e.name for e in pool)
        return message
