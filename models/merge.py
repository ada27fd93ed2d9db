"""Merging a duplicate client into the one kept.

Every row of every table that points at ``client.id`` moves to the kept client. The tables are
found by walking the metadata's foreign keys, so a table added later (notes, documents,
meetings...) is covered without touching this module. Where moving a row would break a unique
rule (the same contact, tag or team member on both clients), the duplicate's row is dropped: the
kept client already has that link. The merged client is archived, never deleted, and points at
the kept one; both timelines say what moved.
"""

from __future__ import annotations

from sqlalchemy import (
    ForeignKeyConstraint,
    PrimaryKeyConstraint,
    Table,
    UniqueConstraint,
    and_,
    exists,
    select,
    update,
)
from sqlalchemy.orm import object_session

from .activity import record_activity
from .base import DomainError, Model
from .clients import Client

# Blank fields of the kept client filled from the duplicate (nothing known is lost).
FILLED_FIELDS = (
    "email",
    "phone",
    "website",
    "address",
    "tin",
    "vat_number",
    "industry_id",
    "size_band",
    "currency",
    "revenue_potential",
    "country",
    "region",
    "engagement_manager_id",
    "owner_id",
)
# Readable names for the moved rows in the timeline's summary.
LABELS = {
    "client_contact": "contact links",
    "client_tag": "tags",
    "client_team_member": "team members",
    "location": "locations",
    "outbox_message": "messages",
    "activity": "timeline events",
}


class ClientMergeError(DomainError):
    """The two clients cannot be merged as asked."""


def client_references(metadata=None) -> list[tuple[Table, object]]:
    """Every (table, column) holding a foreign key to ``client.id``, in a stable order."""
    metadata = metadata or Model.metadata
    refs = []
    for table in metadata.sorted_tables:
        for constraint in table.constraints:
            if not isinstance(constraint, ForeignKeyConstraint):
                continue
            for element in constraint.elements:
                if element.column.table.name == "client" and element.column.name == "id":
                    refs.append((table, element.parent))
    return refs


def _unique_partners(table: Table, column) -> list[list]:
    """For each unique rule of ``table`` that includes ``column``, the other columns in it.

    Partial unique indexes (with a WHERE) are left to the caller: they are about one value
    of a column (one primary contact), handled before the move.
    """
    groups = []
    for constraint in table.constraints:
        if isinstance(constraint, UniqueConstraint | PrimaryKeyConstraint):
            cols = list(constraint.columns)
            if column in cols and len(cols) > 1:
                groups.append([c for c in cols if c is not column])
    for index in table.indexes:
        where = index.dialect_options["postgresql"].get("where")
        if index.unique and where is None and column in index.columns and len(index.columns) > 1:
            groups.append([c for c in index.columns if c is not column])
    return groups


def _drop_colliding(session, table: Table, column, duplicate_id: int, kept_id: int) -> int:
    """Delete the duplicate's rows whose move would repeat a row the kept client has."""
    dropped = 0
    for partners in _unique_partners(table, column):
        other = table.alias("kept_row")
        same = and_(*(other.c[c.name] == c for c in partners))
        _repoint_references(session, table, column, partners, duplicate_id, kept_id)
        result = session.execute(
            table.delete().where(
                column == duplicate_id,
                exists().where(other.c[column.name] == kept_id, same),
            )
        )
        dropped += result.rowcount or 0
    return dropped


def _repoint_references(session, table: Table, column, partners, duplicate_id, kept_id) -> None:
    """Rows pointing at a duplicate row about to be dropped (a portal invitation pointing at
    the duplicate's link to a contact) move to the kept client's matching row instead."""
    if "id" not in table.c:
        return
    dropped, kept = table.alias("dropped_row"), table.alias("kept_row")
    matches = [kept.c[c.name] == dropped.c[c.name] for c in partners]
    for referencing in table.metadata.sorted_tables:
        for fk in referencing.foreign_keys:
            if fk.column is not table.c.id:
                continue
            ref = fk.parent
            replacement = (
                select(kept.c.id)
                .where(dropped.c.id == ref, kept.c[column.name] == kept_id, *matches)
                .scalar_subquery()
            )
            doomed = select(dropped.c.id).where(
                dropped.c[column.name] == duplicate_id,
                exists().where(kept.c[column.name] == kept_id, *matches),
            )
            session.execute(
                referencing.update().where(ref.in_(doomed)).values({ref.name: replacement})
            )


