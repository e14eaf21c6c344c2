"""The schema of orbitdc's data: what a parameter, a reference and an architecture are.

An architecture is a YAML file in ``data/architectures/``. Every parameter has a ``value``, a
``unit`` astropy parses, a range (``low``/``high``) and optionally a ``distribution`` for Monte
Carlo, a ``source`` key (or list of keys) resolving in ``data/references/`` and an optional
``note``. References live in ``data/references/*.yaml`` (one file per domain, keys unique across
files). Parameters an architecture does not set come from the per-stage defaults in
``data/defaults/*.yaml`` (same format), so a new architecture only states what differs.

This module holds the schema and the checks every file of that format goes through:
:class:`ParameterSpec` (what a model stage accepts), :class:`Parameter`, :class:`Distribution`,
:class:`Reference`, :class:`Architecture` (a validated architecture), :data:`TAGS`, the one YAML
reader (``orbitdc._yaml.read_yaml``) and the validation of parameters against the stages' specs. Checks are
strict: unknown keys, missing units, units of the wrong dimension, values outside the physical
domain declared by the model stage, ``low > high``, NaN/inf, duplicate YAML keys, dangling source
keys and oversized alias expansion are all refused with an
:class:`~orbitdc.errors.ArchitectureError` naming the file, the parameter and the reason.

It sits below every model stage. Reading catalogs is :mod:`orbitdc.catalogs`; loading an
architecture (files, user data layers, defaults, scenarios, catalog-backed values) is
:mod:`orbitdc.architectures`; ``name=value`` text, overrides, sample counts and seeds are checked
in :mod:`orbitdc.arguments`. Their names are still importable from here for one release, with a
``DeprecationWarning``.
"""
from __future__ import annotations

import functools
import math
import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Literal, Mapping

import astropy.units as u
import numpy as np
from pydantic import BaseModel, ConfigDict, PrivateAttr, ValidationError, field_validator

from . import units
from ._deprecated import forward_moved_names
from ._yaml import MAX_ALIASES, MAX_FILE_BYTES, _StrictLoader, read_yaml  # noqa: F401  (the one YAML reader)
from .datadirs import SHIPPED_DATA_DIR, SHIPPED_NOTEBOOK_DIR, display_path, is_regular_file, layered_files
from .errors import ArchitectureError, ParameterError
from .paths import as_path

#: The shipped data (inside the package when installed from a wheel, else the checkout's data/).
DATA_DIR = SHIPPED_DATA_DIR
NOTEBOOK_DIR = SHIPPED_NOTEBOOK_DIR
DEFAULTS_DIR = DATA_DIR / "defaults"
REFERENCES_DIR = DATA_DIR / "references"

#: Source tags: how much a figure can be trusted, from REFERENCES.md.
TAGS = ("claim", "peer-reviewed", "preprint", "engineering", "analyst", "secondary", "assumption")
DISTRIBUTIONS = ("triangular", "uniform", "lognormal", "loguniform", "fixed")



