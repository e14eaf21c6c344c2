"""Architectures, catalogs and references as validated data.

An architecture is a YAML file in ``data/architectures/``. Every parameter has a ``value``, a
``unit`` astropy parses, a range (``low``/``high``) and optionally a ``distribution`` for Monte
Carlo, a ``source`` key (or list of keys) resolving in ``data/references/`` and an optional
``note``. References live in ``data/references/*.yaml`` (one file per domain, keys unique across
files). Parameters an architecture does not set come from the per-stage defaults in
``data/defaults/*.yaml`` (same format), so a new architecture only states what differs.

Loading is strict: unknown keys, missing units, units of the wrong dimension, values outside the
physical domain declared by the model stage (:class:`ParameterSpec`), ``low > high``, NaN/inf,
duplicate YAML keys, dangling source keys and oversized alias expansion are all refused with an
:class:`~orbitdc.errors.ArchitectureError` naming the file, the parameter and the reason.

Catalogs (``data/catalogs/*.csv``) are long tables, one sourced number per row:
``entry,field,value,unit,low,high,source,note``; :func:`load_catalog` returns them as an
``xarray.Dataset`` along the entry dimension.

User data (``--data-dir``, ``ORBITDC_DATA_DIR``, ``./architectures``; see
:mod:`orbitdc.datadirs`) is layered over the shipped data with the same validation: the same
architecture name, reference key or catalog entry in two files is an error naming both files.

``name=value`` text (``--set``, ``orbitdc report``) is parsed here too
(:func:`parse_assignment`), with the checks of the run settings (:func:`check_seed`,
:func:`check_samples`), so the command line and the report validate before anything runs.
"""
from __future__ import annotations

import csv
import dataclasses
import difflib
import math
from functools import lru_cache
import numbers
import os
import re
import stat
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Literal, Mapping

import astropy.units as u
import numpy as np
import xarray as xr
import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from . import units
from .datadirs import SHIPPED_DATA_DIR, SHIPPED_NOTEBOOK_DIR, DataLayer, display_path, is_regular_file, layered_files
from .errors import ArchitectureError, OrbitdcError, ParameterError

#: The shipped data (inside the package when installed from a wheel, else the checkout's data/).
DATA_DIR = SHIPPED_DATA_DIR
NOTEBOOK_DIR = SHIPPED_NOTEBOOK_DIR
ARCHITECTURE_DIR = DATA_DIR / "architectures"
DEFAULTS_DIR = DATA_DIR / "defaults"
CATALOG_DIR = DATA_DIR / "catalogs"
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


def load_defaults(specs: Mapping[str, ParameterSpec] | None = None) -> dict[str, Parameter]:
    """Default parameters from every ``data/defaults/*.yaml`` (a name may be set only once)."""
    specs = specs if specs is not None else _all_specs()
    refs = load_references()
    merged: dict[str, Parameter] = {}
    for path in sorted(f for f in DEFAULTS_DIR.glob("*.yaml") if is_regular_file(f)):
        raw = read_yaml(path)
        file = _rel(path)
        try:
            doc = _DefaultsFile.model_validate(raw)
        except ValidationError as exc:
            param, reason = _pydantic_reason(exc)
            raise ArchitectureError(reason, file=file, parameter=param) from None
        for name, p in _validate_parameters(doc.parameters, file, specs, refs).items():
            if p.role is None:
                raise ArchitectureError("missing 'role' (design or uncertain): every default states whether it is a "
                                        "decision or an uncertainty", file=file, parameter=name)
            if name in merged:
                raise ArchitectureError(f"set twice in the defaults (also in {merged[name].origin})", file=file, parameter=name)
            merged[name] = p
    return merged


# --------------------------------------------------------------------------------------------
# Services of the layers above this module (dependency inversion, not an import)
# --------------------------------------------------------------------------------------------
# Which parameters exist is declared by the stages (orbitdc.chain collects their specs), and
# scenario files are layered by orbitdc.scenarios. Both import this module, so importing them from
# here would close an import circle. They hand their functions in instead: orbitdc.chain registers
# its spec collector when it is imported and orbitdc/__init__.py the scenario layer; any
# ``import orbitdc.<module>`` runs orbitdc/__init__.py first, so both are in place before use.
_SPEC_SOURCE: list[Callable[[str | None], dict[str, ParameterSpec]]] = []
_SCENARIO_LAYER: list[Callable[["Architecture", str], "Architecture"]] = []


def use_parameter_specs(source: Callable[[str | None], dict[str, ParameterSpec]]) -> None:
    """Register the function that lists every parameter the stages accept
    (:func:`orbitdc.chain.parameter_specs`: ``source(kind)``, all kinds for ``None``)."""
    _SPEC_SOURCE[:] = [source]


