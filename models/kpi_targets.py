"""KPI targets agreed with a client, and the client's figures against them.

Staff set, per client, a target for some of the KPIs (``TARGET_KPIS``): at most one per
client and KPI. The portal dashboard and the monthly report show each target with the
client's figure and whether it is met, by the KPI's direction: a "higher" KPI (fill rate,
NPS) is met when the figure is at least the target, a "lower" one (time-to-fill) when it is
at most the target. A KPI with no figure yet is neither met nor missed (``met`` None).

INTEGRATION POINT (lead, at merge): ``TARGET_KPIS`` duplicates the keys, labels, units and
directions of the KPI registry (``models.kpis.KPIS``) and ``measure()`` computes the figures
from the functions that exist today; both are to be replaced by the registry
(``KPIS[key].label/.unit/.better`` and ``compute(keys, period, by="client", ids=[client_id])``).
Until then time_to_submit, fill_rate, offer_acceptance_rate and quality_rating have no figure.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation

from sqlalchemy import ForeignKey, Integer, Numeric, String, UniqueConstraint, func, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import DomainError, Model, TimestampMixin, finite
from .candidates import Application, ApplicationStageChange
from .clients import Client, _session
from .pipeline_metrics import average_time_to_fill
from .recruiting import JobOrder
from .survey_responses import survey_results


@dataclass(frozen=True)
class TargetKpi:
    key: str
    label: str
    unit: str  # "days", "%", "score", "count"
    better: str  # "higher" or "lower"


TARGET_KPIS: dict[str, TargetKpi] = {
    kpi.key: kpi
    for kpi in (
        TargetKpi("time_to_fill", "Time to fill", "days", "lower"),
        TargetKpi("time_to_submit", "Time to first submission", "days", "lower"),
        TargetKpi("fill_rate", "Fill rate", "%", "higher"),
        TargetKpi("offer_acceptance_rate", "Offer acceptance rate", "%", "higher"),
        TargetKpi("quality_rating", "Candidate quality rating", "score", "higher"),
        TargetKpi("nps", "Net Promoter Score", "score", "higher"),
        TargetKpi("placements", "Placements", "count", "higher"),
    )
}
TARGET_MAX = Decimal("1000000")


def target_range(key: str) -> tuple[Decimal, Decimal]:
    """The values a target of KPI ``key`` may take: NPS −100..100, a percentage 0..100."""
    if key == "nps":
        return Decimal(-100), Decimal(100)
    kpi = TARGET_KPIS.get(key)
    if kpi is not None and kpi.unit == "%":
        return Decimal(0), Decimal(100)
    return Decimal(0), TARGET_MAX


class KpiTargetError(DomainError):
    """A KPI target breaks a rule (the message names the field)."""


class KpiTarget(TimestampMixin, Model):
    """The target agreed with ``client`` for one KPI."""

    __tablename__ = "kpi_target"
    __table_args__ = (UniqueConstraint("client_id", "kpi", name="uq_kpi_target_client_kpi"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id"), nullable=False, index=True)
    kpi: Mapped[str] = mapped_column(String(40), nullable=False)
    target: Mapped[Decimal] = mapped_column(Numeric(14, 2), nullable=False)
    note: Mapped[str | None] = mapped_column(String(500))
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))

    client: Mapped[Client] = relationship(Client)

    def __str__(self) -> str:
        kpi = TARGET_KPIS.get(self.kpi)
        return f"{kpi.label if kpi else self.kpi}: {self.target}"

    @property
    def kpi_label(self) -> str:
        kpi = TARGET_KPIS.get(self.kpi)
        return kpi.label if kpi else self.kpi

    def violations(self) -> list[KpiTargetError]:
        errors: list[KpiTargetError] = []
        if self.client_id is None and self.client is None:
            errors.append(KpiTargetError("Client is required.", "client"))
        if self.kpi not in TARGET_KPIS:
            errors.append(
                KpiTargetError(f"KPI must be one of {', '.join(TARGET_KPIS)}.", "kpi")
            )
        target = self.target
        try:
            target = None if target is None else Decimal(str(target))
        except InvalidOperation:
            target = None
        low, high = target_range(self.kpi)
        if target is None or not finite(target):
            errors.append(KpiTargetError("Target must be a number.", "target"))
        elif not low <= target <= high:
            errors.append(KpiTargetError(f"Target must be from {low:,} to {high:,}.", "target"))
        client_id = self.client.id if self.client is not None else self.client_id
        if client_id is not None and self.kpi in TARGET_KPIS:
            query = select(KpiTarget.id).where(
                KpiTarget.client_id == client_id, KpiTarget.kpi == self.kpi
            )
            if self.id is not None:
                query = query.where(KpiTarget.id != self.id)
            with _session().no_autoflush:
                taken = _session().scalar(query.limit(1))
            if taken is not None:
                errors.append(
                    KpiTargetError(
                        f"This client has a {TARGET_KPIS[self.kpi].label} target already: "
                        "change that one.",
                        "kpi",
                    )
                )
        return errors

    def validate(self) -> None:
        errors = self.violations()
        if errors:
            raise errors[0]


# ---------------------------------------------------------------- figures against targets


@dataclass(frozen=True)
class KpiStatus:
    key: str
    label: str
    unit: str
    better: str
    target: Decimal
    value: Decimal | None
    note: str | None = None

    @property
    def met(self) -> bool | None:
        if self.value is None:
            return None
        if self.better == "lower":
            return self.value <= self.target
        return self.value >= self.target


def default_period(today: date | None = None) -> tuple[date, date]:
    """The last 12 months up to today: (start, end) half-open dates."""
    today = today or date.today()
    return today - timedelta(days=365), today + timedelta(days=1)


def _at(day: date) -> datetime:
    return datetime.combine(day, time.min, UTC)


def placements(session, client_ids, start: date, end: date) -> dict[int, int]:
    """{client id: placements} made in [start, end): applications moved to placed. One query."""
    rows = session.execute(
        select(JobOrder.client_id, func.count(func.distinct(ApplicationStageChange.application_id)))
        .join(Application, Application.id == ApplicationStageChange.application_id)
        .join(JobOrder, JobOrder.id == Application.job_order_id)
        .where(
            ApplicationStageChange.to_stage == "placed",
            ApplicationStageChange.at >= _at(start),
            ApplicationStageChange.at < _at(end),
            JobOrder.client_id.in_(list(client_ids)),
        )
        .group_by(JobOrder.client_id)
    )
    return {client_id: int(count) for client_id, count in rows}


def measure(session, client_id: int, keys, start: date, end: date) -> dict[str, Decimal | None]:
    """{kpi key: the client's figure over [start, end)} for ``keys``.

    INTEGRATION POINT: the lead replaces this body with the KPI registry's
    ``compute(keys, Period(start, end), by="client", ids=[client_id])`` (taking the client's
    group). Today: time_to_fill is ``average_time_to_fill`` (over every filled order), nps the
    survey NPS of the responses in the period, placements the placements in the period; the
    other keys have no figure (None) yet.
    """
    keys = set(keys)
    figures: dict[str, Decimal | None] = dict.fromkeys(keys)
    if "time_to_fill" in keys:
        days = average_time_to_fill(session, [client_id]).get(client_id)
        figures["time_to_fill"] = Decimal(str(days)) if days is not None else None
    if "nps" in keys:
        figures["nps"] = survey_results([client_id], start, end - timedelta(days=1)).overall.nps
    if "placements" in keys:
        made = placements(session, [client_id], start, end)
        figures["placements"] = Decimal(made.get(client_id, 0))
    return figures


def scorecard(session, client_id: int, start: date | None = None, end: date | None = None):
    """The client's targets, each with its figure over [start, end) (the last 12 months by
    default), in ``TARGET_KPIS`` order. A fixed number of queries."""
    if start is None or end is None:
        start, end = default_period()
    targets = {
        t.kpi: t
        for t in session.scalars(select(KpiTarget).where(KpiTarget.client_id == client_id))
        if t.kpi in TARGET_KPIS
    }
    if not targets:
        return []
    figures = measure(session, client_id, targets, start, end)
    return [
        KpiStatus(
            kpi.key, kpi.label, kpi.unit, kpi.better, targets[kpi.key].target,
            figures.get(kpi.key), targets[kpi.key].note,
        )
        for kpi in TARGET_KPIS.values()
        if kpi.key in targets
    ]
