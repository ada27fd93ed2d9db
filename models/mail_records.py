"""The records a message can be about ("About" on the compose form, ``about`` in the API).

A reference is ``<kind>:<id>`` (``invoice:12``, ``application:7``...). Each kind gives the
template variables it fills: an application gives ``candidate`` and ``job_order``, a milestone
``milestone`` and ``project``. A record of another client is refused exactly like a missing one.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from .billing import Invoice
from .candidates import Application
from .clients import _session
from .commercial import Quote
from .contracts import Contract
from .messaging import MessageError
from .projects import Milestone, Project
from .recruiting import JobOrder

CHOICES_PER_KIND = 50


def _application(application: Application) -> dict[str, Any]:
    return {"candidate": application.candidate, "job_order": application.job_order}


def _milestone(milestone: Milestone) -> dict[str, Any]:
    return {"milestone": milestone, "project": milestone.project}


# kind -> (model, label, its client column, the variables it fills, how it is named)
KINDS: dict[str, tuple] = {
    "invoice": (
        Invoice,
        "Invoice",
        Invoice.client_id,
        lambda r: {"invoice": r},
        lambda r: f"Invoice {r.number or '(draft)'} — {r.currency} {r.total:,.2f}, {r.status}",
    ),
    "quote": (
        Quote,
        "Quote",
        Quote.client_id,
        lambda r: {"quote": r},
        lambda r: f"Quote {r.number} — {r.title} ({r.status})",
    ),
    "job_order": (
        JobOrder,
        "Job order",
        JobOrder.client_id,
        lambda r: {"job_order": r},
        lambda r: f"Job order: {r.title} ({r.status.replace('_', ' ')})",
    ),
    "application": (
        Application,
        "Candidate",
        Application.client_id,
        _application,
        lambda r: (
            f"Candidate {r.candidate.first_name} {r.candidate.last_name} for {r.job_order.title}"
        ),
    ),
    "project": (
        Project,
        "Project",
        Project.client_id,
        lambda r: {"project": r},
        lambda r: f"Project: {r.name} ({r.status.replace('_', ' ')})",
    ),
    "contract": (
        Contract,
        "Contract",
        Contract.client_id,
        lambda r: {"contract": r},
        lambda r: f"Contract {r.number} — {r.title} ({r.status})",
    ),
}


def load_records(client_id: int, reference: str | None, field: str = "about") -> dict[str, Any]:
    """The template variables a reference fills, for a record of this client.

    :raise MessageError: for a malformed reference, or a record that does not exist or is
        another client's (the same message for both).
    """
    if not reference:
        return {}
    kind, _, raw_id = str(reference).partition(":")
    if kind == "milestone" and raw_id.isdigit():
        milestone = _session().scalar(
            select(Milestone)
            .join(Project, Project.id == Milestone.project_id)
            .where(Milestone.id == int(raw_id), Project.client_id == client_id)
        )
        if milestone is None:
            raise MessageError(f"No milestone {raw_id} of this client.", field)
        return _milestone(milestone)
    if kind not in KINDS or not raw_id.isdigit() or int(raw_id) > 2**31 - 1:
        raise MessageError(
            f"About must be one of {', '.join([*KINDS, 'milestone'])} with an id, "
            "such as invoice:12.",
            field,
        )
    model, label, client_column, fills, _name = KINDS[kind]
    record = _session().scalar(
        select(model).where(model.id == int(raw_id), client_column == client_id)
    )
    if record is None:
        raise MessageError(f"No {label.lower()} {raw_id} of this client.", field)
    return fills(record)


def record_choices(client_id: int) -> list[tuple[str, str]]:
    """What a message to this client can be about: its latest records of each kind."""
    choices: list[tuple[str, str]] = []
    session = _session()
    for kind, (model, _label, client_column, _fills, name) in KINDS.items():
        rows = session.scalars(
            select(model)
            .where(client_column == client_id)
            .order_by(model.id.desc())
            .limit(CHOICES_PER_KIND)
        ).all()
        choices += [(f"{kind}:{row.id}", name(row)) for row in rows]
    milestones = session.scalars(
        select(Milestone)
        .join(Project, Project.id == Milestone.project_id)
        .where(Project.client_id == client_id)
        .order_by(Milestone.id.desc())
        .limit(CHOICES_PER_KIND)
    ).all()
    choices += [
        (f"milestone:{m.id}", f"Milestone: {m.name} ({m.project.name})") for m in milestones
    ]
    return choices
