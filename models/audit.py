"""The audit trail: every create, update, archive and restore of a client, a contact or a note
lands on the timeline by itself.

One session hook does it, so the admin, the API, jobs, imports and the shell are all covered.
It runs after the rows are written (new records have their ids) while the attribute history
still holds the values from before, and adds ``Activity`` rows that the same commit writes.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.interfaces import MANYTOMANY, MANYTOONE

from .activity import Activity, current_actor, record_activity
from .clients import Client
from .contacts import Contact
from .notes import Note

# Never worth a line on the timeline.
SKIPPED = {"id", "created_at", "updated_at"}
PAUSED = "audit_paused"
BEFORE = "audit_before"


@contextmanager
def audit_paused(session: Session) -> Iterator[None]:
    """Write without audit rows (a bulk import that logs one summary row, an erasure that must
    not copy the erased values into the trail). The caller records what happened instead."""
    previous = session.info.get(PAUSED, False)
    session.info[PAUSED] = True
    try:
        yield
    finally:
        session.info[PAUSED] = previous


# ---------------------------------------------------------------- values


def label(field: str) -> str:
    return field.replace("_", " ").capitalize()


def display(value: Any) -> Any:
    """A JSON-safe, readable form of a value: dates as ISO strings, Decimals as strings,
    records by their display name, collections as sorted lists of names."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list | tuple | set):
        return sorted(str(display(item)) for item in value)
    if hasattr(value, "username"):  # a user: their name, never the row
        return f"{value.first_name or ''} {value.last_name or ''}".strip() or value.username
    return str(value)


def _same(before: Any, after: Any) -> bool:
    """Equal for the trail: a blank string and nothing are the same (a form sends '')."""
    return (before if before != "" else None) == (after if after != "" else None)


def _fields(mapper) -> list[tuple[str, Any]]:
    """What the trail follows on a model: its columns (a foreign key as its relation) and its
    many-to-many relations; one-to-many collections are records of their own."""
    fk_columns = {}
    many = []
    for rel in mapper.relationships:
        if rel.direction is MANYTOONE and len(rel.local_columns) == 1:
            fk_columns[next(iter(rel.local_columns)).key] = rel
        elif rel.direction is MANYTOMANY:
            many.append((rel.key, rel))
    fields = []
    for prop in mapper.column_attrs:
        if prop.key in SKIPPED:
            continue
        column = prop.columns[0]
        fields.append((prop.key, fk_columns.get(column.key)))
    return fields + many


def changes_of(session: Session, obj, created: bool = False) -> dict[str, list]:
    """``{field: [before, after]}`` for what this flush changed on ``obj`` (every set value
    when it was just created). A foreign key is named after its relation and shown by name."""
    state = inspect(obj)
    unloaded = session.info.get(BEFORE, {}).get(obj, {})
    changes: dict[str, list] = {}
    for key, rel in _fields(state.mapper):
        history = state.attrs[key].history
        if rel is not None and rel.direction is MANYTOMANY:
            if not (history.added or history.deleted):
                continue
            before = display([*history.unchanged, *history.deleted])
            after = display([*history.unchanged, *history.added])
            if before != after:
                changes[key] = [before, after]
            continue
        if not history.has_changes():
            continue
        if created:
            before = None
        elif key in unloaded:  # set without being read: its value from the database
            before = unloaded[key]
        else:
            before = _first(history.deleted, history.unchanged)
        after = _first(history.added, history.unchanged)
        if _same(before, after):
            continue
        if rel is not None:  # a foreign key: show the related records' names
            with session.no_autoflush:
                target = rel.mapper.class_
                before = display(session.get(target, before)) if before is not None else None
                after = display(session.get(target, after)) if after is not None else None
            key = rel.key
        else:
            before, after = display(before), display(after)
        changes[key] = [before, after]
    if created:  # a new record: what it was created with, not its empty defaults
        changes = {k: v for k, v in changes.items() if v[1] not in (None, "", [], False)}
    return changes


def _first(*sequences):
    for sequence in sequences:
        if sequence:
            return sequence[0]
    return None


# ---------------------------------------------------------------- what each model says


