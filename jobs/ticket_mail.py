"""The emails of the service desk: which step tells whom (filled in by the mail-intake work).

Each function queues ``OutboxMessage`` rows for one step of a ticket in the current session
and returns them; ``jobs/tickets.py`` commits and hands them to the delivery job.
"""

from __future__ import annotations


def raised(ticket) -> list:
    return []


def commented(comment) -> list:
    return []


def status_changed(ticket) -> list:
    return []


def assigned(ticket) -> list:
    return []


def resolved(ticket) -> list:
    return []


def approved(ticket) -> list:
    return []


def rejected(ticket) -> list:
    return []


def escalated(event) -> list:
    return []
