"""Text from files and users on its way to a terminal: control characters, escape sequences and
bidirectional overrides escaped (the one function that does it, used by the CLI and by
:mod:`orbitdc.validation`). Standard library only, so the command line can use it before it loads
the model."""
from __future__ import annotations

import unicodedata
from typing import Any

#: Characters of a user's text echoed back in a message (the rest is cut with an ellipsis).
ECHO_CHARS = 60


def terminal_text(text: Any) -> str:
    """``text`` on one line with control and format characters escaped: ``ESC`` stays visible as
    the four characters ``\\x1b`` and never reaches the terminal as an escape sequence; the
    bidirectional overrides and isolates (``U+202A``-``U+202E``, ``U+2066``-``U+2069``) and other
    invisible format characters show as ``\\u202e``; line breaks and tabs become spaces.

    Use it for every piece of text from a file or a user that is printed: names, descriptions,
    notes, sources, messages that quote them.
    """
    out = []
    for ch in str(text):
        if ch in "\n\r\t\v\f":
            out.append(" ")
        elif unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"):
            code = ord(ch)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
        else:
            out.append(ch)
    return "".join(out)


def terminal_lines(text: Any) -> str:
    """Several lines of text for a terminal: each line through :func:`terminal_text` (so a
    carriage return cannot overwrite a line), the line breaks kept."""
    return "\n".join(terminal_text(line) for line in str(text).split("\n"))


def echo(text: Any, limit: int = ECHO_CHARS) -> str:
    """A user's value quoted back in a message: :func:`terminal_text`, cut to ``limit``
    characters with the full length said (``'99999...' (5,000 characters)``)."""
    s = terminal_text(text)
    if len(s) <= limit:
        return s
    return f"{s[:limit]}... ({len(str(text)):,} characters)"
