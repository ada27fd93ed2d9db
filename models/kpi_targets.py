"""KPI targets agreed with a client, and the client's figures against them.

Staff set, per client, a target for some of the KPIs (``TARGET_KPIS``): at most one per
client and KPI. The portal dashboard and the monthly report show each target with the
client's figure and whether it is met, by the KPI's direction: a "higher" KPI (fill rate,
NPS) is met when the figure is at least the target, a "lower" one (time-to-fill) when it is
at most the target. A KPI with no figure yet is neither met nor missed (``met`` None).

The target-able KPIs are the registry's KPIs that can be cut per client
(``models.kpis.KPIS``); their figures come from ``models.kpis.compute``, so the portal, the
monthly report and Reports › KPIs show the same number with the same formula.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from sqlalchemy import ForeignKey, Integer, Numeric, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import DomainError, Model, TimestampMixin, finite
from .clients import Client, _session
from .kpis import KPI, KPIS, Period, compute

# The KPIs a client may be shown and agree a target on: its recruiting service and its own
# satisfaction, in the registry's order. Never the agency's costs, margins or health score,
# nor its internal mail and activity figures.
CLIENT_FACING = (
    "time_to_fill",
    "time_to_submit",
    "submittals",
    "submittal_to_interview",
    "interviews",
    "interview_to_offer",
    "offer_acceptance",
    "fill_rate",
    "placements",
    "fall_offs",
    "open_job_orders",
    "quality_rating",
    "feedback_turnaround",
    "nps",
    "csat",
    "survey_response_rate",
)
TARGET_KPIS: dict[str, KPI] = {key: kpi for key, kpi in KPIS.items() if key in CLIENT_FACING}
TARGET_MAX = Decimal("1000000")


def target_range(key: str) -> tuple[Decimal, Decimal]:
    """The values a target of KPI ``key`` may take: NPS −100..100, a percentage 0..100."""
    if key == "nps":
        return Decimal(-100), Decimal(100)
    kpi = TARGET_KPIS.get(key)
    if kpi is not None and kpi.unit == "percent":
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


def measure(session, client_id: int, keys, start: date, end: date) -> dict[str, Decimal | None]:
    """{kpi key: the client's figure over [start, end)} for ``keys``, from the KPI registry:
    one grouped query per KPI, cut to this client."""
    figures = compute(list(keys), Period(start, end), by="client", ids=[client_id], session=session)
    return {key: values.get(client_id) for key, values in figures.items()}


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
