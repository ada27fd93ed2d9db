"""The JSON of a client's health (the API's) and its CSV rows (the report's export)."""

from __future__ import annotations

from models.health import Explanation, HealthRow


def _num(value):
    return None if value is None else str(value)


def flags_json(flags) -> list[dict]:
    return [
        {"kind": f.kind, "rule": f.rule_key, "text": f.rule, "detail": f.as_json()["detail"]}
        for f in flags
    ]


def explanation_json(explanation: Explanation) -> dict:
    health, last = explanation.health, explanation.last_snapshot
    top = explanation.top_mover
    return {
        "clientId": health.client_id,
        "asOf": health.as_of.isoformat(),
        "score": health.score,
        "factors": [
            {
                "key": f.key,
                "label": f.label,
                "value": _num(f.value),
                "unit": f.unit,
                "score": _num(f.score),
                "weight": _num(f.weight),
                "contribution": _num(f.contribution),
                "rule": f.rule,
            }
            for f in health.factors
        ],
        "note": explanation.note,
        "flags": flags_json(health.flags),
        "lastSnapshot": None
        if last is None
        else {"takenOn": last.taken_on.isoformat(), "score": last.score},
        "scoreChange": explanation.score_change,
        "movers": [
            {
                "key": m.key,
                "label": m.label,
                "before": _num(m.before),
                "after": _num(m.after),
                "change": _num(m.change),
            }
            for m in explanation.movers
        ],
        "topMover": None if top is None else top.key,
    }


def row_json(row: HealthRow) -> dict:
    return {
        "clientId": row.client_id,
        "clientName": row.client_name,
        "score": row.health.score,
        "lastSnapshot": None
        if row.last_snapshot is None
        else row.last_snapshot.taken_on.isoformat(),
        "change": row.change,
        "flags": flags_json(row.health.flags),
    }


CSV_HEADER = ["client_id", "client", "score", "last_snapshot", "change", "churn_risk", "growth"]


def row_csv(row: HealthRow) -> list:
    def rules(kind):
        return "; ".join(f.rule_key for f in row.health.flags if f.kind == kind)

    last = row.last_snapshot
    return [
        row.client_id,
        row.client_name,
        "" if row.health.score is None else row.health.score,
        "" if last is None else last.taken_on.isoformat(),
        "" if row.change is None else row.change,
        rules("churn_risk"),
        rules("growth"),
    ]
