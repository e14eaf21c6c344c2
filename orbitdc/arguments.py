"""What a caller passes: ``name=value`` text, override values, sample counts and seeds.

Checked before anything runs, with one clear line naming the argument and the reason:
:func:`parse_assignment` reads ``--set name=value`` text (``orbitdc report`` settings too),
:func:`check_override` refuses an override of the wrong Python type or shape,
:func:`check_seed` and :func:`check_samples` check the settings of a Monte Carlo run.

This module sits below the model stages and uses only the schema (:mod:`orbitdc.parameters`).
"""
from __future__ import annotations

import math
import numbers
import re
from typing import Any

import astropy.units as u
import numpy as np
import xarray as xr

from .errors import OrbitdcError, ParameterError
from .paths import parse_path_text
from .parameters import ParameterSpec

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
    try:
        year_path = parse_path_text(raw)  # YEAR:VALUE,YEAR:VALUE - a path over the years
    except ParameterError as exc:
        raise OrbitdcError(f"--set '{text}': {exc.reason}") from None
    if year_path is not None:
        return name, year_path
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


# --------------------------------------------------------------------------------------------
# Sample counts and seeds: one rule for monte_carlo, draw, the trajectory Monte Carlo, sensitivity
# (Sobol), the report and the command line
# --------------------------------------------------------------------------------------------
#: Fewest samples of any Monte Carlo: a distribution needs two draws or more (one sample has no
#: spread, its quantiles are all the same number).
MIN_SAMPLES = 2


def _refuse(what: str, value: Any, reason: str) -> OrbitdcError:
    """A command-line flag (``--samples``) is named with the value typed; an argument of a Python
    function as a :class:`~orbitdc.errors.ParameterError` (its ``parameter`` is ``what``)."""
    if what.startswith("--"):
        return OrbitdcError(f"{what} {value!r}: {reason}"[:400])
    return ParameterError(what, reason)


def _whole_number(value: Any) -> int | None:
    """``value`` as an int if it is a whole number (an integer, or a float equal to one), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real) and math.isfinite(float(value)) and float(value).is_integer():
        return int(value)
    return None


def check_seed(seed: Any, what: str = "seed") -> int:
    """A random seed: a whole number from 0 to :data:`MAX_SEED` (the same seed gives the same
    numbers; the seed is stored as a signed 64-bit integer in results and provenance)."""
    n = _whole_number(seed) if not isinstance(seed, float) else None
    if n is None:
        raise _refuse(what, seed, f"must be a whole number from 0 to 2**63 - 1, got {seed!r}")
    if not 0 <= n <= MAX_SEED:
        raise _refuse(what, seed, f"out of range: must be from 0 to {MAX_SEED} (2**63 - 1), got {n}")
    return n


def check_samples(samples: Any, maximum: int | None = None, what: str = "samples") -> int:
    """A Monte Carlo sample count: a whole number from :data:`MIN_SAMPLES` to ``maximum`` (the
    in-memory limit of the run that uses it, when it has one). A float equal to a whole number
    (``1000.0``) is accepted; ``True``, ``1.5``, ``"10"``, NaN are not."""
    n = _whole_number(samples)
    if n is None:
        raise _refuse(what, samples, f"must be a whole number of samples, at least {MIN_SAMPLES}, got {samples!r}")
    if n < MIN_SAMPLES:
        raise _refuse(what, samples, f"must be at least {MIN_SAMPLES} (one sample has no spread), got {n}")
    if maximum is not None and n > maximum:
        raise _refuse(what, samples, f"{n:,} is more than the {maximum:,} samples a run holds in memory at once")
    return n


def check_count(value: Any, what: str, minimum: int = 1) -> int:
    """A count that is not a sample count (a chunk size, grid points): a whole number >= ``minimum``."""
    n = _whole_number(value)
    if n is None or n < minimum:
        raise _refuse(what, value, f"must be a whole number >= {minimum}, got {value!r}")
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
