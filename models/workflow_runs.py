"""Workflow runs: one row per (step, record, occurrence), whatever the step did with it.

The unique key ``uq_workflow_run_once`` is the claim that makes a step send once: the
scheduler (``jobs/workflows.py``) inserts the run in the same transaction as its outbox
messages, and a second sweep or a racing worker trips the key and sends nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Model, UTCDateTime, utcnow

if TYPE_CHECKING:
    from .clients import Client
    from .messaging import OutboxMessage
    from .workflows import Workflow, WorkflowStep

RUN_OUTCOMES = ("sent", "skipped", "failed")


def _choice_sql(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


workflow_run_message = Table(
    "workflow_run_message",
    Model.metadata,
    Column("run_id", ForeignKey("workflow_run.id", ondelete="CASCADE"), primary_key=True),
    Column("outbox_message_id", ForeignKey("outbox_message.id"), primary_key=True),
)


class WorkflowRun(Model):
    """One step for one record, once: sent (messages queued), skipped or failed, with why.

    ``occurrence`` tells apart the times one record fires the same trigger: a contract's
    successive renewal dates, a client's successive low-engagement episodes (``once`` for
    triggers a record fires only once). The unique key is what makes a step send once.
    """

    __tablename__ = "workflow_run"
    __table_args__ = (
        UniqueConstraint("step_id", "record_id", "occurrence", name="uq_workflow_run_once"),
        CheckConstraint(_choice_sql("outcome", RUN_OUTCOMES), name="ck_workflow_run_outcome"),
        Index("ix_workflow_run_workflow_at", "workflow_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workflow_id: Mapped[int] = mapped_column(
        ForeignKey("workflow.id", ondelete="CASCADE"), nullable=False
    )
    step_id: Mapped[int] = mapped_column(
        ForeignKey("workflow_step.id", ondelete="CASCADE"), nullable=False
    )
    client_id: Mapped[int | None] = mapped_column(ForeignKey("client.id"), index=True)
    record_type: Mapped[str] = mapped_column(String(30), nullable=False)
    record_id: Mapped[int] = mapped_column(Integer, nullable=False)
    occurrence: Mapped[str] = mapped_column(String(40), nullable=False, default="once")
    fired_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    outcome: Mapped[str] = mapped_column(String(10), nullable=False, index=True)
    reason: Mapped[str | None] = mapped_column(Text)
    recipients: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)

    workflow: Mapped[Workflow] = relationship("Workflow", lazy="joined")
    step: Mapped[WorkflowStep] = relationship("WorkflowStep", lazy="joined")
    client: Mapped[Client | None] = relationship("Client", lazy="joined")
    messages: Mapped[list[OutboxMessage]] = relationship(
        "OutboxMessage", secondary=workflow_run_message
    )

    def __str__(self) -> str:
        return f"{self.workflow} step {self.step.position} for {self.record_label}: {self.outcome}"

    @property
    def record_label(self) -> str:
        return f"{self.record_type.replace('_', ' ')} #{self.record_id}"

    @property
    def outcome_label(self) -> str:
        return f"{self.outcome}: {self.reason}" if self.reason else self.outcome