def _one_primary_contact(session, duplicate_id: int, kept_id: int) -> None:
    """The kept client keeps its primary contact; the duplicate's becomes secondary."""
    from .contacts import ClientContact

    kept_has_primary = session.execute(
        select(ClientContact.id).where(
            ClientContact.client_id == kept_id, ClientContact.role == "primary"
        )
    ).first()
    if kept_has_primary:
        session.execute(
            update(ClientContact.__table__)
            .where(ClientContact.client_id == duplicate_id, ClientContact.role == "primary")
            .values(role="secondary")
        )


def merge_client(duplicate: Client, kept: Client, by=None) -> dict[str, int]:
    """Move every record of ``duplicate`` to ``kept``, archive ``duplicate``; returns the counts
    of moved rows by table. The caller commits (one commit point for the whole merge).

    :raise ClientMergeError: for a merge into itself, from or into an archived client.
    """
    if duplicate.id is None or kept.id is None:
        raise ClientMergeError("Save both clients before merging them.", "kept")
    if duplicate.id == kept.id:
        raise ClientMergeError("A client cannot be merged into itself.", "kept")
    if kept.archived:
        raise ClientMergeError(f"'{kept.name}' is archived: restore it first.", "kept")
    if duplicate.archived:
        raise ClientMergeError(f"'{duplicate.name}' is archived already.", "duplicate")
    session = object_session(duplicate)
    session.flush()
    filled = _fill_blanks(duplicate, kept)
    session.flush()
    _one_primary_contact(session, duplicate.id, kept.id)
    if _is_ancestor(duplicate, kept):
        # The kept client takes the duplicate's place in the group (no loop through itself).
        kept.parent_id = duplicate.parent_id if duplicate.parent_id != kept.id else None
        session.flush()
    moved: dict[str, int] = {}
    for table, column in client_references():
        if table.name == "client":
            # Children (and earlier merges) of the duplicate now hang off the kept client.
            where = [column == duplicate.id, table.c.id != kept.id]
        else:
            _drop_colliding(session, table, column, duplicate.id, kept.id)
            where = [column == duplicate.id]
        count = session.execute(update(table).where(*where).values({column.name: kept.id}))
        if count.rowcount:
            moved[table.name] = moved.get(table.name, 0) + count.rowcount
    session.expire_all()
    duplicate.action_archive()
    duplicate.merged_into_id = kept.id
    _record(session, duplicate, kept, moved, filled, by)
    return moved


def _is_ancestor(candidate: Client, client: Client) -> bool:
    """Whether ``candidate`` is ``client``'s parent, grandparent..."""
    seen, parent = set(), client.parent
    while parent is not None and parent.id not in seen:
        if parent.id == candidate.id:
            return True
        seen.add(parent.id)
        parent = parent.parent
    return False


def _fill_blanks(duplicate: Client, kept: Client) -> dict[str, list]:
    filled = {}
    for field in FILLED_FIELDS:
        value = getattr(duplicate, field)
        if value not in (None, "") and getattr(kept, field) in (None, ""):
            setattr(kept, field, value)
            filled[field] = [None, value]
    return filled


def _record(session, duplicate, kept, moved, filled, by) -> None:
    what = ", ".join(f"{n} {LABELS.get(t, t.replace('_', ' '))}" for t, n in moved.items())
    what = what or "nothing to move"
    changes = {"moved": moved, "filled": filled, "kept_id": kept.id, "merged_id": duplicate.id}
    record_activity(
        session,
        "merged",
        f"Merged into {kept.name}: {what}.",
        client_id=duplicate.id,
        subject=duplicate,
        actor=by,
        changes=changes,
    )
    record_activity(
        session,
        "merged",
        f"{duplicate.name} merged into this client: {what}.",
        client_id=kept.id,
        subject=kept,
        actor=by,
        changes=changes,
    )
