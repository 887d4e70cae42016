"""Logging set-up for the command line and the workers: one line per record, whatever the
text logged contains (a caller-controlled call id or goal cannot forge log lines)."""

from __future__ import annotations

import logging

_ESCAPES = {i: f"\\x{i:02x}" for i in range(32) if i != 9} | {
    10: "\\n", 13: "\\r", 0x7F: "\\x7f", 0x2028: "\\u2028", 0x2029: "\\u2029", 0x85: "\\x85"}
"""Control characters and Unicode line separators, as escapes (a tab stays a tab)."""


def escape(text: str) -> str:
    """``text`` with line breaks and other control characters escaped (``\\n``)."""
    return text.translate(_ESCAPES)


class OneLine(logging.Filter):
    """Renders each record's message with control characters escaped. Tracebacks, which
    the handler appends after the message, keep their lines."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = escape(record.getMessage())
        record.args = ()
        return True


def configure(level: int) -> None:
    """Log to stderr at ``level``, one escaped line per record."""
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, OneLine) for f in handler.filters):
            handler.addFilter(OneLine())
