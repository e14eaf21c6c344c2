"""One validation layer in front of every entry point: the command line, the Python API and the
app's URL state check what a user hands orbitdc here, before anything is computed or written.

What is checked, and how a refusal reads (always an :class:`~orbitdc.errors.OrbitdcError` with
one line naming the argument and the reason; the CLI prints it and exits 2):

* **types**: a sequence of years, a trend name, a fleet plan, a sample count, a network address
  are what they claim to be (``trajectory(frozen=5)`` is refused by name, not a TypeError from
  inside);
* **sizes**, against an estimate of the memory the run would need (:mod:`orbitdc.memory`),
  *before* anything that size is allocated: a year range is counted, never listed
  (``--years 2026-2000000000``), trajectory samples x years x sweep points and parity grids are
  estimated from peaks measured on this code (constants below, with how they were measured);
* **text** typed by a user (a URL value, a ``--set`` item) has a bounded length, and text from
  files or users that reaches a terminal is shown with control characters, escape sequences and
  bidirectional overrides escaped (``orbitdc._text.terminal_text``: the one function that does it);
* **paths**: output files are checked by :func:`orbitdc.outputs.check_output_path` (the one
  output writer), user data folders by :func:`orbitdc.datadirs.check_folder`.

Override values (``--set name=value`` text, Python overrides, seeds and sample counts of the
Monte Carlo) are checked by :mod:`orbitdc.arguments`, which this layer uses. A check that needs
the model (a design that does not close, a year outside the trend data) lives with the model and
says so in the same one-line form.
"""
from __future__ import annotations

import ipaddress
import itertools
import math
import numbers
import re
from typing import Any, Iterable, Mapping, Sequence

import numpy as np

from ._text import ECHO_CHARS, echo, terminal_lines, terminal_text  # noqa: F401  (the one escaping function, re-exported)
from .errors import OrbitdcError, ParameterError

#: Longest value text a user may type in a URL or a ``--set`` item (characters). A 5,000-digit
#: number is refused by its length, with the first characters echoed.
MAX_VALUE_TEXT = 200
#: Most calendar years one trajectory takes (the trend data cover a few decades; a range is
#: counted before anything is built from it).
MAX_YEARS = 1000
#: Peak memory of :func:`orbitdc.trajectory` per sample (or sweep point) and per year of the
#: fleet grid (``trend_reference_year`` to the last year asked for). Measured with the process's
#: high-water mark (VmHWM) over its resident size before the call: spacex-starlink-compute 2,000
#: and 8,000 samples over 2026-2050: 1,494 and 1,555 B; openai-partnered-compute (two vehicles)
#: 4,000 samples: 2,291 B; terrestrial-hyperscale 335 B. 2,500 covers them with some margin.
TRAJECTORY_BYTES_PER_POINT_YEAR = 2_500
#: Peak memory of :func:`orbitdc.parity` per grid point of the surface (``points`` to the power
#: of the number of grid parameters). Measured as above on spacex-starlink-compute: closed form
#: 200^2 and 400^2 points: 912 and 961 B; vectorised bisection 300^2: 2,075 B.
PARITY_BYTES_PER_GRID_POINT = 2_500


# --------------------------------------------------------------------------------------------
# Text
# --------------------------------------------------------------------------------------------
def check_value_text(text: Any, name: str, limit: int = MAX_VALUE_TEXT) -> str:
    """A value typed by a user (URL, ``--set``): text of at most ``limit`` characters."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    if not isinstance(text, str):
        raise ParameterError(name, f"expected text, got {type(text).__name__}")
    if len(text) > limit:
        raise ParameterError(name, f"'{echo(text, 20)}' is longer than {limit} characters")
    return text


# --------------------------------------------------------------------------------------------
# Whole numbers and sizes
# --------------------------------------------------------------------------------------------
def check_count(value: Any, name: str, minimum: int = 1, maximum: int | None = None) -> int:
    """A count (samples, points, jobs): a whole number (not a bool, not a float) from ``minimum``
    to ``maximum``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ParameterError(name, f"expected a whole number, got {echo(repr(value), 40)}")
    n = int(value)
    if n < minimum:
        raise ParameterError(name, f"{n} is less than {minimum}")
    if maximum is not None and n > maximum:
        raise ParameterError(name, f"{n:,} is more than {maximum:,}")
    return n


def check_memory(peak_bytes: float, name: str, what: str, advice: str) -> None:
    """Refuse (ParameterError) a run whose estimated peak memory exceeds what is available now."""
    from . import memory

    avail = memory.available_bytes()
    if peak_bytes > avail:
        raise ParameterError(name, f"{what} would need about {memory.human(peak_bytes)} of memory; "
                                   f"{memory.human(avail)} is available; {advice}")


def sweep_points(overrides: Mapping[str, Any]) -> int:
    """Design points of the 1-d sweeps among ``overrides`` (product of their lengths; 1 when
    none): what a result is multiplied by."""
    from .memory import _axis_sizes

    return math.prod(_axis_sizes(dict(overrides)).values()) if overrides else 1