def use_scenario_layer(apply: Callable[["Architecture", str], "Architecture"]) -> None:
    """Register the function that layers a scenario over an architecture
    (:func:`orbitdc.scenarios.apply_scenario`)."""
    _SCENARIO_LAYER[:] = [apply]


def _registered(slot: list, what: str) -> Callable:
    if not slot:  # only if orbitdc/__init__.py did not run to its end
        raise RuntimeError(f"no {what} is registered: import orbitdc (its __init__ wires it in)")
    return slot[0]


def parameter_specs(kind: str | None = None) -> dict[str, ParameterSpec]:
    """Every parameter any stage accepts, by name; with ``kind``, only those of the stages that
    apply to that kind of architecture (:func:`orbitdc.chain.parameter_specs`)."""
    return _registered(_SPEC_SOURCE, "parameter spec source (orbitdc.chain)")(kind)


_all_specs = parameter_specs  # the name used inside this module before the registry existed


#: Published analyses with their own assumptions (loaded by name like any shipped architecture).
PUBLISHED_DIR = ARCHITECTURE_DIR / "published"


def architecture_files() -> dict[str, tuple[Path, DataLayer]]:
    """Every architecture file by name (its file name without ``.yaml``), with the layer it comes
    from: the shipped data, a user folder, or ``./architectures``. A name found in two files is
    an error naming both: a user architecture never silently shadows another."""
    index: dict[str, tuple[Path, DataLayer]] = {}
    for path, layer in [*layered_files("architectures", "*.yaml"), *layered_files("architectures/published", "*.yaml")]:
        name = path.stem
        if name in index:
            other = index[name][0]
            raise ArchitectureError(
                f"architecture '{name}' is defined twice: {display_path(other)} ({index[name][1].origin}) and "
                f"{display_path(path)} ({layer.origin}); rename one of them"
            )
        index[name] = (path, layer)
    return index


def list_architectures() -> list[str]:
    """Names of the architectures: shipped (``data/architectures/*.yaml``) and the user's
    (``--data-dir``/``ORBITDC_DATA_DIR``, ``./architectures``)."""
    return sorted(architecture_files())



def list_published() -> list[str]:
    """Names of the published analyses (``data/architectures/published/*.yaml``)."""
    return sorted(p.stem for p in PUBLISHED_DIR.glob("*.yaml"))

def suggest(name: str, known: Iterable[str]) -> str:
    """``" (did you mean a, b?)"`` for close matches of a mistyped name (difflib), else ``""``."""
    close = difflib.get_close_matches(str(name), sorted(known), n=3)
    return f" (did you mean {', '.join(close)}?)" if close else ""


def _resolve_path(name_or_path: str | Path) -> tuple[Path, str | None]:
    if not isinstance(name_or_path, (str, Path)):
        raise ArchitectureError(
            f"expected an architecture name, a path to a YAML file or an Architecture, got {type(name_or_path).__name__}"
        )
    text = str(name_or_path)
    if not text.strip():
        raise ArchitectureError("empty architecture name")
    path = Path(text)
    if path.suffix in (".yaml", ".yml") or path.parent != Path("."):
        return path, None
    index = architecture_files()
    if text not in index:
        known = sorted(index)
        raise ArchitectureError(f"unknown architecture '{text}'{suggest(text, known)}; known: {', '.join(known)}")
    found, layer = index[text]
    return found, layer.origin


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def has_control_characters(text: str) -> bool:
    """True if ``text`` holds control or format characters (terminal escape sequences, bidi
    overrides): such text is refused as a name and escaped when printed."""
    return bool(_CONTROL.search(text)) or any(unicodedata.category(c) in ("Cc", "Cf") for c in text)


def _architecture_stamp(path: Path) -> tuple:
    """What a loaded architecture depends on, cheaply: its file and the data folders it reads
    (modification times and sizes; a few dozen ``stat`` calls, ~50 us)."""
    def sig(p: Path) -> tuple:
        st = p.stat()
        return (str(p), st.st_mtime_ns, st.st_size)

    deps = [path, *(p for p, _ in layered_files("references", "*.yaml")), *sorted(DEFAULTS_DIR.glob("*.yaml")),
            *(p for p, _ in layered_files("catalogs", "*.csv")),
            *(f for d in USER_CATALOG_DIRS for f in sorted(d.glob("*.csv")))]
    try:
        return tuple(sig(p) for p in deps)
    except OSError:
        return ()


_ARCH_CACHE: dict[tuple, tuple[tuple, "Architecture"]] = {}


