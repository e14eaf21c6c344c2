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
_PARSED: dict[bytes, Any] = {}
_PARSED_MAX = 1024
_PARSED_FILE_BYTES = 65_536


class _StrictMappings:
    """Mapping construction that refuses duplicate keys and keys that are not plain values."""

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


class _StrictLoader(_StrictMappings, yaml.SafeLoader):
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


#: libyaml's parser (PyYAML's C extension) under the same constructor: ~10x faster on the data
#: files (a report's kernel reads ~30 of them on start). Used only for a document libyaml scans
#: cleanly with at most :data:`MAX_ALIASES` aliases and at most :data:`_FAST_MAX_DEPTH` levels of
#: nesting; anything else (an error, an alias bomb, deep nesting) goes through :class:`_StrictLoader`,
#: so every refusal and its message are the pure-Python loader's.
_CSafeLoader = getattr(yaml, "CSafeLoader", None)
_FAST_MAX_DEPTH = 64
_OPENING = tuple(getattr(yaml, n) for n in ("BlockMappingStartToken", "BlockSequenceStartToken",
                                            "FlowMappingStartToken", "FlowSequenceStartToken"))
_CLOSING = (yaml.BlockEndToken, yaml.FlowMappingEndToken, yaml.FlowSequenceEndToken)

if _CSafeLoader is not None:
    class _StrictCLoader(_StrictMappings, _CSafeLoader):
        """CSafeLoader with the duplicate-key check of :class:`_StrictLoader`."""


def _fast_load(text: str) -> tuple[bool, Any]:
    """(True, document) parsed by libyaml when it is safe to (see :data:`_CSafeLoader`), else (False, None)."""
    if _CSafeLoader is None:
        return False, None
    aliases = depth = deepest = 0
    try:
        for token in yaml.scan(text, Loader=_CSafeLoader):
            if isinstance(token, _OPENING):
                depth += 1
                deepest = max(deepest, depth)
            elif isinstance(token, _CLOSING):
                depth -= 1
            elif isinstance(token, yaml.AliasToken):
                aliases += 1
        if aliases > MAX_ALIASES or deepest > _FAST_MAX_DEPTH:
            return False, None
        return True, yaml.load(text, Loader=_StrictCLoader)  # noqa: S506 - a SafeLoader's constructor
    except Exception:  # noqa: BLE001 - the pure-Python loader reads it again and words the error
        return False, None


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
    fast, parsed = _fast_load(text)
    try:
        if not fast:
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
