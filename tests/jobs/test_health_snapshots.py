"""The daily health snapshots: one row per client and day, however often the job runs; the
command and the schedule run the same job."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from extensions import db
from jobs.health import enqueue_snapshots, take_snapshots
from jobs.schedule import JOBS
from models.health_snapshots import HealthSnapshot
from tests.factories import ClientFactory, issued_invoice
from tests.jobs.rq_worker import run_burst_worker

pytestmark = pytest.mark.usefixtures("ctx")

TODAY = date.today()


def snapshot_rows():
    return db.session.execute(
        select(HealthSnapshot.client_id, HealthSnapshot.taken_on, HealthSnapshot.score).order_by(
            HealthSnapshot.client_id, HealthSnapshot.taken_on
        )
    ).all()


def test_running_the_job_twice_keeps_one_snapshot_per_client_and_day():
    first, second = ClientFactory(), ClientFactory()
    issued_invoice(first, on=TODAY)
    assert take_snapshots() == 2
    invoice = issued_invoice(second, on=TODAY)
    invoice.due_date = TODAY - timedelta(days=10)  # changes the second client's score
    db.session.commit()
    assert take_snapshots() == 2
    rows = snapshot_rows()
    assert [(cid, day) for cid, day, _ in rows] == [(first.id, TODAY), (second.id, TODAY)]
    # The second run's figures replaced the first's: the overdue invoice is in it.
    kept = db.session.scalars(
        select(HealthSnapshot).where(HealthSnapshot.client_id == second.id)
    ).one()
    assert kept.factors["payment"]["value"] == "100.0"  # all of its open balance overdue


def test_another_day_adds_a_row_and_the_enqueue_helper_runs_inline():
    ClientFactory()
    take_snapshots(TODAY - timedelta(days=1))
    enqueue_snapshots()  # no REDIS_URL in the tests: runs inline
    enqueue_snapshots()
    count = db.session.scalar(select(func.count(HealthSnapshot.id)))
    assert count == 2
    assert [day for _, day, _ in snapshot_rows()] == [TODAY - timedelta(days=1), TODAY]


def test_archived_clients_are_not_snapshotted():
    ClientFactory(archived=True)
    assert take_snapshots() == 0


def test_the_command_stores_the_day_and_the_schedule_runs_it_daily(app):
    ClientFactory()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["clientdesk", "health-snapshots", "--day", "2026-01-15"])
    assert result.exit_code == 0, result.output
    assert "1 client health snapshot(s) stored for 2026-01-15" in result.output
    result = runner.invoke(args=["clientdesk", "health-snapshots", "--day", "2026-01-15"])
    assert db.session.scalar(select(func.count(HealthSnapshot.id))) == 1
    daily = next(job for job in JOBS if job["name"] == "health_snapshots")
    assert daily["func"] is take_snapshots and daily["cron"] == "0 5 * * *"  # 05:00 UTC daily


@pytest.mark.redis
def test_enqueued_on_redis_a_real_rq_worker_takes_the_snapshots(
    app, redis_url, database_url, monkeypatch
):
    from redis import Redis
    from rq import Queue

    client = ClientFactory()
    monkeypatch.setitem(app.config, "REDIS_URL", redis_url)
    Queue("clientdesk", connection=Redis.from_url(redis_url)).empty()
    queued = enqueue_snapshots(TODAY - timedelta(days=2))
    run_burst_worker(redis_url, database_url)
    queued.refresh()
    assert queued.return_value() == 1
    db.session.expire_all()
    [(client_id, day, _score)] = snapshot_rows()
    assert (client_id, day) == (client.id, TODAY - timedelta(days=2))