# --------------------------------------------------------------------------------------------
# What the model stages accept: one ParameterSpec per parameter name, declared by the stage.
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ParameterSpec:
    """What a model stage accepts for one parameter (its schema, not its value).

    ``unit`` is the canonical unit the kernels read; ``minimum``/``maximum`` bound the physical
    domain (``exclusive_*`` makes a bound strict). ``kind`` is ``"number"``, ``"choice"`` (a string
    from ``choices``, which may be a callable returning the names, e.g. a catalog's entries) or
    ``"flag"`` (a boolean).
    """

    unit: str = "1"
    long_name: str = ""
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: bool = False
    exclusive_maximum: bool = False
    kind: Literal["number", "choice", "flag"] = "number"
    choices: tuple[str, ...] | Callable[[], Iterable[str]] | None = None
    #: ``(catalog, field, choice parameter)``: the default is the catalog ``field`` of the entry
    #: chosen by the choice parameter (e.g. ``("radiators", "areal_density", "radiator")``), so the
    #: catalog value holds unless an architecture file, an override or ``--set`` says otherwise.
    catalog: tuple[str, str, str] | None = None

    def allowed_choices(self) -> tuple[str, ...]:
        c = self.choices() if callable(self.choices) else self.choices
        return tuple(c or ())

    def check_number(self, name: str, value: float) -> None:
        """Raise ParameterError if ``value`` (canonical unit) is outside the physical domain."""
        if not math.isfinite(value):
            raise ParameterError(name, f"{value} is not a finite number")
        lo, hi = self.minimum, self.maximum
        if lo is not None and (value < lo or (self.exclusive_minimum and value == lo)):
            op = ">" if self.exclusive_minimum else ">="
            raise ParameterError(name, f"{value:g} {self.unit} is out of range: must be {op} {lo:g} {self.unit}")
        if hi is not None and (value > hi or (self.exclusive_maximum and value == hi)):
            op = "<" if self.exclusive_maximum else "<="
            raise ParameterError(name, f"{value:g} {self.unit} is out of range: must be {op} {hi:g} {self.unit}")

    def check_array(self, name: str, values: Any) -> None:
        """Vectorised domain check for override arrays (no loop over points)."""
        arr = np.asarray(values, dtype=float)
        if arr.size == 0:
            raise ParameterError(name, "no values given")
        bad = ~np.isfinite(arr)
        if self.minimum is not None:
            bad |= (arr <= self.minimum) if self.exclusive_minimum else (arr < self.minimum)
        if self.maximum is not None:
            bad |= (arr >= self.maximum) if self.exclusive_maximum else (arr > self.maximum)
        if bad.any():
            self.check_number(name, float(arr[bad].flat[0]))

