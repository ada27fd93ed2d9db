"""Time-to-fill and stage conversion, from known dates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from extensions import db
from models.pipeline_metrics import (
    FillTime,
    average_time_to_fill,
    stage_conversion,
    time_to_fill,
)
from tests.factories import ClientFactory, add_candidate, open_job_order

pytestmark = pytest.mark.usefixtures("ctx")

JAN_1 = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)


def _job(client, opened: datetime, filled: datetime | None = None):
    job = open_job_order(client=client)
    job.opened_at, job.filled_at = opened, filled
    db.session.commit()
    return job


def test_time_to_fill_is_opened_to_filled_or_the_days_open_so_far():
    client = ClientFactory()
    filled = _job(client, JAN_1, JAN_1 + timedelta(days=30, hours=5))
    running = _job(client, datetime(2026, 3, 1, tzinfo=UTC))
    as_of = datetime(2026, 3, 11, 12, 0, tzinfo=UTC)
    assert time_to_fill(db.session, [filled.id, running.id], as_of=as_of) == {
        filled.id: FillTime(30, True),
        running.id: FillTime(10, False),
    }


def test_a_job_order_that_never_opened_has_no_time_to_fill():
    job = open_job_order()
    job.opened_at = None
    db.session.commit()
    assert time_to_fill(db.session, [job.id]) == {}


def test_the_clients_average_counts_its_filled_job_orders_only():
    client, other = ClientFactory(), ClientFactory()
    _job(client, JAN_1, JAN_1 + timedelta(days=30))
    _job(client, JAN_1, JAN_1 + timedelta(days=51))
    _job(client, JAN_1)  # still open: its time-to-fill is not known yet
    _job(other, JAN_1, JAN_1 + timedelta(days=5))
    averages = average_time_to_fill(db.session, [client.id, other.id])
    assert averages == {client.id: 40.5, other.id: 5.0}


def _moves(application, *stages):
    for stage in stages:
        application.action_move(stage)
    for day, change in enumerate(application.stage_changes):
        change.at = JAN_1 + timedelta(days=day)


def test_stage_conversion_counts_who_reached_each_stage_and_the_share_moving_on():
    job = open_job_order()
    _moves(add_candidate(job), "screened", "submitted", "client_interview")
    _moves(add_candidate(job), "screened", "rejected")  # got to screened
    _moves(add_candidate(job), "submitted")  # passed screened on the way
    _moves(add_candidate(job))
    _moves(add_candidate(open_job_order()), "screened")  # another job order's
    db.session.commit()
    funnel = {row.stage: (row.reached, row.to_next) for row in stage_conversion(db.session, job.id)}
    assert funnel == {
        "sourced": (4, 75.0),
        "screened": (3, 66.7),
        "submitted": (2, 50.0),
        "client_interview": (1, 0.0),
        "offer": (0, None),
        "placed": (0, None),
    }


def test_an_empty_pipeline_converts_nothing():
    funnel = stage_conversion(db.session, open_job_order().id)
    assert [(row.reached, row.to_next) for row in funnel] == [(0, None)] * 6


def test_days_in_stage_average_the_time_from_entering_a_stage_to_leaving_it():
    job = open_job_order()
    _moves(add_candidate(job), "screened", "submitted")  # 1 day sourced, 1 day screened
    slow = add_candidate(job)
    slow.action_move("screened")
    slow.action_move("rejected")
    for change, at in zip(
        slow.stage_changes,
        (JAN_1, JAN_1 + timedelta(days=4), JAN_1 + timedelta(days=10)),
        strict=True,
    ):
        change.at = at
    _moves(add_candidate(job))  # still sourced: not counted
    db.session.commit()
    days = {row.stage: row.avg_days for row in stage_conversion(db.session, job.id)}
    assert days == {
        "sourced": 2.5,  # (1 + 4) / 2
        "screened": 3.5,  # (1 + 6) / 2
        "submitted": None,
        "client_interview": None,
        "offer": None,
        "placed": None,
    }
