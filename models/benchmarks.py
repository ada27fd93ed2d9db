"""Benchmarks: a client's KPIs against the agency's own distribution over its peers.

Two peer groups: the clients of the same industry (``Client.industry_id``), and the clients
buying the same service type (with a job order of the client's main service type: the one most
of its job orders are sold as). For each KPI the peers' values come from ``kpis.compute`` (one
grouped query per KPI, one row per client); the quartiles are computed here from that short
list, since SQLite has no ``percentile_cont``: linear interpolation between the closest ranks
(``statistics.quantiles(..., method="inclusive")``, as ``percentile_cont`` and Excel's
QUARTILE.INC do). Peers with no value for a KPI (undefined) are left out of its distribution.

The client's position is its quartile, 1 (lowest quarter) to 4 (highest), placed by its
mid-rank among the peers: p = (peers strictly below + half the peers equal to it, itself
included) ÷ peers; quartile 1 when p < 0.25, 2 when p ≤ 0.5, 3 when p ≤ 0.75, else 4. Ties
share a middle rank (all equal: p = 0.5, quartile 2) rather than all landing in quartile 1.
With fewer than ``MIN_PEERS`` (2) peers with a value there is no distribution and no position.
``standing`` reads it against the KPI's direction ("top quarter" is quartile 4 for a KPI where
higher is better, quartile 1 where lower is).
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select

from .clients import Client
from .kpis import KPIS, KpiError, Period, compute, rounded
from .recruiting import JobOrder

MIN_PEERS = 2  # fewer peers with a value (the client included): no quartile position


class UnknownClientError(KpiError):
    status_code = 404


@dataclass(frozen=True)
class Benchmark:
    """One KPI of one client against one peer group."""

    peers: int  # peers with a value (the client included)
    value: Decimal | None
    lower_quartile: Decimal | None
    median: Decimal | None
    upper_quartile: Decimal | None
    position: int | None  # 1..4; None without a client value or with fewer than 2 peers

    def standing(self, better: str) -> str:
        if self.position is None:
            return "—"
        top = self.position == (4 if better == "higher" else 1)
        bottom = self.position == (1 if better == "higher" else 4)
        return "top quarter" if top else "bottom quarter" if bottom else "middle half"


@dataclass(frozen=True)
class ClientBenchmarks:
    client_id: int
    period: Period
    industry_id: int | None
    industry: str | None
    service_type: str | None
    by_industry: dict[str, Benchmark]  # {KPI key: benchmark}; empty without an industry
    by_service_type: dict[str, Benchmark]  # empty when the client has no job order


def quartiles(values) -> tuple[Decimal, Decimal, Decimal] | None:
    """(lower quartile, median, upper quartile) of ``values``, interpolated; None if empty."""
    data = sorted(Decimal(v) for v in values)
    if not data:
        return None
    if len(data) == 1:
        return data[0], data[0], data[0]
    q1, q2, q3 = statistics.quantiles(data, n=4, method="inclusive")
    return q1, q2, q3


def position(value, values) -> int | None:
    """The quartile (1..4) of ``value`` by its mid-rank among ``values`` (the peers' known
    values, the client's included): p = (count below + count equal / 2) ÷ count; None for no
    value or fewer than ``MIN_PEERS`` values."""
    if value is None or len(values) < MIN_PEERS:
        return None
    value = Decimal(value)
    below = sum(1 for v in values if Decimal(v) < value)
    equal = sum(1 for v in values if Decimal(v) == value)
    share = (Decimal(below) + Decimal(equal) / 2) / len(values)
    if share < Decimal("0.25"):
        return 1
    return 2 if share <= Decimal("0.5") else 3 if share <= Decimal("0.75") else 4


def benchmark_of(value, peer_values, places: int = 2) -> Benchmark:
    known = [v for v in peer_values if v is not None]
    cuts = quartiles(known)
    shown = [rounded(c, places) for c in cuts] if cuts else [None, None, None]
    return Benchmark(len(known), value, *shown, position(value, known))


def main_service_type(session, client_id: int) -> str | None:
    """The service type most of the client's job orders are sold as (ties: alphabetical)."""
    count = func.count(JobOrder.id)
    return session.scalar(
        select(JobOrder.service_type)
        .where(JobOrder.client_id == client_id)
        .group_by(JobOrder.service_type)
        .order_by(count.desc(), JobOrder.service_type)
        .limit(1)
    )


def _against(session, client_id, peers, period, keys) -> dict[str, Benchmark]:
    values = compute(keys, period, "client", peers, session)
    return {
        key: benchmark_of(values[key].get(client_id), values[key].values())
        for key in keys
        if values[key]
    }


def benchmark(client_id: int, period: Period, keys=None, session=None) -> ClientBenchmarks:
    """The client's KPIs (``keys``: None for every KPI cut by client) over ``period`` against
    its industry's and its service type's distribution.

    :raise UnknownClientError: for a client that does not exist (field ``client_id``).
    """
    if session is None:
        from extensions import db

        session = db.session
    client = session.get(Client, client_id)
    if client is None:
        raise UnknownClientError(f"There is no client {client_id}.", "client_id")
    keys = [k for k in (keys or KPIS) if "client" in KPIS[k].dimensions]
    live = Client.archived.is_(False)
    by_industry = {}
    if client.industry_id is not None:
        peers = select(Client.id).where(Client.industry_id == client.industry_id, live)
        by_industry = _against(session, client.id, list(session.scalars(peers)), period, keys)
    service_type = main_service_type(session, client.id)
    by_service = {}
    if service_type is not None:
        peers = (
            select(JobOrder.client_id)
            .join(Client, Client.id == JobOrder.client_id)
            .where(JobOrder.service_type == service_type, live)
            .distinct()
        )
        by_service = _against(session, client.id, list(session.scalars(peers)), period, keys)
    return ClientBenchmarks(
        client.id,
        period,
        client.industry_id,
        client.industry.name if client.industry_id else None,
        service_type,
        by_industry,
        by_service,
    )
