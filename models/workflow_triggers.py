"""The triggers of workflows, each one SQL query, and the recipient roles of their steps.

A trigger's query answers, for a window of trigger times, the records that fired: their id,
their client, the occurrence (which firing of that record it is) and the raw time the trigger
reads (a column, a date, an aggregate). The trigger time is that raw time shifted by
``offset`` (a quote fires N days after it was sent, a contract N days before its renewal, an
invoice the day after its due date). Date-based triggers fire at the start of their day (UTC).

| trigger | fires when | records |
|---|---|---|
| client onboarded | the client first became active (the audit trail's status change) | — |
| job order approved | ``JobOrder.approved_at`` | job_order |
| candidate presented | ``Application.presented_at`` | job_order, candidate |
| milestone completed | ``Milestone.completed_on`` | project, milestone |
| project completed | ``Project.completed_at`` | project (and a survey) |
| quote not viewed | N days after ``Quote.sent_at``, still sent and not viewed | quote |
| invoice overdue | the day after ``Invoice.due_date``, still open | invoice |
| contract renewal due | N days before ``Contract.renewal_date``, still active | contract |
| low engagement | N days after the client's last timeline activity, an active client | — |
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import String, and_, func, literal, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

ONCE = "once"

RECIPIENT_ROLES = {
    "primary": "Primary contact",
    "all_contacts": "All contacts",
    "hiring": "Hiring contacts",
    "billing": "Billing contacts",
    "signatories": "Signatories",
    "account_manager": "Account manager (staff)",
}


@dataclass(frozen=True)
class Trigger:
    key: str
    label: str
    record_type: str
    records: tuple[str, ...]
    takes_days: bool
    # (days) -> (query with record_id, client_id, occurrence, raw; the raw time column)
    query: Callable
    offset: Callable[[int | None], timedelta]
    by_date: bool = False

    def describe(self, days: int | None) -> str:
        if self.takes_days:
            return self.label.replace("N", str(days) if days is not None else "N")
        return self.label

    def fired(self, start: datetime, cutoff: datetime, days: int | None):
        """SQL: the records whose trigger time is in [start, cutoff]."""
        query, raw = self.query(days)
        shift = self.offset(days)
        low, high = start - shift, cutoff - shift
        if self.by_date:
            low, high = low.date(), high.date()
        return query.where(raw >= low, raw <= high)

    def fired_at(self, raw, days: int | None) -> datetime:
        """The trigger time of one row (a date fires at the start of its day, UTC)."""
        if isinstance(raw, date) and not isinstance(raw, datetime):
            from .base import utcnow

            raw = datetime.combine(raw, time(0), tzinfo=utcnow().tzinfo)
        return raw + self.offset(days)


class iso_day(FunctionElement):  # noqa: N801 (reads like the SQL function it stands for)
    """SQL: a date as ``YYYY-MM-DD`` text, whatever the session's DateStyle (an occurrence
    must read the same from every worker)."""

    type = String()
    inherit_cache = True


@compiles(iso_day)
def _iso_day(element, compiler, **kw):
    return f"CAST({compiler.process(element.clauses, **kw)} AS VARCHAR)"  # SQLite: ISO text


@compiles(iso_day, "postgresql")
def _iso_day_postgresql(element, compiler, **kw):
    return f"to_char({compiler.process(element.clauses, **kw)}, 'YYYY-MM-DD')"


class epoch_seconds(FunctionElement):  # noqa: N801
    """SQL: a timestamp as whole seconds since 1970 (UTC), as text: the same on every worker
    whatever its session's time zone."""

    type = String()
    inherit_cache = True


@compiles(epoch_seconds)
def _epoch_seconds(element, compiler, **kw):
    return f"strftime('%s', {compiler.process(element.clauses, **kw)})"  # SQLite: naive UTC


@compiles(epoch_seconds, "postgresql")
def _epoch_seconds_postgresql(element, compiler, **kw):
    value = compiler.process(element.clauses, **kw)
    return f"CAST(CAST(floor(EXTRACT(EPOCH FROM {value})) AS BIGINT) AS VARCHAR)"


def _none(days) -> timedelta:
    return timedelta(0)


def _plus_days(days) -> timedelta:
    return timedelta(days=days or 0)


def _minus_days(days) -> timedelta:
    return -timedelta(days=days or 0)


def _next_day(days) -> timedelta:
    return timedelta(days=1)


