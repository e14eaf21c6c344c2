"""The one YAML reader of orbitdc: safe loading, duplicate keys refused, alias expansion bounded.

Every data file (architectures, defaults, references, scenarios, fleets, trends, correlations,
settings) is read by :func:`read_yaml`, and the schema checks of :mod:`orbitdc.parameters`
(:func:`orbitdc.parameters.read_document`) build on it. It imports only PyYAML and the standard
library, so ``orbitdc list`` can read files without loading the model.
"""
from __future__ import annotations

import copy
import os
import stat
import sys
from pathlib import Path
from typing import Any

import yaml

from .datadirs import display_path
from .errors import ArchitectureError

MAX_FILE_BYTES = 1_000_000
MAX_ALIASES = 50

#: Parsed documents by their bytes: a file read again unchanged (a scenario applied once per
#: architecture and year, a Monte Carlo's catalogs) is parsed once per process (reading it is
#: cheap, parsing is not). Keyed by content, not by modification time, so a file rewritten within
#: the file system's clock tick is still parsed again. The caller gets a deep copy, so nothing it
#: does reaches the memo. Bounded, then cleared.
_PARSED: dict[tuple, Any] = {}
_PARSED_MAX = 1024
_PARSED_FILE_BYTES = 65_536


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
    if data in _PARSED:
        return copy.deepcopy(_PARSED[data])
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ArchitectureError("file is not UTF-8 text", file=file) from None
    try:
        parsed = yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - _StrictLoader is a SafeLoader
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
    if len(data) <= _PARSED_FILE_BYTES:  # the data files are a few KB; a large one is not kept
        if len(_PARSED) >= _PARSED_MAX:
            _PARSED.clear()
        _PARSED[data] = parsed
    return copy.deepcopy(parsed)