def load_architecture(name_or_path: str | Path | Architecture, scenario: str | None = None) -> Architecture:
    """Load and validate an architecture by name (shipped or the user's; see
    :mod:`orbitdc.datadirs`) or by path. Its ``name`` must equal the file name.

    ``scenario`` (e.g. ``"proponent"``, ``"base"``, ``"skeptic"``) layers
    ``data/scenarios/NAME/SCENARIO.yaml`` over it (:func:`orbitdc.scenarios.apply_scenario`).
    Cached: a second load of an unchanged file (and unchanged references, defaults and catalogs,
    shipped and the user's) returns a copy of the validated architecture without reading or
    validating again.
    """
    if scenario is not None:
        apply_scenario = _registered(_SCENARIO_LAYER, "scenario layer (orbitdc.scenarios)")
        return apply_scenario(load_architecture(name_or_path), scenario)
    if isinstance(name_or_path, Architecture):
        return name_or_path
    path, origin = _resolve_path(name_or_path)
    user_catalogs = path.parent / "catalogs"
    if user_catalogs.is_dir() and path.suffix in (".yaml", ".yml"):
        register_catalog_dir(user_catalogs)
    try:
        key = (path.resolve(), origin)
    except OSError:
        key = (path, origin)
    stamp = _architecture_stamp(path)
    hit = _ARCH_CACHE.get(key)
    if stamp and hit is not None and hit[0] == stamp:
        # a copy per caller: replacing a parameter in one result cannot leak into another
        return dataclasses.replace(hit[1], parameters={k: v.model_copy() for k, v in hit[1].parameters.items()})
    arch = _load_architecture_file(path, origin)
    if stamp:
        _ARCH_CACHE[key] = (stamp, arch)
        return dataclasses.replace(arch, parameters={k: v.model_copy() for k, v in arch.parameters.items()})
    return arch


def _load_architecture_file(path: Path, origin: str | None) -> Architecture:
    file = _rel(path)
    raw = read_yaml(path)
    if not isinstance(raw, dict):
        raise ArchitectureError("expected a mapping with name, description and parameters", file=file)
    try:
        doc = _ArchitectureFile.model_validate(raw)
    except ValidationError as exc:
        param, reason = _pydantic_reason(exc)
        raise ArchitectureError(reason, file=file, parameter=param) from None
    specs = _all_specs()
    refs = load_references()
    own = _validate_parameters(doc.parameters, file, specs, refs)
    # Only the parameters of the stages that apply to this kind (no orbit on the ground).
    applicable = _all_specs(doc.kind)
    for name in own:
        if name not in applicable:
            raise ArchitectureError(f"does not apply to a {doc.kind} architecture (no {doc.kind} stage reads it)",
                                    file=file, parameter=name)
    defaults = load_defaults(specs)
    for name, p in own.items():
        if p.role is None and name in defaults:
            p.role = defaults[name].role  # the role is declared once, in data/defaults
    params = {k: v for k, v in {**defaults, **own}.items() if k in applicable}
    # catalog-backed parameters the file does not set: the catalog value of the chosen entry
    for name, spec in applicable.items():
        if spec.catalog is not None and name not in params and spec.catalog[2] in params:
            params[name] = catalog_parameter(name, spec, str(params[spec.catalog[2]].canonical_value))
    specs = applicable
    missing = sorted(set(specs) - set(params))
    if missing:
        raise ArchitectureError(f"missing parameters (no default either): {', '.join(missing)}", file=file)
    if has_control_characters(doc.name):
        raise ArchitectureError(f"name {doc.name!r} holds control characters (e.g. terminal escape sequences)", file=file)
    if doc.name != path.stem:
        raise ArchitectureError(f"name '{doc.name}' must equal the file name '{path.stem}'", file=file)
    used = {k for p in params.values() for k in p.sources}
    return Architecture(
        name=doc.name,
        description=doc.description.strip(),
        kind=doc.kind,
        parameters=params,
        references={k: refs[k] for k in sorted(used)},
        path=path,
        own=tuple(sorted(own)),
        company=doc.company,
        origin=origin,
    )


# --------------------------------------------------------------------------------------------
# Catalogs: long CSV tables, one sourced number per row
# --------------------------------------------------------------------------------------------
CATALOG_COLUMNS = ("entry", "field", "value", "unit", "low", "high", "source", "note")
_CAT_CACHE: dict[tuple, xr.Dataset] = {}


def catalog_files(name: str) -> list[tuple[Path, DataLayer]]:
    """The files of catalog ``name``: the shipped ``data/catalogs/NAME.csv`` and the user
    folders' ``catalogs/NAME.csv`` (whose entries are added to the shipped ones)."""
    return layered_files("catalogs", f"{name}.csv")


#: Incremented by the chain at the start of each run (``chain.run_frame``): catalog files are
#: checked for changes once per run and catalog, not at every lookup inside the kernels.
CHAIN_RUN = [0]
_RUN_STAMPS: dict[str, tuple[int, str]] = {}


def _stamp_this_run(name: str) -> str:
    hit = _RUN_STAMPS.get(name)
    if hit is not None and hit[0] == CHAIN_RUN[0]:
        return hit[1]
    stamp = catalog_stamp(name)
    _RUN_STAMPS[name] = (CHAIN_RUN[0], stamp)
    return stamp


