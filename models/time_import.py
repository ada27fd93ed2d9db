"""CSV import of time entries, on the contact import's reader and report (``importing``).

Columns (first line; any order, case and spaces ignored): ``recruiter`` (a staff user's
username or email), ``day`` (YYYY-MM-DD), ``hours`` (more than 0, at most 24), and
optionally ``client`` (a client's short name; may be left out when a job order is given),
``job_order`` (its reference, JO-00012, or its id), ``billable`` (yes/no, true/false, 1/0;
yes when empty) and ``note``. Every row is checked with the model's own rules
(``TimeEntry.violations``) and each bad row is reported with its line (the header is line 1),
its field and the rule. The client and job order must be of a client the importing user may
see (``team.visible_client_ids``): a row naming any other is refused like an unknown name, so
nobody logs time on a client hidden from them.

**All or nothing**: ``import_time_entries`` writes the rows only when every row is good; a
file with a bad row writes nothing (fix the file and upload it again), so a file is never half
imported and importing the fixed file cannot double the rows that were good. Names are
looked up by sets: a file of any size costs the same few queries before the insert.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import func, or_, select

from .clients import Client
from .importing import ImportReport, RowError, _read
from .recruiting import JobOrder
from .team import visible_client_ids
from .time_entries import TimeEntry

KIND = "time_entries"
COLUMNS = {KIND: ("recruiter", "day", "hours", "client", "job_order", "billable", "note")}
REQUIRED = {KIND: ("recruiter", "day", "hours")}
YES, NO = {"yes", "y", "true", "1"}, {"no", "n", "false", "0"}
REFERENCE = re.compile(r"^(?:JO-)?0*(\d{1,9})$", re.IGNORECASE)


def _job_id(value: str | None) -> int | None:
    match = REFERENCE.match(value or "")
    return int(match.group(1)) if match else None


def _lookups(session, parsed, viewer=None) -> tuple[dict, dict, dict]:
    """{lowercased username or email: user}, {lowercased short name: client}, {id: job};
    the clients and jobs only of clients ``viewer`` may see (every one when None: a script)."""
    people = {(v.get("recruiter") or "").lower() for _, _, v in parsed} - {""}
    names = {(v.get("client") or "").lower() for _, _, v in parsed} - {""}
    job_ids = {_job_id(v.get("job_order")) for _, _, v in parsed} - {None}
    users = {}
    if people:
        for user in session.scalars(
            select(User).where(
                or_(func.lower(User.username).in_(people), func.lower(User.email).in_(people))
            )
        ):
            users[user.username.lower()] = user
            users[(user.email or "").lower()] = user
    clients = {}
    if names:
        query = select(Client).where(
            func.lower(Client.short_name).in_(names), Client.archived.is_(False)
        )
        if viewer is not None:
            query = query.where(Client.id.in_(visible_client_ids(viewer)))
        clients = {c.short_name.lower(): c for c in session.scalars(query)}
    jobs = {}
    if job_ids:
        query = select(JobOrder).where(JobOrder.id.in_(job_ids))
        if viewer is not None:
            query = query.where(JobOrder.client_id.in_(visible_client_ids(viewer)))
        jobs = {j.id: j for j in session.scalars(query)}
    return users, clients, jobs


def _row(values, users, clients, jobs, only_user) -> tuple[dict, list[tuple[str, str]]]:
    """The entry's fields from one row, and the (field, message) problems of the names."""
    problems, fields = [], {"note": values.get("note")}
    user = users.get((values.get("recruiter") or "").lower())
    if user is None:
        problems.append(("recruiter", f"No staff user '{values.get('recruiter') or ''}'."))
    elif only_user is not None and user.id != only_user.id:
        problems.append(("recruiter", "You may import only your own time."))
    fields["user"] = user
    try:
        fields["day"] = date.fromisoformat(values.get("day") or "")
    except ValueError:
        problems.append(("day", f"'{values.get('day') or ''}' is not a date as YYYY-MM-DD."))
    try:
        fields["hours"] = Decimal(values.get("hours") or "")
    except InvalidOperation:
        problems.append(("hours", f"'{values.get('hours') or ''}' is not a number of hours."))
    if values.get("client"):
        fields["client"] = clients.get(values["client"].lower())
        if fields["client"] is None:
            problems.append(
                (
                    "client",
                    f"client: no client you may see has the short name '{values['client']}'.",
                )
            )
    if values.get("job_order"):
        fields["job_order"] = jobs.get(_job_id(values["job_order"]))
        if fields["job_order"] is None:
            problems.append(
                ("job_order", f"job_order: no job order you may see is '{values['job_order']}'.")
            )
    billable = (values.get("billable") or "yes").lower()
    if billable not in YES | NO:
        problems.append(("billable", "Billable must be yes or no."))
    fields["billable"] = billable in YES
    return fields, problems


def check_time_entries(session, data: bytes | str, filename: str = "upload.csv",
                       only_user=None, viewer=None) -> ImportReport:  # fmt: skip
    """Read and check every row; nothing is written (``report.good``: the entries' fields).
    ``only_user``: the rows must all be this user's time (a recruiter importing their own).
    ``viewer``: the importing user; each row's client and job order must be of a client they
    may see (defaults to ``only_user``; with neither, every live client: a script).

    :raise ImportFileError: when the file cannot be read (encoding, unknown columns).
    """
    report, parsed = _read(KIND, data, filename, COLUMNS, REQUIRED)
    with session.no_autoflush:
        users, clients, jobs = _lookups(session, parsed, viewer or only_user)
        for line, _raw, values in parsed:
            fields, problems = _row(values, users, clients, jobs, only_user)
            if not problems:
                entry = TimeEntry(**{k: v for k, v in fields.items() if v is not None})
                problems = [(e.field or "row", e.message) for e in entry.violations()]
                if entry in session:
                    session.expunge(entry)
            report.errors.extend(RowError(line, field, message) for field, message in problems)
            if not problems:
                report.good.append({"_line": line, **fields})
    report.errors.sort(key=lambda error: error.line)
    bad = {error.line for error in report.errors}
    report.rejected = {line: raw for line, raw, _ in parsed if line in bad}
    return report


def import_time_entries(session, data: bytes | str, filename: str = "upload.csv", by=None,
                        only_user=None):  # fmt: skip
    """Check the file and, when every row is good, write them all and commit (all or
    nothing: a file with any bad row writes nothing; ``report.imported`` is 0). ``by``, the
    importing user, is also whose visible clients the rows may name."""
    report = check_time_entries(session, data, filename, only_user, viewer=by)
    if report.errors:
        return report
    try:
        for fields in report.good:
            session.add(
                TimeEntry(created_by=by, **{k: v for k, v in fields.items() if k != "_line"})
            )
        session.commit()
    except BaseException:
        session.rollback()
        raise
    report.imported = len(report.good)
    return report
