"""A small RFC 5545 (iCalendar) writer: text escaping, line folding, CRLF line ends.

Only what a meeting invitation needs; ``models.meetings.Meeting.ics`` assembles the lines.
"""

from __future__ import annotations

from datetime import UTC, datetime

CRLF = "\r\n"
FOLD_AT = 75  # octets per line, CRLF excluded (RFC 5545 §3.1)


def escape_text(value: str | None) -> str:
    """A TEXT value (§3.3.11): backslash, semicolon, comma and newlines escaped."""
    value = (value or "").replace("\r\n", "\n").replace("\r", "\n")
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def param_value(value: str | None) -> str:
    """A parameter value (§3.2): quoted, as names hold commas and colons; DQUOTE cannot appear."""
    cleaned = "".join(ch for ch in (value or "") if ch not in '"\r\n' and ord(ch) >= 32)
    return f'"{cleaned}"'


def utc_stamp(value: datetime) -> str:
    """A DATE-TIME in UTC form: ``19970714T173000Z``."""
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def fold(line: str) -> str:
    """Split a content line into 75-octet pieces joined by CRLF and a space, never inside a
    UTF-8 character."""
    out, current, size = [], [], 0
    for ch in line:
        width = len(ch.encode("utf-8"))
        limit = FOLD_AT if not out else FOLD_AT - 1  # continuation lines start with a space
        if size + width > limit:
            out.append("".join(current))
            current, size = [], 0
        current.append(ch)
        size += width
    out.append("".join(current))
    return (CRLF + " ").join(out)


def calendar(lines: list[str]) -> bytes:
    """The folded lines of one iCalendar object, CRLF-terminated, as UTF-8 bytes."""
    return "".join(fold(line) + CRLF for line in lines).encode("utf-8")