def _fired(record_id, client_id, raw, occurrence=None, join_client=True):
    """SELECT record_id, client_id, occurrence, raw, of live clients (the one shape of every
    trigger's query); ``occurrence`` defaults to ``once``."""
    from .clients import Client

    query = select(
        record_id.label("record_id"),
        client_id.label("client_id"),
        (occurrence if occurrence is not None else literal(ONCE)).label("occurrence"),
        raw.label("raw"),
    )
    if join_client:
        query = query.join(Client, Client.id == client_id)
    return query.where(Client.archived.is_(False)), raw


# ---------------------------------------------------------------- the queries


def _client_onboarded(days):
    from .activity import Activity
    from .clients import Client

    became_active = and_(
        Activity.subject_type == "client",
        Activity.kind.in_(("status", "created")),
        Activity.changes[("status", 1)].as_string() == "active",
    )
    first = (
        select(Activity.client_id, func.min(Activity.at).label("at"))
        .where(became_active)
        .group_by(Activity.client_id)
        .subquery()
    )
    query, raw = _fired(Client.id, Client.id, first.c.at, join_client=False)
    return query.join(first, first.c.client_id == Client.id).where(Client.status == "active"), raw


def _job_order_approved(days):
    from .recruiting import JobOrder

    query, raw = _fired(JobOrder.id, JobOrder.client_id, JobOrder.approved_at)
    return query.where(JobOrder.status.not_in(("rejected", "cancelled", "closed"))), raw


def _candidate_presented(days):
    from .candidates import Application

    return _fired(Application.id, Application.client_id, Application.presented_at)


def _milestone_completed(days):
    from .clients import Client
    from .projects import Milestone, Project

    query, raw = _fired(Milestone.id, Project.client_id, Milestone.completed_on, join_client=False)
    query = query.join(Project, Project.id == Milestone.project_id)
    return query.join(Client, Client.id == Project.client_id), raw


def _project_completed(days):
    from .projects import Project

    query, raw = _fired(Project.id, Project.client_id, Project.completed_at)
    return query.where(Project.status == "completed"), raw


def _quote_not_viewed(days):
    from .commercial import Quote

    query, raw = _fired(Quote.id, Quote.client_id, Quote.sent_at)
    return query.where(Quote.status == "sent", Quote.viewed_at.is_(None)), raw


def _invoice_overdue(days):
    from .billing import Invoice

    query, raw = _fired(Invoice.id, Invoice.client_id, Invoice.due_date, iso_day(Invoice.due_date))
    return query.where(
        Invoice.open_clause(), Invoice.due_date.is_not(None), Invoice.disputed_at.is_(None)
    ), raw


def _contract_renewal_due(days):
    from .contracts import Contract

    query, raw = _fired(
        Contract.id, Contract.client_id, Contract.renewal_date, iso_day(Contract.renewal_date)
    )
    return query.where(Contract.status == "active", Contract.renewal_date.is_not(None)), raw


def engagement_condition():
    """SQL: a timeline row that counts as engagement: anything but the workflows' own rows
    and mail or SMS sent by no one (jobs), which a workflow's own mails are."""
    from .activity import Activity

    return and_(
        Activity.kind != "workflow",
        or_(Activity.kind.not_in(("mail", "sms")), Activity.actor_id.is_not(None)),
    )


def _low_engagement(days):
    from .activity import Activity
    from .clients import Client

    last = (
        select(Activity.client_id, func.max(Activity.at).label("at"))
        .where(Activity.client_id.is_not(None), engagement_condition())
        .group_by(Activity.client_id)
        .subquery()
    )
    quiet_since = func.coalesce(last.c.at, Client.created_at)
    # A quiet spell is named by the moment it began (in seconds: the same on every worker).
    query, raw = _fired(
        Client.id, Client.id, quiet_since, epoch_seconds(quiet_since), join_client=False
    )
    return query.outerjoin(last, last.c.client_id == Client.id).where(
        Client.status == "active"
    ), raw