def catalog_stamp(name: str) -> str:
    """A key that changes when any file of catalog ``name`` changes (for caches)."""
    return _stamp(p for p, _ in catalog_files(name))


def load_catalog(name: str, dim: str = "entry") -> xr.Dataset:
    """Load ``data/catalogs/NAME.csv`` as a Dataset along ``dim`` (one variable per field).

    Numeric fields become float variables in the unit written in the file (``attrs['units']``),
    with ``<field>_low``/``<field>_high`` kept in ``attrs``-free companion variables only when a
    caller needs them (see :func:`catalog_rows`); text fields become string variables. Each
    variable's ``attrs['sources']`` lists the source keys of its cells. Every row is validated:
    known columns, a finite value for numeric rows, low <= value <= high, a source key that
    resolves, one unit per field.
    """
    key = (name, dim, catalog_stamp(name), _CATALOG_GENERATION[0])
    if key in _CAT_CACHE:
        return _CAT_CACHE[key]
    rows = catalog_rows(name)
    entries = list(dict.fromkeys(r["entry"] for r in rows))
    fields: dict[str, dict[str, Any]] = {}
    for r in rows:
        f = fields.setdefault(r["field"], {"unit": r["unit"], "values": {}, "sources": set(), "numeric": r["numeric"]})
        if f["unit"] != r["unit"] or f["numeric"] != r["numeric"]:
            raise ArchitectureError(f"field '{r['field']}' is written with two units or kinds", file=r["file"], parameter=r["field"])
        f["values"][r["entry"]] = r["value"]
        f["sources"].update(r["source"])
    data_vars = {}
    for fname, f in fields.items():
        if f["numeric"]:
            vals = np.array([f["values"].get(e, np.nan) for e in entries], dtype=float)
        else:
            vals = np.array([str(f["values"].get(e, "")) for e in entries], dtype=object)
        attrs = {"sources": sorted(f["sources"])}
        if f["numeric"]:
            attrs["units"] = units.unit_string(f["unit"] or "1")
        data_vars[fname] = xr.DataArray(vals, dims=dim, attrs=attrs)
    ds = xr.Dataset(data_vars, coords={dim: entries}, attrs={"catalog": name})
    _CAT_CACHE[key] = ds
    return ds


def catalog_rows(name: str) -> list[dict[str, Any]]:
    """Validated rows of a catalog, each with its numeric value, range, unit and source keys.

    The shipped rows (``data/catalogs/NAME.csv``) come first, then those of every user catalog
    folder registered with :func:`register_catalog_dir` (same columns). A user row is held to the
    shipped catalog: its field must exist there, its unit must convert to the shipped unit (the
    row is converted), its entry must be new (a shipped entry cannot be redefined) and must give
    every field that all shipped entries give.
    """
    key = (name, catalog_stamp(name), _CATALOG_GENERATION[0])
    if key in _ROWS_CACHE:
        return _ROWS_CACHE[key]
    path = CATALOG_DIR / f"{name}.csv"
    if not path.exists():
        known = sorted(p.stem for p in CATALOG_DIR.glob("*.csv"))
        raise ArchitectureError(f"unknown catalog '{name}'{suggest(name, known)}; known: {', '.join(known)}")
    refs = load_references()
    out = _read_catalog_file(path, refs)
    shipped_entries = {r["entry"] for r in out}
    fields = {r["field"]: r for r in out}
    required = set(fields)
    for entry in shipped_entries:
        required &= {r["field"] for r in out if r["entry"] == entry}
    # user catalog files: --data-dir / ORBITDC_DATA_DIR / ./catalogs layers, then the catalogs/
    # folders next to user architectures, all held to the shipped catalog
    user_paths = [p for p, _ in catalog_files(name) if p.resolve() != path.resolve()]
    user_paths += [d / f"{name}.csv" for d in USER_CATALOG_DIRS]
    for user_path in dict.fromkeys(user_paths):
        if not user_path.exists():
            continue
        rows = _read_catalog_file(user_path, refs)
        file = _rel(user_path)
        seen: dict[str, set[str]] = {}
        for r in rows:
            where = f"{r['entry']}.{r['field']}"
            if r["entry"] in shipped_entries:
                raise ArchitectureError(f"entry '{r['entry']}' is already in data/catalogs/{name}.csv: "
                                        "give your entry a new name", file=file, parameter=where)
            if r["entry"] in {x["entry"] for x in out}:
                raise ArchitectureError(f"entry '{r['entry']}' is defined by another user catalog too",
                                        file=file, parameter=where)
            ref = fields.get(r["field"])
            if ref is None:
                close = difflib.get_close_matches(r["field"], sorted(fields), n=3)
                hint = f" (did you mean {', '.join(close)}?)" if close else ""
                raise ArchitectureError(f"unknown field '{r['field']}' for catalog '{name}'{hint}; "
                                        f"known: {', '.join(sorted(fields))}", file=file, parameter=where)
            if r["numeric"] != ref["numeric"]:
                raise ArchitectureError(f"field '{r['field']}' is {'a number' if ref['numeric'] else 'text'} "
                                        f"in data/catalogs/{name}.csv", file=file, parameter=where)
            if r["numeric"] and r["unit"] != ref["unit"]:
                try:
                    src = units.parse_unit(r["unit"] or "1", where)
                    dst = units.parse_unit(ref["unit"] or "1", where)
                    if not src.is_equivalent(dst, equivalencies=u.temperature()):
                        raise ParameterError(where, f"unit '{r['unit']}' has the wrong dimension: "
                                                    f"expected a unit convertible to '{ref['unit']}'")
                    r["value"], r["low"], r["high"] = (float(units.convert(x, src, dst, where))
                                                       for x in (r["value"], r["low"], r["high"]))
                except ParameterError as exc:
                    raise ArchitectureError(exc.reason, file=file, parameter=where) from None
                r["unit"] = ref["unit"]
            seen.setdefault(r["entry"], set()).add(r["field"])
        for entry, have in seen.items():
            lacking = sorted(required - have)
            if lacking:
                raise ArchitectureError(f"entry '{entry}' lacks field(s) {', '.join(lacking)} "
                                        f"(every entry of data/catalogs/{name}.csv gives them)",
                                        file=_rel(user_path), parameter=entry)
        out = out + rows
    _ROWS_CACHE[key] = out
    return out


