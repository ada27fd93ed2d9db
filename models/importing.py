"""CSV import of clients and of contacts: check every row, then write the good ones at once.

The file is a UTF-8 CSV whose first line names the columns (any order, case and spaces
ignored: "Short name" is ``short_name``). Client columns: ``name``, ``short_name``,
``location`` (required), ``status``, ``tin``, ``vat_number``, ``address``, ``email``,
``phone``, ``website``, ``industry`` (an existing industry's name), ``size_band``,
``currency``, ``payment_term_label``, ``payment_term_days``, ``remittance_details``,
``new_business_year``, ``revenue_potential``, ``country``, ``region``, ``tags`` (existing tag
names separated by ``;``). Contact columns: ``first_name``, ``last_name`` (required),
``email``, ``phone``, ``title``, ``department``, ``client`` (the short name of the live client
to link the contact to, as a secondary contact).

``check_csv`` reads the file and reports every bad row with its line in the file (the header
is line 1), the field and the rule; the rules are the models' own (``violations()``) plus
uniqueness within the file. A row matching a record already in the database (a live client
with the same name, ignoring case; a contact with the same email, or with the same name and
phone when the row has no email) is reported as already present and skipped, never updated:
re-importing a file creates nothing twice. ``import_csv`` writes the good rows in one
transaction (a failure writes nothing) and records one "imported" timeline event per client.
Contacts are written with bulk inserts in chunks and checked against the database by sets,
so 100,000 rows take seconds, not minutes.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import String, func, insert, select, tuple_

from .activity import record_activity
from .base import DomainError, utcnow
from .clients import Client, Industry, Tag
from .contacts import ClientContact, Contact
from .duplicates import phone_digits

CLIENT_COLUMNS = (
    "name", "short_name", "status", "location", "tin", "vat_number", "address", "email",
    "phone", "website", "industry", "size_band", "currency", "payment_term_label",
    "payment_term_days", "remittance_details", "new_business_year", "revenue_potential",
    "country", "region", "tags",
)  # fmt: skip
CONTACT_COLUMNS = ("first_name", "last_name", "email", "phone", "title", "department", "client")
COLUMNS = {"clients": CLIENT_COLUMNS, "contacts": CONTACT_COLUMNS}
REQUIRED = {"clients": ("name", "short_name", "location"), "contacts": ("first_name", "last_name")}
INTEGERS = ("payment_term_days", "new_business_year")
CHUNK = 2000


class ImportFileError(DomainError):
    """The file as a whole cannot be read as an import (encoding, header)."""


@dataclass
class RowError:
    line: int
    field: str
    message: str


@dataclass
class ImportReport:
    """What a file holds: good rows (to write), rows already present, and every bad row."""

    kind: str
    filename: str
    fieldnames: list[str] = field(default_factory=list)
    rows: int = 0
    good: list[dict] = field(default_factory=list)
    present: list[tuple[int, str]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    rejected: dict[int, dict] = field(default_factory=dict)
    imported: int = 0

    @property
    def bad_lines(self) -> list[int]:
        return sorted(self.rejected)

    def rejected_csv(self) -> str:
        """The bad rows as they were in the file, with an ``errors`` column saying why."""
        by_line = defaultdict(list)
        for error in self.errors:
            by_line[error.line].append(f"{error.field}: {error.message}")
        out = io.StringIO()
        writer = csv.DictWriter(out, [*self.fieldnames, "line", "errors"], extrasaction="ignore")
        writer.writeheader()
        for line in self.bad_lines:
            writer.writerow(
                {**self.rejected[line], "line": line, "errors": "; ".join(by_line[line])}
            )
        return out.getvalue()


def _blank_to_none(value):
    if value is None:
        return None
    value = value.strip()
    return value or None


def _read(kind: str, data: bytes | str, filename: str, columns: dict | None = None,
          required: dict | None = None) -> tuple[ImportReport, list]:  # fmt: skip
    """Decode and parse ``data``; returns the report and (line, raw row, values) triples.

    ``columns`` and ``required`` ({kind: column names}) name another import's columns (time
    entries); by default the clients' and contacts'."""
    columns, required = columns or COLUMNS, required or REQUIRED
    if kind not in columns:
        raise ImportFileError(f"Unknown import kind '{kind}': clients or contacts.", "kind")
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ImportFileError(
                f"The file is not UTF-8 text (byte {error.start}): save it as CSV UTF-8.", "file"
            ) from error
    if "\0" in data:
        raise ImportFileError("The file is not a CSV text file.", "file")
    reader = csv.DictReader(io.StringIO(data, newline=""))
    header = reader.fieldnames or []
    keys = [re.sub(r"[\s\-]+", "_", (name or "").strip().lower()) for name in header]
    unknown = [name for name, key in zip(header, keys, strict=True) if key not in columns[kind]]
    if unknown:
        raise ImportFileError(
            f"Line 1: unknown column(s) {', '.join(repr(u) for u in unknown)}; the columns are "
            f"{', '.join(columns[kind])}.",
            "file",
        )
    missing = [col for col in required[kind] if col not in keys]
    if missing:
        raise ImportFileError(
            f"Line 1: the required column(s) {', '.join(missing)} are missing.", "file"
        )
    report = ImportReport(kind, filename, fieldnames=list(header))
    parsed = []
    try:
        for raw in reader:
            line = reader.line_num
            values = {
                key: _blank_to_none(raw.get(name)) for name, key in zip(header, keys, strict=True)
            }
            if raw.get(None):
                report.errors.append(
                    RowError(line, "row", "This row has more values than columns.")
                )
            parsed.append((line, raw, values))
    except csv.Error as error:
        raise ImportFileError(f"Line {reader.line_num}: {error}", "file") from error
    report.rows = len(parsed)
    return report, parsed


def _too_long(model, values: dict) -> list[tuple[str, str]]:
    """Values longer than their column allows (the database would refuse them)."""
    problems = []
    for key, value in values.items():
        column = model.__table__.columns.get(key)
        if value and column is not None and isinstance(column.type, String):
            limit = column.type.length
            if limit and len(value) > limit:
                problems.append((key, f"At most {limit} characters (it has {len(value)})."))
    return problems


def _in_chunks(items: list, size: int = CHUNK):
    for start in range(0, len(items), size):
        yield items[start : start + size]


# ---------------------------------------------------------------- checking


def check_csv(session, kind: str, data: bytes | str, filename: str = "upload.csv",
              visible=None) -> ImportReport:  # fmt: skip
    """Read and check the whole file; nothing is written.

    ``visible`` is a ``select`` of the client ids the importing user may see: contacts may be
    linked to those clients only. :raise ImportFileError: when the file cannot be read.
    """
    report, parsed = _read(kind, data, filename)
    with session.no_autoflush:
        if kind == "clients":
            _check_clients(session, report, parsed)
        else:
            _check_contacts(session, report, parsed, visible)
    report.errors.sort(key=lambda error: error.line)
    lines_with_errors = {error.line for error in report.errors}
    report.rejected = {line: raw for line, raw, _ in parsed if line in lines_with_errors}
    report.good = [row for row in report.good if row["_line"] not in lines_with_errors]
    return report


def _check_clients(session, report: ImportReport, parsed) -> None:
    names = {v["name"].lower() for _, _, v in parsed if v.get("name")}
    present = set()
    for chunk in _in_chunks(sorted(names)):
        present |= set(
            session.scalars(
                select(func.lower(Client.name)).where(
                    func.lower(Client.name).in_(chunk), Client.archived.is_(False)
                )
            )
        )
    industries = {i.name.lower(): i for i in session.scalars(select(Industry))}
    tags = {t.name.lower(): t for t in session.scalars(select(Tag))}
    seen: dict[tuple[str, str], int] = {}
    for line, _raw, values in parsed:
        if values.get("name") and values["name"].lower() in present:
            report.present.append((line, values["name"]))
            continue
        errors = [RowError(line, f, m) for f, m in _too_long(Client, values)]
        scalars = {k: v for k, v in values.items() if k not in ("industry", "tags", *INTEGERS)}
        for key in INTEGERS:
            if values.get(key) is not None:
                if re.fullmatch(r"-?\d+", values[key]):
                    scalars[key] = int(values[key])
                else:
                    errors.append(RowError(line, key, "Must be a whole number."))
        scalars["status"] = scalars.get("status") or "lead"
        client = Client(**scalars)
        if values.get("industry"):
            client.industry = industries.get(values["industry"].lower())
            if client.industry is None:
                errors.append(
                    RowError(line, "industry", f"No industry named '{values['industry']}'.")
                )
        for name in filter(None, (t.strip() for t in (values.get("tags") or "").split(";"))):
            if name.lower() in tags:
                client.tags.append(tags[name.lower()])
            else:
                errors.append(RowError(line, "tags", f"No tag named '{name}'."))
        if not errors:
            errors = [RowError(line, e.field or "row", e.message) for e in client.violations()]
        for key in ("name", "short_name"):
            value = (values.get(key) or "").lower()
            if value and (key, value) in seen:
                errors.append(
                    RowError(line, key, f"'{values[key]}' is also on line {seen[(key, value)]}.")
                )
            elif value:
                seen[(key, value)] = line
        report.errors.extend(errors)
        report.good.append({"_line": line, "client": client})


def _check_contacts(session, report: ImportReport, parsed, visible) -> None:
    short_names = {v["client"].lower() for _, _, v in parsed if v.get("client")}
    clients = {}
    for chunk in _in_chunks(sorted(short_names)):
        query = select(func.lower(Client.short_name), Client.id).where(
            func.lower(Client.short_name).in_(chunk), Client.archived.is_(False)
        )
        if visible is not None:
            query = query.where(Client.id.in_(visible))
        clients.update(session.execute(query).all())
    emails = {v["email"].lower() for _, _, v in parsed if v.get("email")}
    taken = set()
    for chunk in _in_chunks(sorted(emails)):
        taken |= set(
            session.scalars(
                select(func.lower(Contact.email)).where(func.lower(Contact.email).in_(chunk))
            )
        )
    named = {
        (v["first_name"].lower(), v["last_name"].lower())
        for _, _, v in parsed
        if not v.get("email") and v.get("first_name") and v.get("last_name")
    }
    known_people = set()
    for chunk in _in_chunks(sorted(named)):
        rows = session.execute(
            select(func.lower(Contact.first_name), func.lower(Contact.last_name), Contact.phone)
            .where(tuple_(func.lower(Contact.first_name), func.lower(Contact.last_name)).in_(chunk))
        )  # fmt: skip
        known_people |= {(first, last, phone_digits(phone)) for first, last, phone in rows}
    seen: dict[str, int] = {}
    fields = ("first_name", "last_name", "email", "phone", "title", "department")
    for line, _raw, values in parsed:
        contact = Contact(**{key: values.get(key) for key in fields})
        person = (
            (contact.first_name or "").lower(),
            (contact.last_name or "").lower(),
            phone_digits(contact.phone),
        )
        key = (contact.email or "").lower() or "|".join(person)
        if (contact.email and key in taken) or (not contact.email and person in known_people):
            report.present.append((line, contact.email or contact.full_name))
            continue
        errors = [RowError(line, f, m) for f, m in _too_long(Contact, values)]
        errors += [RowError(line, e.field or "row", e.message) for e in contact.violations(False)]
        client_id = None
        if values.get("client"):
            client_id = clients.get(values["client"].lower())
            if client_id is None:
                errors.append(
                    RowError(
                        line, "client", f"No live client with short name '{values['client']}'."
                    )
                )
        if key in seen:
            what = "email" if contact.email else "first_name"
            errors.append(RowError(line, what, f"The same contact is also on line {seen[key]}."))
        else:
            seen[key] = line
        report.errors.extend(errors)
        row = {f: getattr(contact, f) for f in fields}
        report.good.append({"_line": line, "client_id": client_id, "values": row})


# ---------------------------------------------------------------- writing


def import_csv(session, kind: str, data: bytes | str, filename: str = "upload.csv", *,
               by=None, visible=None) -> ImportReport:  # fmt: skip
    """Check the file again, write its good rows and commit (or, on any failure, roll back).

    :raise ImportFileError: when the file cannot be read (nothing is written).
    """
    report = check_csv(session, kind, data, filename, visible)
    try:
        if kind == "clients":
            _write_clients(session, report, by)
        else:
            _write_contacts(session, report, by)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return report


def _write_clients(session, report: ImportReport, by) -> None:
    clients = [row["client"] for row in report.good]
    for client in clients:
        client.action_take_ownership_if_unowned(by)
        session.add(client)
    session.flush()
    for row, client in zip(report.good, clients, strict=True):
        record_activity(
            session,
            "imported",
            f"Imported from {report.filename} (line {row['_line']}).",
            client_id=client.id,
            subject=client,
            actor=by,
        )
    report.imported = len(clients)


def _write_contacts(session, report: ImportReport, by) -> None:
    now = utcnow()
    per_client: dict[int | None, int] = defaultdict(int)
    for chunk in _in_chunks(report.good):
        rows = [{**row["values"], "created_at": now, "updated_at": now} for row in chunk]
        ids = session.scalars(
            insert(Contact).returning(Contact.id, sort_by_parameter_order=True), rows
        ).all()
        links = [
            {"client_id": row["client_id"], "contact_id": pk, "role": "secondary"}
            for row, pk in zip(chunk, ids, strict=True)
            if row["client_id"] is not None
        ]
        if links:
            session.execute(insert(ClientContact), links)
        for row in chunk:
            per_client[row["client_id"]] += 1
    for client_id, count in sorted(per_client.items(), key=lambda item: item[0] or 0):
        noun = "contact" if count == 1 else "contacts"
        record_activity(
            session,
            "imported",
            f"{count} {noun} imported from {report.filename}.",
            client_id=client_id,
            subject_type="client" if client_id else "contact",
            actor=by,
            changes={"contacts": count},
        )
    report.imported = len(report.good)
