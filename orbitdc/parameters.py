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
reader (:func:`read_yaml`) and the validation of parameters against the stages' specs. Checks are
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
import os
import stat
import sys
import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Literal, Mapping

import astropy.units as u
import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from . import units
from ._deprecated import forward_moved_names
from .datadirs import SHIPPED_DATA_DIR, SHIPPED_NOTEBOOK_DIR, display_path, is_regular_file, layered_files
from .errors import ArchitectureError, ParameterError

#: The shipped data (inside the package when installed from a wheel, else the checkout's data/).
DATA_DIR = SHIPPED_DATA_DIR
NOTEBOOK_DIR = SHIPPED_NOTEBOOK_DIR
DEFAULTS_DIR = DATA_DIR / "defaults"
REFERENCES_DIR = DATA_DIR / "references"

#: Source tags: how much a figure can be trusted, from REFERENCES.md.
TAGS = ("claim", "peer-reviewed", "preprint", "engineering", "analyst", "secondary", "assumption")
DISTRIBUTIONS = ("triangular", "uniform", "lognormal", "loguniform", "fixed")

MAX_FILE_BYTES = 1_000_000
MAX_ALIASES = 50


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

    value: float | bool | str
    unit: str | None = None
    low: float | None = None
    high: float | None = None
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

    @property
    def sources(self) -> list[str]:
        return [self.source] if isinstance(self.source, str) else list(self.source)

    @property
    def is_numeric(self) -> bool:
        return isinstance(self.value, (int, float)) and not isinstance(self.value, bool)

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


class _DefaultsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    description: str
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

# --------------------------------------------------------------------------------------------
# YAML: safe loading, duplicate keys refused, alias expansion bounded
# --------------------------------------------------------------------------------------------
class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate mapping keys and counts aliases (billion-laughs guard)."""

    def __init__(self, stream):
        super().__init__(stream)
        self._aliases = 0

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                raise yaml.YAMLError(f"more than {MAX_ALIASES} YAML aliases: refused (alias expansion bound)")
        return super().compose_node(parent, index)

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            try:
                hash(key)
            except TypeError:
                raise yaml.constructor.ConstructorError(
                    None, None, "a mapping key must be a plain value (found a list or mapping)", key_node.start_mark
                ) from None
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key '{key}'", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def read_yaml(path: Path) -> Any:
    """Read a YAML file safely; every failure is an ArchitectureError naming the file.

    Only regular files are read (a folder, FIFO or device is refused without opening it for
    long: the file is opened non-blocking and checked with ``fstat``), at most
    :data:`MAX_FILE_BYTES`; YAML nested too deeply for the parser, integers too long for Python
    and unhashable or duplicate keys are errors like any other.
    """
    path = Path(path)
    file = display_path(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        what = "is a folder, not a YAML file" if exc.errno == 21 else f"cannot read file ({exc.strerror})"
        raise ArchitectureError(what, file=file) from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise ArchitectureError("is a folder, not a YAML file", file=file)
        if not stat.S_ISREG(info.st_mode):
            raise ArchitectureError("is not a regular file (a device, FIFO or socket)", file=file)
        if info.st_size > MAX_FILE_BYTES:
            raise ArchitectureError(f"file is {info.st_size} bytes, larger than the {MAX_FILE_BYTES} allowed", file=file)
        with os.fdopen(os.dup(fd), "rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise ArchitectureError(f"cannot read file ({exc.strerror or exc})", file=file) from None
    finally:
        os.close(fd)
    if len(data) > MAX_FILE_BYTES:
        raise ArchitectureError(f"file is larger than the {MAX_FILE_BYTES} bytes allowed", file=file)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ArchitectureError("file is not UTF-8 text", file=file) from None
    try:
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - _StrictLoader is a SafeLoader
    except yaml.YAMLError as exc:
        msg = " ".join(str(exc).split())
        raise ArchitectureError(f"invalid YAML: {msg}", file=file) from None
    except RecursionError:
        raise ArchitectureError("invalid YAML: nested too deeply", file=file) from None
    except (ValueError, TypeError, OverflowError) as exc:
        msg = " ".join(str(exc).split())
        if "integer string conversion" in msg:  # Python refuses to parse integers this long
            msg = f"an integer of more than {sys.get_int_max_str_digits()} digits"
        raise ArchitectureError(f"invalid YAML value: {msg}", file=file) from None


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

    for key in p.sources:
        if key not in refs:
            fail(f"source '{key}' is not a reference key in data/references/")
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
    if isinstance(p.value, bool) or isinstance(p.value, str):
        fail(f"value must be a number, got {p.value!r}")
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


def _validate_parameters(raw: Mapping[str, Parameter], file: str, specs: Mapping[str, ParameterSpec], refs) -> dict[str, Parameter]:
    out = {}
    for name, p in raw.items():
        if name not in specs:
            raise ArchitectureError(_unknown(name, specs), file=file, parameter=name)
        out[name] = _validate_parameter(name, p, specs[name], file, refs)
    return out


def _rel(path: Path) -> str:
    return display_path(path)


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