def _read_catalog_file(path: Path, refs: Mapping[str, Reference]) -> list[dict[str, Any]]:
    """The rows of one catalog CSV, each checked (columns, finite value in range, unit, sources)."""
    file = _rel(path)
    out = []
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ArchitectureError(f"cannot read file ({exc.strerror})", file=file) from None
    if size > MAX_FILE_BYTES:
        raise ArchitectureError(f"file is {size} bytes, larger than the {MAX_FILE_BYTES} allowed", file=file)
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(row for row in fh if not row.lstrip().startswith("#"))
        if tuple(reader.fieldnames or ()) != CATALOG_COLUMNS:
            raise ArchitectureError(f"columns must be {','.join(CATALOG_COLUMNS)}", file=file)
        for i, r in enumerate(reader, start=2):
            where = f"{r['entry']}.{r['field']}"

            def fail(reason):
                raise ArchitectureError(f"row {i}: {reason}", file=file, parameter=where)

            if None in r or any(v is None for v in r.values()):
                fail("wrong number of columns")
            sources = [s.strip() for s in (r["source"] or "").split(";") if s.strip()]
            if not sources:
                fail("missing source")
            for s in sources:
                if s not in refs:
                    fail(f"source '{s}' is not a reference key in data/references/")
            text = (r["value"] or "").strip()
            try:
                value = float(text)
                numeric = True
            except ValueError:
                value, numeric = text, False
            low = high = None
            if numeric:
                if not math.isfinite(value):
                    fail(f"value {text} is not finite")
                try:
                    units.parse_unit(r["unit"] or "1", where)
                except ParameterError as exc:
                    fail(exc.reason)
                try:
                    low = float(r["low"]) if (r["low"] or "").strip() else value
                    high = float(r["high"]) if (r["high"] or "").strip() else value
                except ValueError:
                    fail("low/high must be numbers")
                if not (math.isfinite(low) and math.isfinite(high)):
                    fail("low/high must be finite")
                if not low <= value <= high:
                    fail(f"value {value:g} lies outside [{low:g}, {high:g}]")
            out.append(
                {"entry": r["entry"], "field": r["field"], "value": value, "unit": (r["unit"] or "").strip(),
                 "low": low, "high": high, "source": sources, "note": r["note"], "numeric": numeric, "file": file}
            )
    return out


# User catalog folders layered over the shipped catalogs (see register_catalog_dir).
USER_CATALOG_DIRS: list[Path] = []
_CATALOG_GENERATION = [0]  # bumped whenever the layering changes: every catalog cache keys on it
_ROWS_CACHE: dict[tuple[str, int], list[dict[str, Any]]] = {}


def catalog_generation() -> int:
    """A counter that changes whenever a user catalog folder is registered (cache key for callers)."""
    return _CATALOG_GENERATION[0]


def _clear_catalog_caches() -> None:
    _CATALOG_GENERATION[0] += 1
    _CAT_CACHE.clear()
    _ROWS_CACHE.clear()
    _catalog_table.cache_clear()
    _ARCH_CACHE.clear()


