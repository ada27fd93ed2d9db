"""How the admin shows dates and times: one place, so every page reads the same."""

from __future__ import annotations


def when(value, empty: str = "—") -> str:
    """A UTC timestamp as "23 Nov 2026, 14:05 UTC" (``empty`` when there is none)."""
    return value.strftime("%d %b %Y, %H:%M UTC") if value else empty


def when_or_blank(value) -> str:
    """Like ``when``, with nothing shown for a missing value (lists where a dash is noise)."""
    return when(value, "")


def day(value) -> str:
    """A date (or the day of a timestamp) as "23 Nov 2026"; a dash when there is none."""
    return value.strftime("%d %b %Y") if value else "—"