# --------------------------------------------------------------------------------------------
# File schemas (pydantic, strict: unknown keys are errors)
# --------------------------------------------------------------------------------------------
class Distribution(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Literal["triangular", "uniform", "lognormal", "loguniform", "fixed"]


class Parameter(BaseModel):
    """One parameter as written in a file; canonical values are added by the loader."""

    model_config = ConfigDict(extra="forbid")

    #: a number, a flag, a name, or a path over the years ``{2026: 1500, 2030: 165}`` (a number's
    #: value by calendar year: :mod:`orbitdc.paths`)
    value: float | bool | str | dict[int, float]
    unit: str | None = None
    #: a number, or for a path a path over the same years (or a ``relative_range`` instead)
    low: float | dict[int, float] | None = None
    high: float | dict[int, float] | None = None
    #: a path's range as a fraction of its values (low = v (1 - r), high = v (1 + r)), instead of
    #: ``low``/``high`` paths
    relative_range: float | None = None
    distribution: Literal["triangular", "uniform", "lognormal", "loguniform", "fixed"] | None = None
    source: str | list[str]
    note: str | None = None
    #: ``design``: a decision an engineer makes (chosen by :func:`orbitdc.optimize`, held at its
    #: nominal or optimal value by :func:`orbitdc.monte_carlo`); ``uncertain``: a fact about the
    #: world nobody controls (drawn by Monte Carlo). Every parameter in ``data/defaults`` states
    #: its role; an architecture file inherits it unless it writes its own.
    role: Literal["design", "uncertain"] | None = None

    # filled in by the loader
    canonical_unit: str | None = None
    canonical_value: float | bool | str | None = None
    canonical_low: float | None = None
    canonical_high: float | None = None
    origin: str | None = None
    #: set by the loader when the value is a catalog default: the catalog entry it was read from
    catalog_entry: str | None = None

    @field_validator("source")
    @classmethod
    def _non_empty_source(cls, v):
        keys = [v] if isinstance(v, str) else v
        if not keys or any(not str(k).strip() for k in keys):
            raise ValueError("source must name at least one reference key")
        return v

    # set by the loader for a path: (value, low, high) as YearPaths in the canonical unit
    _year_path: Any = PrivateAttr(default=None)

    @property
    def sources(self) -> list[str]:
        return [self.source] if isinstance(self.source, str) else list(self.source)

    @property
    def is_numeric(self) -> bool:
        return isinstance(self.value, (int, float, dict)) and not isinstance(self.value, bool)

    @property
    def year_path(self):
        """For a path over the years: (value, low, high) as :class:`orbitdc.paths.YearPath` in
        the canonical unit (``canonical_value``/``low``/``high`` are their values at the
        architecture's ``start_year``); else None."""
        return self._year_path

    @property
    def quantity(self) -> u.Quantity:
        """The value as written, as an astropy Quantity."""
        return u.Quantity(self.value, units.parse_unit(self.unit or "1"))

    @property
    def is_design(self) -> bool:
        """True for a design variable (``role: design``)."""
        return self.role == "design"

    @property
    def dist(self) -> str:
        """Monte Carlo distribution: as written, else triangular(low, value, high) or fixed."""
        if self.distribution:
            return self.distribution
        if not self.is_numeric or self.canonical_low is None or self.canonical_low == self.canonical_high:
            return "fixed"
        return "triangular"


class Reference(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str
    author: str
    year: int
    url: str
    tag: Literal["claim", "peer-reviewed", "preprint", "engineering", "analyst", "secondary", "assumption"]
    note: str | None = None
    #: how the figures orbitdc takes from this reference were checked (issue 28): ``verified: <the
    #: source's own text, quoted>, <section/page>``, ``secondary: <the named report that restates
    #: them>`` or ``unverified`` (optionally ``unverified: <why>``). Every shipped reference has one
    #: (tests/test_published.py); a user's own reference may leave it out (read as unverified).
    verification: str | None = None

    @field_validator("verification")
    @classmethod
    def _verification_form(cls, v: str | None) -> str | None:
        if v is not None and not VERIFICATION_FORM.match(v):
            raise ValueError("verification must be 'verified: <quoted text>, <section/page>', "
                             "'secondary: <named report>' or 'unverified'")
        return v

    @property
    def verification_status(self) -> str:
        """``verified``, ``secondary`` or ``unverified`` (a missing status reads as unverified)."""
        return (self.verification or "unverified").split(":", 1)[0].strip()


#: the three forms of ``Reference.verification``
VERIFICATION_FORM = re.compile(r"^(?:(?:verified|secondary): \S.*|unverified(?:: \S.*)?)$", re.S)


class _ArchitectureFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    description: str
    company: str = ""
    kind: Literal["space", "terrestrial"] = "space"
    parameters: dict[str, Parameter]




@dataclass
class Architecture:
    """A validated architecture: parameters (own and inherited defaults) and their references."""

    name: str
    description: str
    kind: str
    parameters: dict[str, Parameter]
    references: dict[str, Reference]
    path: Path | None = None
    own: tuple[str, ...] = field(default_factory=tuple)
    #: who proposes it (optional ``company`` key of the file)
    company: str = ""
    #: where it was found by name: "shipped", a user folder, "./architectures" (None: by path)
    origin: str | None = None
    scenario: str | None = None  # the scenario layered over the file (orbitdc.scenarios), if any
    #: a fleet plan a scenario states (``data/fleets`` format, a mapping), used by the trajectory
    #: instead of the architecture's own file; None: the architecture's file
    fleet: dict[str, Any] | None = None
    #: trend values a scenario states (``data/trends`` parameters, validated), used by the
    #: trajectory as if given as overrides (explicit overrides still win)
    trends: dict[str, Parameter] = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"Architecture({self.name!r}, kind={self.kind!r}, {len(self.parameters)} parameters)"

    def design_variables(self) -> list[str]:
        """Names of the parameters whose role is ``design`` (sorted)."""
        return sorted(k for k, p in self.parameters.items() if p.is_design)

    def table(self) -> list[dict[str, Any]]:
        """One row per parameter: value, unit, range, distribution, role, sources with tags, note."""
        rows = []
        for name, p in sorted(self.parameters.items()):
            rows.append(
                {
                    "parameter": name,
                    "value": p.value,
                    "unit": p.unit or "",
                    "low": p.low,
                    "high": p.high,
                    "distribution": p.dist,
                    "role": p.role or "",
                    "source": ", ".join(p.sources),
                    "tag": ", ".join(sorted({self.references[k].tag for k in p.sources})),
                    "origin": p.origin,
                    "note": p.note or "",
                }
            )
        return rows

def _pydantic_reason(exc: ValidationError) -> tuple[str | None, str]:
    """(parameter name, reason) from the first pydantic error, in plain words."""
    err = exc.errors()[0]
    loc = [str(x) for x in err["loc"]]
    param = None
    if len(loc) >= 2 and loc[0] == "parameters":
        param = loc[1]
        loc = loc[2:]
    where = ".".join(x for x in loc if not x.startswith(("float", "bool", "str", "list")))
    kind = err["type"]
    if kind == "extra_forbidden":
        reason = f"unknown key '{where}'"
    elif kind == "missing":
        reason = f"missing required key '{where}'"
    else:
        reason = f"{where + ': ' if where else ''}{err['msg']}"
    return param, reason

# --------------------------------------------------------------------------------------------
# References
# --------------------------------------------------------------------------------------------
_REF_CACHE: dict[str, dict[str, Reference]] = {}


def _stamp(files: Iterable[Path]) -> str:
    """A cache key that changes when a file is added, removed or modified."""
    parts = []
    for f in files:
        try:
            parts.append(f"{f}:{f.stat().st_mtime_ns}")
        except OSError:
            parts.append(f"{f}:?")
    return "|".join(parts)


def load_references(directory: Path | None = None) -> dict[str, Reference]:
    """All references, by key, from every ``references/*.yaml`` of the shipped data and the user
    folders (or of ``directory`` alone); a key defined in two files is an error naming both."""
    if directory is not None:
        files = [f for f in sorted(Path(directory).glob("*.yaml")) if is_regular_file(f)]
    else:
        files = [f for f, _ in layered_files("references", "*.yaml")]
    stamp = _stamp(files)
    if stamp in _REF_CACHE:
        return _REF_CACHE[stamp]
    refs: dict[str, Reference] = {}
    origin: dict[str, str] = {}
    for path in files:
        file = _rel(path)
        raw = read_yaml(path)
        if not isinstance(raw, dict):
            raise ArchitectureError("expected a mapping of reference keys", file=file)
        for key, body in raw.items():
            key = str(key)
            if key in refs:
                raise ArchitectureError(f"reference '{key}' is defined twice (also in {origin[key]})", file=file)
            try:
                refs[key] = Reference.model_validate(body)
            except ValidationError as exc:
                _, reason = _pydantic_reason(exc)
                raise ArchitectureError(f"reference '{key}': {reason}", file=file) from None
            origin[key] = file
    _REF_CACHE.clear()
    _REF_CACHE[stamp] = refs
    return refs

# --------------------------------------------------------------------------------------------
# Parameter validation against the stage specs
# --------------------------------------------------------------------------------------------
def _unknown(name: str, known: Iterable[str]) -> str:
    known = sorted(known)
    close = difflib.get_close_matches(name, known, n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    return f"unknown parameter{hint} Known parameters: {', '.join(known)}"


def _validate_parameter(name: str, p: Parameter, spec: ParameterSpec, file: str, refs: Mapping[str, Reference]) -> Parameter:
    def fail(reason: str):
        raise ArchitectureError(reason, file=file, parameter=name)

    check_sources(p.sources, file, name, refs)
    if p.catalog_entry is not None and p.origin is None:
        fail("unknown key 'catalog_entry' (set by the loader, not in files)")
    p = p.model_copy()
    p.origin = file
    if spec.kind == "choice":
        if not isinstance(p.value, str):
            fail(f"value must be one of {', '.join(spec.allowed_choices())}, got {p.value!r}")
        if p.value not in spec.allowed_choices():
            fail(f"'{p.value}' is not one of {', '.join(spec.allowed_choices())}")
        if p.unit not in (None, "", "1") or p.low is not None or p.high is not None:
            fail("a choice takes no unit, low or high")
        p.canonical_value = p.value
        return p
    if spec.kind == "flag":
        if not isinstance(p.value, bool):
            fail(f"value must be true or false, got {p.value!r}")
        p.canonical_value = p.value
        return p
    # numbers
    if isinstance(p.value, dict):
        return _validate_year_path(name, p, spec, fail)
    if p.relative_range is not None:
        fail("relative_range is the range of a path over the years; a single value takes low and high")
    if isinstance(p.value, bool) or isinstance(p.value, str):
        fail(f"value must be a number, got {p.value!r}")
    for label, v in (("low", p.low), ("high", p.high)):
        if isinstance(v, (dict, bool, str)):  # a range path needs a value path over the same years
            fail(f"{label} must be a number when value is one, got {v!r}")
    if p.unit is None:
        fail(f"missing unit (expected a unit convertible to '{spec.unit}')")
    for label, v in (("value", p.value), ("low", p.low), ("high", p.high)):
        if v is not None and not math.isfinite(v):
            fail(f"{label} is {v}, not a finite number")
    if p.low is None or p.high is None:
        fail("missing range: give both 'low' and 'high' (equal to 'value' if it is exact)")
    if p.low > p.high:
        fail(f"low ({p.low:g}) is greater than high ({p.high:g})")
    if not p.low <= p.value <= p.high:
        fail(f"value {p.value:g} lies outside its range [{p.low:g}, {p.high:g}]")
    try:
        src = units.parse_unit(p.unit, name)
        canon = units.parse_unit(spec.unit, name)
    except ParameterError as exc:
        fail(exc.reason)
    if not (src.is_equivalent(canon, equivalencies=u.temperature())):
        fail(f"unit '{p.unit}' has the wrong dimension: expected a unit convertible to '{spec.unit}'")
    cv, cl, ch = (float(units.convert(x, src, canon, name)) for x in (p.value, p.low, p.high))
    for label, v in (("value", cv), ("low", cl), ("high", ch)):
        try:
            spec.check_number(name, v)
        except ParameterError as exc:
            fail(f"{label} {exc.reason}" if label != "value" else exc.reason)
    if p.distribution in ("lognormal", "loguniform") and cl <= 0:
        fail(f"a {p.distribution} distribution needs low > 0")
    p.canonical_unit, p.canonical_value, p.canonical_low, p.canonical_high = spec.unit, cv, cl, ch
    return p


def _validate_year_path(name: str, p: Parameter, spec: ParameterSpec, fail) -> Parameter:
    """A path over the years under ``value:`` (:mod:`orbitdc.paths`): its range as paths on the
    same years (``low:``/``high:``), as a ``relative_range``, or none (exact); each year's values
    checked like a number's. ``canonical_*`` hold the first year's values until
    :func:`resolve_year_paths` sets them at the architecture's start_year."""
    if p.unit is None:
        fail(f"missing unit (expected a unit convertible to '{spec.unit}')")
    try:
        src = units.parse_unit(p.unit, name)
        canon = units.parse_unit(spec.unit, name)
    except ParameterError as exc:
        fail(exc.reason)
    if not src.is_equivalent(canon, equivalencies=u.temperature()):
        fail(f"unit '{p.unit}' has the wrong dimension: expected a unit convertible to '{spec.unit}'")
    years = list(p.value)

    def convert(label: str, path: Mapping[int, Any]) -> dict[int, float]:
        if list(path) != years:
            fail(f"the {label} path must give the same years as the value path ({', '.join(str(y) for y in years)})")
        try:
            return {y: float(units.convert(float(v), src, canon, name)) for y, v in path.items()}
        except (TypeError, ValueError):
            fail(f"{label}: path values must be numbers")

    value = convert("value", p.value)
    if p.relative_range is not None:
        if p.low is not None or p.high is not None:
            fail("give either low/high paths or a relative_range, not both")
        r = float(p.relative_range)
        if not (math.isfinite(r) and 0 <= r < 1):
            fail(f"relative_range must lie in [0, 1), got {r:g}")
        low = {y: v * (1.0 - r) for y, v in value.items()}
        high = {y: v * (1.0 + r) for y, v in value.items()}
    elif p.low is None and p.high is None:
        low, high = dict(value), dict(value)
    else:
        if not isinstance(p.low, dict) or not isinstance(p.high, dict):
            fail("a path's range is a low and a high path over the same years (or a relative_range)")
        low, high = convert("low", p.low), convert("high", p.high)
    built = []
    for label, path in (("value", value), ("low", low), ("high", high)):
        try:
            built.append(as_path(name, path, spec.unit, check=lambda a: spec.check_array(name, a)))
        except ParameterError as exc:
            fail(exc.reason if label == "value" else f"{label} path: {exc.reason}")
    lo_bad = np.flatnonzero(built[1].values > built[0].values)
    hi_bad = np.flatnonzero(built[2].values < built[0].values)
    if lo_bad.size or hi_bad.size:
        i = int((lo_bad if lo_bad.size else hi_bad)[0])
        fail(f"{years[i]}: value {built[0].values[i]:g} lies outside its range [{built[1].values[i]:g}, {built[2].values[i]:g}]")
    p.canonical_unit = spec.unit
    p.canonical_value, p.canonical_low, p.canonical_high = (float(b.values[0]) for b in built)
    p._year_path = tuple(built)
    return p


def resolve_year_paths(params: Mapping[str, Parameter]) -> None:
    """Set every path parameter's ``canonical_value``/``low``/``high`` to the path's values at
    the architecture's ``start_year`` (what :func:`orbitdc.evaluate` and the Monte Carlo use)."""
    if "start_year" not in params:
        return
    start = float(params["start_year"].canonical_value)
    for p in params.values():
        if p.year_path is not None:
            p.canonical_value, p.canonical_low, p.canonical_high = (float(b.at(start)) for b in p.year_path)


def _validate_parameters(raw: Mapping[str, Parameter], file: str, specs: Mapping[str, ParameterSpec], refs) -> dict[str, Parameter]:
    out = {}
    for name, p in raw.items():
        if name not in specs:
            raise ArchitectureError(_unknown(name, specs), file=file, parameter=name)
        out[name] = _validate_parameter(name, p, specs[name], file, refs)
    return out


def _rel(path: Path) -> str:
    return display_path(path)


def check_sources(keys: Iterable[str], file: str, parameter: str | None = None,
                  refs: Mapping[str, Reference] | None = None) -> None:
    """Refuse a source key that is not a reference key (one message for every file format)."""
    refs = load_references() if refs is None else refs
    for key in keys:
        if key not in refs:
            raise ArchitectureError(f"source '{key}' is not a reference key in data/references/", file=file,
                                    parameter=parameter)


# --------------------------------------------------------------------------------------------
# The one path every YAML data file takes: read (read_yaml), check against a schema, name the
# file, the parameter and the reason
# --------------------------------------------------------------------------------------------
def read_document(source: Path | Mapping[str, Any], model: type[BaseModel], file: str | None = None, *,
                  key_path: bool = False) -> Any:
    """A YAML data file (a path, or a mapping already in memory) checked against a pydantic schema.

    Every failure is one :class:`~orbitdc.errors.ArchitectureError` naming the file (``file``, else
    the path as shown to users), the parameter (``parameters.NAME`` of the document) and the reason
    in plain words: unreadable, not YAML, not a mapping, an unknown or missing key, a value of the
    wrong type. With ``key_path`` an error outside ``parameters`` names the key path (up to three
    keys, e.g. ``vehicles.falcon-9.share``) as its parameter.
    """
    if isinstance(source, Mapping):
        raw = source
        file = file or "(in memory)"
    else:
        file = file or _rel(Path(source))
        raw = read_yaml(Path(source))
    if not isinstance(raw, Mapping):
        required = [k for k, f in model.model_fields.items() if f.is_required()]
        keys = " and ".join([", ".join(required[:-1]), required[-1]] if len(required) > 1 else required)
        raise ArchitectureError(f"expected a mapping with {keys}", file=file)
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        param, reason = _pydantic_reason(exc)
        if param is None and key_path:
            loc = exc.errors()[0]["loc"][:3]
            param = ".".join(str(x) for x in loc if not str(x).startswith(("float", "int", "str", "list"))) or None
        raise ArchitectureError(reason, file=file, parameter=param) from None


class ParametersFile(BaseModel):
    """A file of parameters (``data/defaults``, ``data/trends``): a description and parameters."""

    model_config = ConfigDict(extra="forbid")
    description: str
    parameters: dict[str, Parameter]


def read_parameters_file(path: Path, specs: Mapping[str, ParameterSpec], *, model: type[BaseModel] = ParametersFile,
                         refs: Mapping[str, Reference] | None = None,
                         check: Callable[[str, Parameter], str | None] | None = None) -> tuple[Any, dict[str, Parameter]]:
    """Read and validate a parameters-style YAML file: (the document, its validated parameters).

    :func:`read_document` against ``model`` (a schema with a ``parameters`` mapping), then, for each
    parameter, ``check(name, parameter)`` (a reason to refuse it, or None) and the validation
    against ``specs`` (units, ranges, domain, source keys: ``_validate_parameters``). Used by
    architecture files, defaults, scenarios and trends; every error names file, parameter, reason.
    """
    file = _rel(Path(path))
    doc = read_document(path, model, file)
    if check is not None:
        for name, p in doc.parameters.items():
            reason = check(name, p)
            if reason:
                raise ArchitectureError(reason, file=file, parameter=name)
    refs = load_references() if refs is None else refs
    return doc, _validate_parameters(doc.parameters, file, specs, refs)


_DefaultsFile = ParametersFile  # its name before read_parameters_file


# --------------------------------------------------------------------------------------------
# Names and text
# --------------------------------------------------------------------------------------------
def suggest(name: str, known: Iterable[str]) -> str:
    """``" (did you mean a, b?)"`` for close matches of a mistyped name (difflib), else ``""``."""
    close = difflib.get_close_matches(str(name), sorted(known), n=3)
    return f" (did you mean {', '.join(close)}?)" if close else ""


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def has_control_characters(text: str) -> bool:
    """True if ``text`` holds control or format characters (terminal escape sequences, bidi
    overrides): such text is refused as a name and escaped when printed."""
    return bool(_CONTROL.search(text)) or any(unicodedata.category(c) in ("Cc", "Cf") for c in text)


# --------------------------------------------------------------------------------------------
# Defaults of public model functions
# --------------------------------------------------------------------------------------------
def default_value(stage: str, name: str, unit: str) -> float:
    """A parameter's default from ``data/defaults/STAGE.yaml``, in ``unit``.

    For public model functions whose keyword defaults are world numbers (e.g. the solar flux):
    the number stays in data/, with its source. Cached by the file's modification time.
    """
    path = DEFAULTS_DIR / f"{stage}.yaml"
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        stamp = None  # read_yaml names the file
    return _default_value(path, name, unit, stamp)


@functools.lru_cache(maxsize=256)
def _default_value(path: Path, name: str, unit: str, stamp: int | None) -> float:
    doc = read_yaml(path)
    try:
        p = doc["parameters"][name]
    except (KeyError, TypeError):
        raise ArchitectureError(f"no default for '{name}'", file=f"data/defaults/{path.name}", parameter=name) from None
    return float(units.convert(p["value"], p.get("unit", "1"), unit, name))


# --------------------------------------------------------------------------------------------
# Names that moved (importable from here for one release, with a DeprecationWarning)
# --------------------------------------------------------------------------------------------
_CATALOG_NAMES = ("CATALOG_DIR", "CATALOG_COLUMNS", "catalog_files", "catalog_stamp", "load_catalog", "catalog_rows",
                  "catalog_generation", "register_catalog_dir", "unregister_catalog_dir", "catalog_parameter",
                  "catalog_parameter_value", "catalog_value", "catalog_lookup", "catalog_choices")
_ARCHITECTURE_NAMES = ("ARCHITECTURE_DIR", "PUBLISHED_DIR", "architecture_files", "list_architectures",
                       "list_published", "load_architecture", "load_defaults", "follow_catalog_choices")
_ARGUMENT_NAMES = ("MAX_SEED", "parse_assignment", "check_seed", "check_samples", "check_override")
_MOVED = {
    **{n: "orbitdc.catalogs" for n in _CATALOG_NAMES},
    **{n: "orbitdc.architectures" for n in _ARCHITECTURE_NAMES},
    **{n: "orbitdc.arguments" for n in _ARGUMENT_NAMES},
    "parameter_specs": "orbitdc.stages",
}
__getattr__ = forward_moved_names(__name__, _MOVED)