def register_catalog_dir(directory: str | Path) -> None:
    """Layer the catalog CSVs of a user folder over the shipped ones (strict; see :func:`catalog_rows`).

    ``load_architecture`` calls it for a ``catalogs/`` folder next to a user architecture file, so
    a user's own radiator or accelerator entry is a row in ``my-study/catalogs/radiators.csv``
    beside ``my-study/my-architecture.yaml``. Every file is validated at once: on any error the
    folder is not registered and the error names the file and the row.
    """
    d = Path(directory).resolve()
    if d in USER_CATALOG_DIRS or d == CATALOG_DIR.resolve():
        return
    files = sorted(d.glob("*.csv"))
    USER_CATALOG_DIRS.append(d)
    _clear_catalog_caches()
    try:
        for f in files:
            if not (CATALOG_DIR / f.name).exists():
                known = sorted(p.stem for p in CATALOG_DIR.glob("*.csv"))
                raise ArchitectureError(f"no shipped catalog is called '{f.stem}'; known: {', '.join(known)}",
                                        file=_rel(f))
            catalog_rows(f.stem)
    except BaseException:
        USER_CATALOG_DIRS.remove(d)
        _clear_catalog_caches()
        raise


def unregister_catalog_dir(directory: str | Path) -> None:
    """Undo :func:`register_catalog_dir` (tests; a session switching between user folders)."""
    d = Path(directory).resolve()
    if d in USER_CATALOG_DIRS:
        USER_CATALOG_DIRS.remove(d)
        _clear_catalog_caches()


def catalog_parameter(name: str, spec: ParameterSpec, entry: str) -> Parameter:
    """The catalog default of a catalog-backed parameter (``spec.catalog``) for one entry.

    A :class:`Parameter` like one written in a file: the catalog cell's value, range, unit,
    sources and note, validated against the parameter's domain (``origin`` is the catalog file,
    ``catalog_entry`` the entry). Its distribution is the default of any ranged parameter,
    ``triangular(low, value, high)`` over the catalog cell's range (``fixed`` when the cell gives
    no range), so Monte Carlo draws it like an ``role: uncertain`` parameter written in a file;
    ``monte_carlo(..., draw_catalog=False)`` holds every catalog value instead.
    """
    catalog, field_name, choice = spec.catalog
    row = next((r for r in catalog_rows(catalog) if r["entry"] == entry and r["field"] == field_name), None)
    if row is None:
        raise ArchitectureError(f"catalog '{catalog}' has no '{field_name}' for entry '{entry}' (chosen by '{choice}')",
                                file=f"data/catalogs/{catalog}.csv", parameter=name)
    p = Parameter(value=row["value"], unit=row["unit"] or "1", low=row["low"], high=row["high"],
                  source=list(row["source"]), note=(row["note"] or None))
    p = _validate_parameter(name, p, spec, row["file"], load_references())
    p.catalog_entry = entry
    return p


def follow_catalog_choices(params: Mapping[str, Parameter], choices: Mapping[str, Any],
                           keep: Iterable[str] = ()) -> dict[str, Parameter]:
    """``params`` with the catalog defaults re-read for new choices (the loader's catalog step).

    A catalog-backed parameter that no file sets (``catalog_entry`` set by the loader) follows
    its choice parameter (``spec.catalog[2]``): when ``choices`` names another entry for that
    choice (e.g. ``{"radiator": "carbon-carbon-heat-pipe"}``), the parameter becomes that entry's
    catalog cell (:func:`catalog_parameter`), role kept. Parameters in ``keep`` (stated by a
    scenario or a file) and values stated in files are left as they are. Used by scenarios and
    Monte Carlo so that changing a choice gives the numbers the same choice written in the
    architecture file gives.
    """
    specs = _all_specs()
    keep = set(keep)
    out = dict(params)
    for name, p in params.items():
        spec = specs.get(name)
        if spec is None or spec.catalog is None or p.catalog_entry is None or name in keep:
            continue
        choice = spec.catalog[2]
        if choice in choices and isinstance(choices[choice], str) and choices[choice] != p.catalog_entry:
            fresh = catalog_parameter(name, spec, choices[choice])
            fresh.role = p.role
            out[name] = fresh
    return out


def catalog_parameter_value(f: Any, name: str, spec: ParameterSpec):
    """A catalog-backed parameter from the frame ``f`` if it is there (the chain puts it there),
    else the catalog field of the frame's choice (a stage run on a hand-built Dataset)."""
    if name in f:
        return f[name]
    catalog, field_name, choice = spec.catalog
    return catalog_lookup(catalog, field_name, f[choice], spec.unit)


