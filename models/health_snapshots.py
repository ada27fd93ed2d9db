"""A client's health score as it stood on a day: the daily job's snapshot (``jobs/health.py``).

One row per client and day (unique); taking a day's snapshot again replaces that day's row
(``INSERT … ON CONFLICT DO UPDATE`` on PostgreSQL and SQLite), so a re-run, a retry or two
schedulers never duplicate it. ``factors`` keeps each factor's value, score, weight and
contribution (as strings: exact decimals), ``flags`` the fired rules. The rows are written
``CHUNK_SIZE`` (500) to a statement: 6 parameters a row, one statement for every client would
pass PostgreSQL's 65,535 bound parameters at ~11k clients (and SQLite's limit much sooner).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Integer, UniqueConstraint, func, select
from sqlalchemy.orm import Mapped, mapped_column

from .base import Model, UTCDateTime, utcnow

CHUNK_SIZE = 500  # rows per INSERT: 6 parameters each, 3,000 a statement


class HealthSnapshot(Model):
    __tablename__ = "health_snapshot"
    __table_args__ = (UniqueConstraint("client_id", "taken_on", name="uq_health_snapshot_day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(
        ForeignKey("client.id", ondelete="CASCADE"), nullable=False, index=True
    )
    taken_on: Mapped[date] = mapped_column(Date, nullable=False, index=True)
    score: Mapped[int | None] = mapped_column(Integer)
    factors: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    flags: Mapped[list[Any]] = mapped_column(JSON, nullable=False, default=list)
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)

    def __repr__(self) -> str:
        return f"<HealthSnapshot client {self.client_id} {self.taken_on}: {self.score}>"


def upsert_snapshots(session, day: date, rows: list[dict]) -> int:
    """Store ``rows`` (client_id, score, factors, flags) as ``day``'s snapshots, replacing any
    of that day; one statement per ``CHUNK_SIZE`` rows, in the caller's transaction. Returns
    the number of rows written."""
    if not rows:
        return 0
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    now = utcnow()
    values = [{**row, "taken_on": day, "taken_at": now} for row in rows]
    for start in range(0, len(values), CHUNK_SIZE):
        statement = insert(HealthSnapshot).values(values[start : start + CHUNK_SIZE])
        statement = statement.on_conflict_do_update(
            index_elements=["client_id", "taken_on"],
            set_={
                "score": statement.excluded.score,
                "factors": statement.excluded.factors,
                "flags": statement.excluded.flags,
                "taken_at": statement.excluded.taken_at,
            },
        )
        session.execute(statement)
    return len(values)


def snapshots_on_or_before(session, client_ids, day: date) -> dict[int, HealthSnapshot]:
    """{client id: its latest snapshot taken on or before ``day``}, in one query."""
    latest = (
        select(HealthSnapshot.client_id, func.max(HealthSnapshot.taken_on).label("taken_on"))
        .where(HealthSnapshot.taken_on <= day)
        .group_by(HealthSnapshot.client_id)
    )
    if client_ids is not None:
        latest = latest.where(HealthSnapshot.client_id.in_(list(client_ids) or [-1]))
    latest = latest.subquery()
    rows = session.scalars(
        select(HealthSnapshot).join(
            latest,
            (latest.c.client_id == HealthSnapshot.client_id)
            & (latest.c.taken_on == HealthSnapshot.taken_on),
        )
    )
    return {row.client_id: row for row in rows}


def history(session, client_id: int, limit: int = 90) -> list[HealthSnapshot]:
    """The client's last ``limit`` snapshots, oldest first."""
    rows = session.scalars(
        select(HealthSnapshot)
        .where(HealthSnapshot.client_id == client_id)
        .order_by(HealthSnapshot.taken_on.desc())
        .limit(limit)
    ).all()
    return list(reversed(rows))