TRIGGERS: dict[str, Trigger] = {
    t.key: t
    for t in (
        Trigger("client_onboarded", "Client onboarded", "client", (), False,
                _client_onboarded, _none),
        Trigger("job_order_approved", "Job order approved", "job_order", ("job_order",),
                False, _job_order_approved, _none),
        Trigger("candidate_presented", "Candidate presented", "application",
                ("job_order", "candidate"), False, _candidate_presented, _none),
        Trigger("milestone_completed", "Milestone completed", "milestone",
                ("project", "milestone"), False, _milestone_completed, _none, by_date=True),
        Trigger("project_completed", "Project completed", "project", ("project", "survey"),
                False, _project_completed, _none),
        Trigger("quote_not_viewed", "Quote sent and not viewed after N days", "quote",
                ("quote",), True, _quote_not_viewed, _plus_days),
        Trigger("invoice_overdue", "Invoice overdue", "invoice", ("invoice",), False,
                _invoice_overdue, _next_day, by_date=True),
        Trigger("contract_renewal_due", "Contract renewal due in N days", "contract",
                ("contract",), True, _contract_renewal_due, _minus_days, by_date=True),
        Trigger("low_engagement", "Low engagement for N days", "client", (), True,
                _low_engagement, _plus_days),
    )
}  # fmt: skip
# Occurrences are text: "once", an ISO date (an invoice's due date, a contract's renewal date)
# or the moment (seconds since 1970) a quiet spell began.


# ---------------------------------------------------------------- a fired record's records


def load_records(trigger: str, session, record_id: int):
    """(the client, {variable: record}) for a record that fired ``trigger``; (None, {})
    when the record is gone."""
    from .billing import Invoice
    from .candidates import Application
    from .clients import Client
    from .commercial import Quote
    from .contracts import Contract
    from .projects import Milestone, Project
    from .recruiting import JobOrder

    model = {
        "client_onboarded": Client,
        "low_engagement": Client,
        "job_order_approved": JobOrder,
        "candidate_presented": Application,
        "milestone_completed": Milestone,
        "project_completed": Project,
        "quote_not_viewed": Quote,
        "invoice_overdue": Invoice,
        "contract_renewal_due": Contract,
    }[trigger]
    record = session.get(model, record_id)
    if record is None:
        return None, {}
    if isinstance(record, Client):
        return record, {}
    if isinstance(record, Application):
        return record.job_order.client, {
            "job_order": record.job_order,
            "candidate": record.candidate,
            "application": record,
        }
    if isinstance(record, Milestone):
        return record.project.client, {"project": record.project, "milestone": record}
    name = TRIGGERS[trigger].record_type
    return record.client, {name: record}


# ---------------------------------------------------------------- who a step mails


def recipient_links(role: str, client, records: dict) -> list:
    """The client's contacts (``ClientContact`` links) a step to ``role`` mails, in a stable
    order; empty for the staff role (see ``recipient_users``)."""
    from .recruiting import HIRING_ROLES

    links = sorted(client.contact_links, key=lambda link: (link.role != "primary", link.id))
    if role == "primary":
        return [link for link in links if link.role == "primary"]
    if role == "all_contacts":
        return links
    if role == "hiring":
        job = records.get("job_order")
        if job is None and records.get("project") is not None:
            jobs = records["project"].job_orders
            job = jobs[0] if len(jobs) == 1 else None
        if job is not None:
            ids = {s.contact_id for s in job.stakeholders if s.role in HIRING_ROLES}
            chosen = [link for link in links if link.contact_id in ids]
            if chosen:
                return chosen
        return [link for link in links if link.can_hiring]
    if role == "billing":
        invoice = records.get("invoice")
        if invoice is not None and invoice.contact_id is not None:
            chosen = [link for link in links if link.contact_id == invoice.contact_id]
            if chosen:
                return chosen
        return [link for link in links if link.can_billing]
    if role == "signatories":
        contract = records.get("contract")
        if contract is not None and contract.client_signatory_id is not None:
            chosen = [link for link in links if link.contact_id == contract.client_signatory_id]
            if chosen:
                return chosen
        return [link for link in links if link.can_sign]
    return []  # the account manager is staff: ``recipient_users``


def recipient_users(role: str, client) -> list:
    """The staff users a step to ``role`` mails (the client's account manager)."""
    if role != "account_manager":
        return []
    manager = client.account_manager
    return [manager] if manager is not None and manager.active else []


NO_RECIPIENT = {
    "primary": "no recipient: the client has no primary contact",
    "all_contacts": "no recipient: the client has no contacts",
    "hiring": "no recipient: no hiring contact (job order stakeholder or hiring access)",
    "billing": "no recipient: no billing contact",
    "signatories": "no recipient: no signatory",
    "account_manager": "no recipient: the client has no account manager",
}