def catalog_value(catalog: str, field: str, key: Any, unit: str, dim: str = "entry") -> xr.DataArray:
    """Look up ``field`` of catalog entries ``key`` (a name or a DataArray of names), in ``unit``.

    Vectorised: ``key`` may be a DataArray of entry names along any dimensions (a swept choice);
    the result has the same dimensions and no catalog coordinate. Unknown names and missing
    cells are ArchitectureErrors naming the catalog and the field.
    """
    ds = load_catalog(catalog, dim)
    if field not in ds:
        raise ArchitectureError(f"catalog '{catalog}' has no field '{field}'", parameter=field)
    key_da = key if isinstance(key, xr.DataArray) else xr.DataArray(np.asarray(key))
    names = np.unique(np.asarray(key_da.values).astype(str))
    unknown = [n for n in names if n not in ds[dim].values]
    if unknown:
        raise ArchitectureError(
            f"'{unknown[0]}' is not in catalog '{catalog}'; known: {', '.join(map(str, ds[dim].values))}",
            parameter=field,
        )
    da = ds[field]
    picked = da.sel({dim: key_da.astype(str)})
    picked = picked.drop_vars(dim, errors="ignore")
    if "units" in da.attrs:
        vals = picked.values
        if np.isnan(vals).any():
            raise ArchitectureError(f"catalog '{catalog}' has no value of '{field}' for {', '.join(names)}", parameter=field)
        picked = units.convert(picked, da.attrs["units"], unit, field)
    return picked.drop_attrs() if hasattr(picked, "drop_attrs") else picked


@lru_cache(maxsize=4096)
def _catalog_table(catalog: str, field: str, unit: str, stamp: Any = None) -> dict[str, float]:
    """One catalog field as {entry: value in ``unit``} (NaN for an empty cell)."""
    ds = load_catalog(catalog)
    if field not in ds:
        raise ArchitectureError(f"catalog '{catalog}' has no field '{field}'", parameter=field)
    da = ds[field]
    vals = np.atleast_1d(np.asarray(da.values, dtype=float))
    if "units" in da.attrs:
        vals = np.atleast_1d(units.convert(vals, da.attrs["units"], unit, field))
    return {str(e): float(v) for e, v in zip(ds["entry"].values, vals)}


def catalog_lookup(catalog: str, field: str, key: Any, unit: str, default: float | None = None):
    """``field`` of the catalog entries named by ``key`` (a name or a numpy array of names), in ``unit``.

    The numpy counterpart of :func:`catalog_value` for the chain's kernels: a float for one name,
    else an array shaped like ``key``. ``default`` fills empty cells; without it an empty cell is
    an error. Unknown names are ArchitectureErrors naming the catalog and the field.
    """
    table = _catalog_table(catalog, field, unit, _stamp_this_run(catalog))  # the stamp: user catalogs may change
    arr = np.asarray(key)
    if arr.size == 1:
        names, inverse = [str(arr.flat[0])], None
    else:
        uniq, inverse = np.unique(arr.astype(str), return_inverse=True)
        names = [str(n) for n in uniq]
    values = []
    for n in names:
        if n not in table:
            raise ArchitectureError(f"'{n}' is not in catalog '{catalog}'; known: {', '.join(table)}", parameter=field)
        v = table[n]
        if not math.isfinite(v):
            if default is None:
                raise ArchitectureError(f"catalog '{catalog}' has no value of '{field}' for {n}", parameter=field)
            v = float(default)
        values.append(v)
    if inverse is None:
        return values[0]
    return np.asarray(values)[inverse.reshape(arr.shape)]


def catalog_choices(catalog: str, dim: str = "entry") -> Callable[[], tuple[str, ...]]:
    """A callable giving the entry names of a catalog (for ``ParameterSpec(choices=...)``)."""
    return lambda: tuple(str(x) for x in load_catalog(catalog, dim)[dim].values)


def default_value(stage: str, name: str, unit: str) -> float:
    """A parameter's default from ``data/defaults/STAGE.yaml``, in ``unit``.

    For public model functions whose keyword defaults are world numbers (e.g. the solar flux):
    the number stays in data/, with its source.
    """
    key = (stage, name, unit)
    if key not in _DEFAULT_CACHE:
        doc = read_yaml(DEFAULTS_DIR / f"{stage}.yaml")
        try:
            p = doc["parameters"][name]
        except (KeyError, TypeError):
            raise ArchitectureError(f"no default for '{name}'", file=f"data/defaults/{stage}.yaml", parameter=name) from None
        _DEFAULT_CACHE[key] = float(units.convert(p["value"], p.get("unit", "1"), unit, name))
    return _DEFAULT_CACHE[key]


_DEFAULT_CACHE: dict[tuple[str, str, str], float] = {}


# --------------------------------------------------------------------------------------------
# Command-line text: ``name=value`` overrides and run settings, checked before anything runs
# --------------------------------------------------------------------------------------------
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
#: Largest seed: it must fit a signed 64-bit integer, as it is stored in the results' NetCDF
#: attributes and in provenance.json.
MAX_SEED = 2**63 - 1


