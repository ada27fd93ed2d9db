"""The explainable client health score, 0–100, from weighted factors.

Score = Σ (weight × factor score) / Σ weight, over the factors that have data for the client;
a factor with no data (no surveys, no invoices, …) is left out and the other weights are
renormalised, and the explanation says so. Each factor's score (0–100) comes from its raw
figure by the rule stated in ``models/health_factors.py``; its *contribution* is its share of
the total in points (weight × score / Σ weight), so the contributions add up to the score.
Weights come from the app config ``HEALTH_WEIGHTS`` ({factor: weight}, defaults in
``health_factors.DEFAULT_WEIGHTS``). Flags: ``models/health_flags.py``.

``health_scores`` issues a fixed number of grouped queries for any number of clients;
``explain`` compares the current contributions with the latest snapshot (``movers``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from flask import current_app
from sqlalchemy import select

from .aging import aging_report
from .clients import Client
from .health_factors import DEFAULT_WEIGHTS, FACTORS, payment_figures, q
from .health_flags import (
    DROP_DAYS,
    Flag,
    FlagInputs,
    evaluate,
    jobs_opened_periods,
    last_nps,
    revenue_periods,
)
from .health_snapshots import HealthSnapshot, history, snapshots_on_or_before

ZERO = Decimal(0)


@dataclass
class Factor:
    key: str
    label: str
    value: Decimal | None  # the raw figure
    unit: str
    score: Decimal | None  # 0–100, None: no data (left out)
    weight: Decimal  # the configured weight, renormalised over the factors with data
    contribution: Decimal  # points of the total
    rule: str  # how the value maps to the score
    detail: dict = field(default_factory=dict)

    def as_json(self) -> dict:
        def num(v):
            return None if v is None else str(v)

        return {
            "key": self.key,
            "label": self.label,
            "value": num(self.value),
            "unit": self.unit,
            "score": num(self.score),
            "weight": num(self.weight),
            "contribution": num(self.contribution),
            "rule": self.rule,
        }


@dataclass
class Health:
    client_id: int
    score: int | None
    factors: list[Factor]
    flags: list[Flag]
    as_of: date

    @property
    def left_out(self) -> list[Factor]:
        return [f for f in self.factors if f.score is None]

    @property
    def churn_risk(self) -> bool:
        return any(f.kind == "churn_risk" for f in self.flags)

    def factor(self, key: str) -> Factor:
        return next(f for f in self.factors if f.key == key)

    def snapshot_row(self) -> dict:
        return {
            "client_id": self.client_id,
            "score": self.score,
            "factors": {f.key: f.as_json() for f in self.factors},
            "flags": [f.as_json() for f in self.flags],
        }


@dataclass
class Mover:
    key: str
    label: str
    before: Decimal  # contribution at the snapshot
    after: Decimal  # contribution now
    change: Decimal  # after − before, signed


@dataclass
class Explanation:
    health: Health
    last_snapshot: HealthSnapshot | None
    movers: list[Mover]
    note: str  # which factors were left out for lack of data

    @property
    def top_mover(self) -> Mover | None:
        moved = [m for m in self.movers if m.change != 0]
        return moved[0] if moved else None

    @property
    def score_change(self) -> int | None:
        if self.last_snapshot is None or self.last_snapshot.score is None:
            return None
        if self.health.score is None:
            return None
        return self.health.score - self.last_snapshot.score


def weights() -> dict[str, Decimal]:
    """The configured weights ({factor key: weight ≥ 0}); unknown keys are ignored."""
    configured = current_app.config.get("HEALTH_WEIGHTS") or DEFAULT_WEIGHTS
    return {key: Decimal(str(configured.get(key, 0))) for key, *_ in FACTORS}


def combine(scores: dict[str, Decimal | None], weight: dict[str, Decimal]):
    """(total score or None, {key: renormalised weight}, {key: contribution}) of factor scores."""
    known = {k: s for k, s in scores.items() if s is not None and weight.get(k, ZERO) > 0}
    total_weight = sum((weight[k] for k in known), ZERO)
    if not known or total_weight == 0:
        return None, dict.fromkeys(scores, ZERO), dict.fromkeys(scores, ZERO)
    shares = {k: (weight[k] / total_weight if k in known else ZERO) for k in scores}
    contributions = {k: q(shares[k] * known[k], "0.01") if k in known else ZERO for k in scores}
    total = sum((shares[k] * known[k] for k in known), ZERO)
    score = int(total.quantize(Decimal(1), ROUND_HALF_UP))
    return score, {k: q(v * 100, "0.1") for k, v in shares.items()}, contributions


def health_scores(session, client_ids=None, as_of: date | None = None) -> dict[int, Health]:
    """{client id: Health} for ``client_ids`` (None: every client not archived), as of a day
    (today by default), in a fixed number of queries whatever the number of clients."""
    as_of = as_of or date.today()
    if client_ids is None:
        client_ids = session.scalars(select(Client.id).where(Client.archived.is_(False))).all()
    client_ids = list(client_ids)
    weight = weights()
    # One client (its page, its API): its own aging rows only; otherwise every client's.
    aging = aging_report(as_of, client_ids[0] if len(client_ids) == 1 else None)
    figures: dict[str, dict] = {}
    for key, _label, _unit, _rule, compute in FACTORS:
        if compute is payment_figures:
            figures[key] = compute(session, client_ids, as_of, aging=aging)
        else:
            figures[key] = compute(session, client_ids, as_of)
    inputs = FlagInputs(
        nps=last_nps(session, client_ids, as_of),
        revenue=revenue_periods(session, client_ids, as_of),
        jobs=jobs_opened_periods(session, client_ids, as_of),
        month_ago=snapshots_on_or_before(session, client_ids, as_of - timedelta(days=DROP_DAYS)),
    )
    result = {}
    for cid in client_ids:
        mine = {key: figures[key].get(cid) for key in figures}
        score, shares, contributions = combine(
            {k: (f.score if f is not None else None) for k, f in mine.items()}, weight
        )
        factors = [
            Factor(
                key,
                label,
                mine[key].value if mine[key] else None,
                unit,
                mine[key].score if mine[key] else None,
                shares[key],
                contributions[key],
                rule,
                mine[key].detail if mine[key] else {},
            )
            for key, label, unit, rule, _ in FACTORS
        ]
        present = {k: f for k, f in mine.items() if f is not None}
        result[cid] = Health(cid, score, factors, evaluate(cid, score, present, inputs), as_of)
    return result


def movers_since(health: Health, snapshot: HealthSnapshot | None) -> list[Mover]:
    """Per factor the change in contribution since ``snapshot``, largest |change| first."""
    before = (snapshot.factors or {}) if snapshot is not None else {}
    movers = []
    for factor in health.factors:
        then = Decimal(str((before.get(factor.key) or {}).get("contribution") or 0))
        movers.append(
            Mover(factor.key, factor.label, then, factor.contribution, factor.contribution - then)
        )
    return sorted(movers, key=lambda m: (-abs(m.change), m.key))


def explain(session, client_id: int, as_of: date | None = None) -> Explanation:
    """The client's health now, its latest snapshot (on or before ``as_of``) and the movers."""
    health = health_scores(session, [client_id], as_of)[client_id]
    last = snapshots_on_or_before(session, [client_id], health.as_of).get(client_id)
    left_out = [f.label for f in health.left_out]
    note = (
        f"No data for {', '.join(left_out)}: left out, the other weights renormalised to 100%."
        if left_out
        else "Every factor has data."
    )
    return Explanation(health, last, movers_since(health, last) if last else [], note)