def _listed(changes: dict) -> str:
    return ", ".join(label(field) for field in changes)


def _client_events(obj: Client, changes: dict, created: bool) -> list[tuple]:
    """(kind, summary, changes) rows for a client."""
    if created:
        return [("created", f"Client created: {obj.name}", changes)]
    events = []
    if "archived" in changes:
        kept = {k: changes.pop(k) for k in ("archived", "archived_at") if k in changes}
        if obj.archived:
            events.append(("archived", f"Client archived: {obj.name}", kept))
        else:
            events.append(("restored", f"Client restored: {obj.name}", kept))
    if "status" in changes:
        before, after = changes.pop("status")
        summary = f"Status changed from {before or '—'} to {after}"
        events.append(("status", summary, {"status": [before, after]}))
    if changes:
        events.append(("updated", f"Client details changed: {_listed(changes)}", changes))
    return events


def _contact_events(obj: Contact, changes: dict, created: bool) -> list[tuple]:
    if created:
        return [("created", f"Contact created: {obj}", changes)]
    return [("updated", f"Contact {obj} changed: {_listed(changes)}", changes)]


def _note_events(obj: Note, changes: dict, created: bool) -> list[tuple]:
    if created:
        return [("note", f"Note added: {obj.excerpt}", changes)]
    events = []
    if "pinned" in changes:
        pinned = changes.pop("pinned")
        verb = "pinned" if obj.pinned else "unpinned"
        events.append(("note", f"Note {verb}: {obj.excerpt}", {"pinned": pinned}))
    changes.pop("author", None)
    if changes:
        events.append(("note", f"Note edited: {obj.excerpt}", changes))
    return events


def _client_ids(obj) -> list[int | None]:
    """The timelines an event about ``obj`` belongs on."""
    if isinstance(obj, Client):
        return [obj.id]
    if isinstance(obj, Contact):
        return sorted({link.client_id for link in obj.client_links}) or [None]
    return [obj.client_id]


AUDITED = {Client: _client_events, Contact: _contact_events, Note: _note_events}


@event.listens_for(Session, "before_flush")
def _keep_unread_values(session: Session, flush_context, instances) -> None:
    """Read the stored value of each audited field that was set without being read first (an
    expired record after a commit): the history alone would not know what it was before."""
    if session.info.get(PAUSED):
        return
    kept = session.info.setdefault(BEFORE, {})
    for obj in session.dirty:
        if type(obj) not in AUDITED:
            continue
        state = inspect(obj)
        unread = [
            key
            for key, _rel in _fields(state.mapper)
            if key in state.mapper.column_attrs
            and state.attrs[key].history.added
            and not state.attrs[key].history.deleted
            and not state.attrs[key].history.unchanged
        ]
        if unread and state.identity:
            columns = [getattr(type(obj), key) for key in unread]
            pk = state.mapper.primary_key[0]
            with session.no_autoflush:
                row = session.execute(select(*columns).where(pk == state.identity[0])).one()
            kept[obj] = dict(zip(unread, row, strict=True))


@event.listens_for(Session, "after_flush")
def _audit_after_flush(session: Session, flush_context) -> None:
    """Turn what this flush wrote to an audited record into timeline rows."""
    if session.info.get(PAUSED):
        return
    try:
        _record(session)
    finally:
        session.info.pop(BEFORE, None)


def _record(session: Session) -> None:
    for obj in [*session.new, *session.dirty]:
        describe = AUDITED.get(type(obj))
        if describe is None or isinstance(obj, Activity):
            continue
        created = obj in session.new
        changes = changes_of(session, obj, created=created)
        if not changes:
            continue  # a save that changed nothing leaves no trace
        with session.no_autoflush:
            events = describe(obj, changes, created)
            actor = getattr(obj, "changed_by", None) or current_actor()
            for client_id in _client_ids(obj):
                for kind, summary, values in events:
                    record_activity(
                        session,
                        kind,
                        summary,
                        client_id=client_id,
                        subject=obj,
                        actor=actor,
                        changes=values,
                    )
        if getattr(obj, "changed_by", None) is not None:
            obj.changed_by = None  # it named the author of this change only