def parse_assignment(text: str) -> tuple[str, Any]:
    """``name=value`` from ``--set``: ``650 km``, ``650`` (the parameter's canonical unit),
    ``a,b,c`` (a sweep; items may carry units: ``650 km,700 km``), ``true``/``false`` (a flag)
    or a name (a choice). Values are literals, never code; the chain checks them against the
    parameter (a flag where a number is expected is an error, not 1).
    """
    if not isinstance(text, str):
        raise OrbitdcError(f"--set: expected text name=value, got {type(text).__name__}")
    example = "(e.g. altitude=650 km)"
    if "=" not in text:
        raise OrbitdcError(f"--set '{text}': expected name=value {example}")
    name, raw = (s.strip() for s in text.split("=", 1))
    if not name or not raw:
        raise OrbitdcError(f"--set '{text}': expected name=value {example}")
    if not _NAME.match(name):
        raise OrbitdcError(f"--set '{text}': '{name}' is not a parameter name (letters, digits and _)")
    parts = [p.strip() for p in raw.split(",")] if "," in raw else [raw]
    if any(not p for p in parts):
        raise OrbitdcError(f"--set '{text}': empty item in the list of values (write a,b,c)")
    values = [_literal(p) for p in parts]
    kinds = {type(v) for v in values}
    if bool in kinds and len(kinds) > 1:
        raise OrbitdcError(f"--set '{text}': mixes true/false with other values")
    return name, values if len(values) > 1 else values[0]


def _literal(text: str) -> Any:
    low = text.lower()
    if low in ("true", "false"):
        return low == "true"
    try:
        return float(text)
    except ValueError:
        pass
    # "650 km" stays a string: the chain parses it with astropy; a bare word is a choice
    return text


def check_seed(seed: Any, what: str = "--seed") -> int:
    """A random seed: an integer from 0 to :data:`MAX_SEED` (the same seed gives the same numbers)."""
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise OrbitdcError(f"{what} {seed!r}: expected a whole number from 0 to {MAX_SEED}")
    if not 0 <= int(seed) <= MAX_SEED:
        raise OrbitdcError(f"{what} {seed}: out of range: must be from 0 to {MAX_SEED} (2**63 - 1)")
    return int(seed)


def check_samples(samples: Any, maximum: int | None = None, what: str = "--samples", minimum: int = 2) -> int:
    """A Monte Carlo sample count: an integer from ``minimum`` to ``maximum`` (the in-memory limit
    of the run that uses it, when it has one)."""
    if isinstance(samples, bool) or not isinstance(samples, numbers.Integral):
        raise OrbitdcError(f"{what} {samples!r}: expected a whole number of samples")
    n = int(samples)
    if n < minimum:
        raise OrbitdcError(f"{what} {n}: must be at least {minimum}")
    if maximum is not None and n > maximum:
        raise OrbitdcError(f"{what} {n}: more than the {maximum} samples a run holds in memory at once")
    return n


def check_override(name: str, value: Any, spec: ParameterSpec) -> None:
    """Refuse an override of the wrong Python type or shape with a ParameterError naming it.

    Accepted: one value or a 1-d list/tuple/array/DataArray of values, each a name (``str``) for
    a choice, ``True``/``False`` for a flag; numbers are checked when converted
    (:func:`orbitdc.units.strip`). Anything else (None, a mapping, a set, a ragged or nested
    list, a number where a name or a flag is expected) would otherwise surface as a bare
    TypeError/ValueError from numpy or xarray. Call it before building an input array.
    """
    def refuse(what: str):
        return ParameterError(name, what)

    if isinstance(value, xr.DataArray):
        items = np.asarray(value.values).ravel()
    elif isinstance(value, u.Quantity):  # numbers with a unit: converted (and checked) later
        if value.ndim > 1:
            raise refuse(f"expected one value or a 1-d list, got an array of shape {value.shape}")
        items = list(np.atleast_1d(value.value))
        if not items:
            raise refuse("no values given")
    elif isinstance(value, (list, tuple, np.ndarray)):
        if isinstance(value, np.ndarray) and value.ndim > 1:
            raise refuse(f"expected one value or a 1-d list, got an array of shape {value.shape}")
        if any(isinstance(v, (list, tuple, dict, set, np.ndarray)) for v in (value.tolist() if isinstance(value, np.ndarray) else value)):
            raise refuse("expected one value or a flat (1-d) list, got a nested list")
        items = list(value)
        if not items:
            raise refuse("no values given")
    elif isinstance(value, (dict, set, frozenset)) or value is None:
        raise refuse(f"expected one value or a 1-d list, got {type(value).__name__}")
    else:
        items = [value]
    if spec.kind == "choice":
        bad = [v for v in items if not isinstance(v, (str, np.str_))]
        if bad:
            raise refuse(f"expected a name, one of {', '.join(spec.allowed_choices())}; got {type(bad[0]).__name__} {bad[0]!r}"[:300])
    elif spec.kind == "flag":
        bad = [v for v in items if not isinstance(v, (bool, np.bool_))]
        if bad:
            raise refuse(f"value must be true or false, got {type(bad[0]).__name__} {bad[0]!r}"[:300])