def clients_at_risk(
    session, limit: int = 10, as_of: date | None = None, client_ids=None
) -> list[Health]:
    """The churn-risk flagged clients (of ``client_ids``; None: every client not archived),
    lowest score first (no score last)."""
    flagged = [h for h in health_scores(session, client_ids, as_of).values() if h.churn_risk]
    flagged.sort(key=lambda h: (h.score is None, h.score or 0, h.client_id))
    return flagged[:limit]


def score_history(session, client_id: int, limit: int = 90) -> list[HealthSnapshot]:
    return history(session, client_id, limit)


@dataclass
class HealthRow:
    """One line of the clients' health table: the score now against the last snapshot."""

    client_id: int
    client_name: str
    health: Health
    last_snapshot: HealthSnapshot | None

    @property
    def change(self) -> int | None:
        last = self.last_snapshot
        if last is None or last.score is None or self.health.score is None:
            return None
        return self.health.score - last.score


def health_table(session, client_ids, as_of: date | None = None) -> list[HealthRow]:
    """The health of ``client_ids`` with each one's latest snapshot, by client name (a fixed
    number of queries)."""
    client_ids = list(client_ids)
    scores = health_scores(session, client_ids, as_of)
    as_of = next(iter(scores.values())).as_of if scores else (as_of or date.today())
    last = snapshots_on_or_before(session, client_ids, as_of)
    names = session.execute(
        select(Client.id, Client.name).where(Client.id.in_(client_ids or [-1]))
    ).all()
    return sorted(
        (HealthRow(cid, name, scores[cid], last.get(cid)) for cid, name in names),
        key=lambda row: (row.client_name.lower(), row.client_id),
    )