# --------------------------------------------------------------------------------------------
# Years
# --------------------------------------------------------------------------------------------
def parse_years_text(text: str, option: str = "--years") -> range | list[int]:
    """``FIRST-LAST`` (``2026-2050``) or a comma list (``2030,2035,2040``): calendar years,
    counted before any list is built (at most :data:`MAX_YEARS`)."""
    text = check_value_text(text, option.lstrip("-"), limit=MAX_VALUE_TEXT * 40)
    shape = f"{option} '{echo(text, 30)}': expected FIRST-LAST (e.g. 2026-2050) or a comma list of years"
    t = text.strip()
    m = re.fullmatch(r"\s*(\d{1,30})\s*-\s*(\d{1,30})\s*", t)
    if m:
        first, last = int(m.group(1)), int(m.group(2))
        if last < first:
            raise OrbitdcError(f"{option} '{echo(text, 30)}': the last year comes before the first")
        if last - first + 1 > MAX_YEARS:
            raise OrbitdcError(f"{option} '{echo(text, 30)}': {last - first + 1:,} years; at most {MAX_YEARS:,}")
        return range(first, last + 1)
    parts = t.split(",")
    if len(parts) > MAX_YEARS:
        raise OrbitdcError(f"{option} '{echo(text, 30)}': {len(parts):,} years; at most {MAX_YEARS:,}")
    if not all(re.fullmatch(r"\s*\d{1,6}\s*", p) for p in parts):
        raise OrbitdcError(shape)
    return [int(p) for p in parts]


def check_years(years: Any, name: str = "years") -> np.ndarray:
    """Calendar years as an integer array, refused before anything large is built: a ``range``
    is counted, any other iterable read at most :data:`MAX_YEARS` + 1 items; each a whole number
    (not a bool, not text). Whether the years lie within the trend data is the trajectory's check."""
    if isinstance(years, (str, bytes)) or isinstance(years, numbers.Number) or isinstance(years, Mapping):
        raise ParameterError(name, f"expected a sequence of calendar years, got {echo(repr(years), 40)}")
    if isinstance(years, range):
        if len(years) > MAX_YEARS:
            raise ParameterError(name, f"{len(years):,} years; at most {MAX_YEARS:,}")
        return np.asarray(years, dtype=np.int64)
    size = getattr(years, "size", None)
    if isinstance(size, numbers.Integral) and size > MAX_YEARS:
        raise ParameterError(name, f"{int(size):,} years; at most {MAX_YEARS:,}")
    try:
        items = list(itertools.islice(iter(years), MAX_YEARS + 1))
    except TypeError:
        raise ParameterError(name, f"expected a sequence of calendar years, got {type(years).__name__}") from None
    if len(items) > MAX_YEARS:
        raise ParameterError(name, f"more than {MAX_YEARS:,} years")
    out = []
    for y in items:
        y = y.item() if isinstance(y, np.generic) else y
        if isinstance(y, bool) or not isinstance(y, numbers.Real):
            raise ParameterError(name, f"calendar years must be whole numbers, got {echo(repr(y), 40)}")
        if isinstance(y, numbers.Integral):
            ok = 0 < y < 10_000  # an int of 400 digits cannot become a float: compare it as it is
        else:
            ok = math.isfinite(y) and y == int(y) and 0 < y < 10_000
        if not ok:
            raise ParameterError(name, f"calendar years must be whole numbers from 1 to 9999, got {echo(repr(y), 40)}")
        out.append(int(y))
    if not out:
        raise ParameterError(name, "expected at least one calendar year")
    return np.asarray(out, dtype=np.int64)


# --------------------------------------------------------------------------------------------
# The trajectory's arguments
# --------------------------------------------------------------------------------------------
def check_frozen(frozen: Any, trends: Sequence[str]) -> None:
    """``frozen``: True, False/None, a trend name or an iterable of trend names."""
    if frozen is None or isinstance(frozen, bool):
        return
    names = [frozen] if isinstance(frozen, str) else frozen
    if isinstance(names, (Mapping, bytes)) or not isinstance(names, Iterable):
        raise ParameterError("frozen", f"expected True, False or trend names ({', '.join(trends)}), "
                                       f"got {echo(repr(frozen), 40)}")
    for n in names:
        if not isinstance(n, str):
            raise ParameterError("frozen", f"expected trend names ({', '.join(trends)}), got {echo(repr(n), 40)}")
        if n not in trends:
            raise ParameterError("frozen", f"'{echo(n)}' is not a trend; trends: {', '.join(trends)}")


def check_fleet(fleet: Any) -> None:
    """``fleet``: None, a path (text or ``os.PathLike``) to a fleet plan or a mapping."""
    import os

    if fleet is None or isinstance(fleet, Mapping):
        return
    if isinstance(fleet, str) or isinstance(fleet, os.PathLike):
        if not str(fleet).strip():
            raise ParameterError("fleet", "empty path")
        return
    raise ParameterError("fleet", f"expected a fleet plan file (a path) or a mapping, got {type(fleet).__name__}")


def check_trajectory_size(years: np.ndarray, samples: int | None, overrides: Mapping[str, Any],
                          reference_year: float, architectures: int = 1) -> None:
    """Refuse a trajectory whose estimated peak memory exceeds what is available:
    samples x sweep points x years of the fleet grid x :data:`TRAJECTORY_BYTES_PER_POINT_YEAR`."""
    grid_years = int(years[-1]) - int(min(int(years[0]), reference_year)) + 1
    points = sweep_points({k: v for k, v in overrides.items()})
    n = (samples or 1) * points * architectures
    peak = float(n) * max(grid_years, 1) * TRAJECTORY_BYTES_PER_POINT_YEAR
    parts = ([f"{count_text(samples)} samples"] if samples else []) + ([f"{count_text(points)} design points"] if points > 1 else [])
    what = f"a trajectory of {' x '.join(parts + [f'{grid_years} years'])}"
    check_memory(peak, "samples" if samples else "years", what,
                 "ask for fewer samples, design points or years")


def check_trajectory_arguments(arch: Any, years: Any, *, frozen: Any, fleet: Any, samples: Any, seed: Any,
                               scenario: Any, overrides: Mapping[str, Any], trends: Sequence[str],
                               reference_year: float) -> np.ndarray:
    """Everything :func:`orbitdc.trajectory` is given, checked before it loads or computes
    anything; returns the years as an integer array. Raises ArchitectureError naming the
    trajectory and the argument (``exc.parameter``)."""
    from .errors import ArchitectureError
    from .arguments import check_seed

    many = isinstance(arch, (list, tuple))
    label = getattr(arch, "name", arch) if not many else None
    where = f"trajectory of '{echo(label)}'" if isinstance(label, str) else "trajectory"
    try:
        arr = check_years(years)
        check_frozen(frozen, trends)
        check_fleet(fleet)
        n = check_count(samples, "samples", minimum=2) if samples is not None else None
        try:
            check_seed(seed, what="seed")
        except OrbitdcError as exc:
            raise ParameterError("seed", str(exc).removeprefix("seed ")) from None
        if scenario is not None and not isinstance(scenario, str):
            raise ParameterError("scenario", f"expected a scenario name, got {type(scenario).__name__}")
        ref = overrides.get("trend_reference_year", reference_year)
        ref = float(ref) if isinstance(ref, numbers.Real) and not isinstance(ref, bool) else reference_year
        check_trajectory_size(arr, n, overrides, ref, len(arch) if many else 1)
    except ParameterError as exc:
        raise ArchitectureError(exc.reason, file=where, parameter=exc.parameter) from None
    return arr


def count_text(n: float) -> str:
    """A count for a message: ``12,345`` up to 10^15, then ``1.23e+30``."""
    return f"{n:,.0f}" if n < 1e15 else f"{n:.3g}"


def check_parity_size(points: int, grid_parameters: int) -> None:
    """Refuse a parity surface whose estimated peak memory exceeds what is available."""
    n = float(points) ** grid_parameters
    check_memory(n * PARITY_BYTES_PER_GRID_POINT, "points",
                 f"a parity surface of {count_text(points)}^{grid_parameters} = {count_text(n)} grid points",
                 "ask for fewer points (the default is enough for a chart)")


# --------------------------------------------------------------------------------------------
# Network
# --------------------------------------------------------------------------------------------
_HOSTNAME = re.compile(r"(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*")


def check_address(text: Any, option: str = "--address") -> str:
    """An address to listen on: an IPv4/IPv6 address or a host name (not empty, no spaces)."""
    if not isinstance(text, str):
        raise OrbitdcError(f"{option}: expected an address as text, got {type(text).__name__}")
    if not text.strip():
        raise OrbitdcError(f"{option} '{echo(text)}': empty; give an address such as 127.0.0.1 (this machine only)")
    try:
        ipaddress.ip_address(text)
        return text
    except ValueError:
        pass
    if not _HOSTNAME.fullmatch(text):
        raise OrbitdcError(f"{option} '{echo(text)}': not an IP address or a host name")
    return text


def check_port(port: Any, option: str = "--port") -> int:
    """A TCP port: a whole number from 0 (any free port) to 65535."""
    if isinstance(port, bool) or not isinstance(port, numbers.Integral) or not 0 <= int(port) <= 65535:
        raise OrbitdcError(f"{option} {echo(repr(port), 30)}: expected a port number from 0 to 65535")
    return int(port)


__all__ = ["MAX_VALUE_TEXT", "MAX_YEARS", "check_address", "check_count", "check_fleet", "check_frozen",
           "check_memory", "check_parity_size", "check_port", "check_trajectory_size", "check_value_text",
           "check_years", "echo", "parse_years_text", "sweep_points", "terminal_lines", "terminal_text"]
