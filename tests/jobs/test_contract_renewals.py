"""Contract renewals: auto-renewing contracts renew by their term, the others expire, and the
owner hears of each renewal once, within the notice window, even when the job runs twice."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text

from extensions import db
from jobs import enqueue
from jobs.contract_documents import send_contract
from jobs.contracts import NO_RECIPIENT, run_contract_renewals
from models import Activity, ClientDocument, Contract, OutboxMessage
from models.contracts import add_months, renew_and_expire_contracts
from tests.factories import ClientFactory, draft_contract, make_user
from tests.jobs.test_mail import ROOT, mail_to, smtp  # noqa: F401  (fixtures: a real SMTP server)

pytestmark = pytest.mark.usefixtures("ctx")

TODAY = date.today()


def signed_contract(renews_in: int, **fields) -> Contract:
    """An active (sent and signed) one-year contract whose renewal date is ``renews_in`` days
    away (in the past when negative); its PDF rendered when it was sent."""
    fields.setdefault("owner", make_user("Account Manager", first_name="Paolo"))
    start = TODAY - timedelta(days=365 - renews_in)
    contract = draft_contract(start_date=start, **fields)
    send_contract(contract)
    contract.action_sign("Ada Lovelace")
    db.session.commit()
    return contract


def outbox() -> list[OutboxMessage]:
    return db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()


def fresh(contract: Contract) -> Contract:
    return db.session.get(Contract, contract.id, populate_existing=True)


# ---------------------------------------------------------------- notices


def test_the_owner_is_told_of_a_renewal_within_the_notice_window():
    contract = signed_contract(25, placements_target=4)
    run = run_contract_renewals()
    [message] = outbox()
    assert run.notified == [contract.id] and run.messages == [message.id]
    assert (message.to_email, message.kind) == (contract.owner.email, "contract_renewal")
    assert message.client_id == contract.client_id and message.contact_id is None
    assert message.subject == (
        f"Renewal in 25 days: contract {contract.number} with {contract.client.name}"
    )
    assert "Hello Paolo" in message.body_text
    assert f"renewal date on {contract.renewal_date:%d %b %Y}" in message.body_text
    assert "does not renew by itself" in message.body_text
    assert "Placements: 0 of the 4 targeted (0%)" in message.body_text
    assert f"http://portal.test/clientview/show/{contract.client_id}" in message.body_text
    assert message.status == "stored"  # no mail server: kept in the outbox
    assert fresh(contract).renewal_notice_for == contract.renewal_date


def test_the_notice_is_on_the_clients_timeline():
    contract = signed_contract(10)
    run_contract_renewals()
    [event] = db.session.scalars(
        select(Activity).where(Activity.summary.startswith("Renewal notice"))
    ).all()
    assert (event.client_id, event.subject_type, event.subject_id) == (
        contract.client_id,
        "contract",
        contract.id,
    )
    assert contract.owner.last_name in event.summary and contract.number in event.summary


def test_running_twice_sends_one_notice_per_renewal_date():
    contract = signed_contract(25)
    run_contract_renewals()
    second = run_contract_renewals()
    assert second.notified == [] and len(outbox()) == 1
    assert fresh(contract).renewal_notice_for == contract.renewal_date


def test_a_run_that_listed_the_contract_before_another_claimed_it_sends_nothing(monkeypatch):
    contract = signed_contract(25)
    run_contract_renewals()
    # A second worker that listed the contract before the first one's commit.
    monkeypatch.setattr("jobs.contracts.renewal_notices_due", lambda today, days: [fresh(contract)])
    late = run_contract_renewals()
    assert late.notified == [] and late.messages == [] and len(outbox()) == 1


def test_no_notice_before_the_notice_window():
    contract = signed_contract(40)
    assert run_contract_renewals().notified == [] and outbox() == []
    assert fresh(contract).renewal_notice_for is None
    # Ten days later it is within the 30 days.
    later = run_contract_renewals(today=TODAY + timedelta(days=10))
    assert later.notified == [contract.id] and len(outbox()) == 1
    assert outbox()[0].subject.startswith("Renewal in 30 days:")


def test_the_notice_window_follows_the_setting(app, monkeypatch):
    contract = signed_contract(40)
    monkeypatch.setitem(app.config, "CONTRACT_RENEWAL_NOTICE_DAYS", 45)
    assert run_contract_renewals().notified == [contract.id]


def test_unsigned_contracts_are_not_notified():
    draft_contract(start_date=TODAY - timedelta(days=350), owner=make_user("Account Manager"))
    sent = draft_contract(start_date=TODAY - timedelta(days=350))
    send_contract(sent)
    assert run_contract_renewals().notified == [] and outbox() == []


def test_without_an_owner_the_clients_account_manager_is_told():
    manager = make_user("Account Manager", first_name="Mara", email="mara@agency.test")
    client = ClientFactory(engagement_manager=manager)
    contract = signed_contract(20, client=client, owner=None)
    assert contract.owner is None
    run_contract_renewals()
    [message] = outbox()
    assert message.to_email == "mara@agency.test" and "Hello Mara" in message.body_text


def test_with_nobody_to_tell_the_contract_is_skipped_and_stays_unclaimed():
    contract = signed_contract(20, owner=None)
    run = run_contract_renewals()
    assert run.skipped == [(contract.id, NO_RECIPIENT)] and outbox() == []
    assert fresh(contract).renewal_notice_for is None
    # An owner set later is told on the next run.
    contract.owner = make_user("Account Manager")
    db.session.commit()
    assert run_contract_renewals().notified == [contract.id]


def test_the_notice_reaches_a_real_smtp_server(mail_to):  # noqa: F811
    contract = signed_contract(25, auto_renew=True)
    run_contract_renewals()
    [received] = mail_to.messages
    assert received["To"].addresses[0].addr_spec == contract.owner.email
    html = received.get_body(("html",)).get_content()
    assert "renews automatically for 12 months" in html
    assert f"/clientview/show/{contract.client_id}" in html
    assert outbox()[0].status == "sent"


# ---------------------------------------------------------------- renewal and expiry


def test_an_auto_renewing_contract_renews_records_a_version_and_is_notified_again():
    contract = signed_contract(25, auto_renew=True)
    renewal, end = contract.renewal_date, contract.end_date
    run_contract_renewals()  # the notice for this renewal date
    run = run_contract_renewals(today=renewal)
    contract = fresh(contract)
    assert run.renewed == [contract.id] and run.notified == []
    assert contract.status == "active"
    assert (contract.renewal_date, contract.end_date) == (
        add_months(renewal, 12),
        add_months(end, 12),
    )
    assert [v.note for v in contract.versions][-1] == "Renewed for 12 months"
    labels = [label for label, _, _ in contract.versions[-1].diff().fields]
    assert labels == ["End date", "Renewal date"]
    # The new renewal date gets its own notice when its window comes.
    again = run_contract_renewals(today=contract.renewal_date - timedelta(days=20))
    assert again.notified == [contract.id] and len(outbox()) == 2


def test_a_renewed_contracts_pdf_is_re_rendered_and_the_earlier_one_archived():
    contract = signed_contract(0, auto_renew=True)
    run_contract_renewals()
    documents = db.session.scalars(
        select(ClientDocument)
        .where(ClientDocument.source == f"contract:{contract.id}")
        .order_by(ClientDocument.id)
    ).all()
    assert [d.archived_at is None for d in documents][-1] is True
    assert all(d.archived_at is not None for d in documents[:-1]) and len(documents) >= 2
    assert documents[-1].title == f"Contract {contract.number} (version 2)"


def test_a_contract_that_missed_several_renewals_catches_up():
    contract = signed_contract(-400, auto_renew=True, renewal_term_months=6)
    expected = contract.renewal_date
    for _ in range(3):  # about 217 and 35 days ago, then 148 days ahead
        expected = add_months(expected, 6)
    assert run_contract_renewals().renewed == [contract.id]
    contract = fresh(contract)
    assert contract.renewal_date == expected > TODAY
    assert [v.note for v in contract.versions].count("Renewed for 6 months") == 3


def test_a_contract_past_its_end_without_auto_renewal_expires():
    contract = signed_contract(-10)
    lasting = signed_contract(100)
    run = run_contract_renewals()
    assert run.expired == [contract.id] and run.renewed == []
    assert fresh(contract).status == "expired" and fresh(lasting).status == "active"
    assert run_contract_renewals().expired == []


def test_two_runs_at_once_renew_a_contract_once(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    contract = signed_contract(0, auto_renew=True)
    renewal = contract.renewal_date
    assert renew_and_expire_contracts() == ([contract.id], [])  # renewed, not committed yet
    result = {}

    def second_run():
        with app.app_context():
            result["run"] = run_contract_renewals()
            db.session.remove()

    other = threading.Thread(target=second_run)
    other.start()
    _wait_for_a_lock_wait()
    db.session.commit()
    other.join(timeout=20)
    assert result["run"].renewed == []
    assert fresh(contract).renewal_date == add_months(renewal, 12)
    assert [v.note for v in fresh(contract).versions].count("Renewed for 12 months") == 1


def _wait_for_a_lock_wait(seconds: float = 10) -> None:
    """Until another connection waits on a row lock (the second run, blocked by ours)."""
    waiting = text(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE wait_event_type = 'Lock' AND datname = current_database()"
    )
    deadline = time.monotonic() + seconds
    with db.engine.connect() as connection:
        while connection.execute(waiting).scalar() == 0:
            assert time.monotonic() < deadline, "the second run never waited for the lock"
            time.sleep(0.05)
            connection.rollback()


@pytest.mark.redis
def test_a_real_rq_worker_runs_the_job_and_returns_its_record(
    app, redis_url, database_url, monkeypatch
):
    """Enqueued by a scheduler, the job runs in `rq worker --burst` (its own app, from the
    environment), queues the notice's delivery, and its result is plain ids."""
    from redis import Redis
    from rq import Queue

    contract = signed_contract(25)
    monkeypatch.setitem(app.config, "REDIS_URL", redis_url)
    Queue("clientdesk", connection=Redis.from_url(redis_url)).empty()
    queued = enqueue(run_contract_renewals)
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "SECRET_KEY": "worker-test-secret-0123456789abcdef",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("MAIL_SERVER", None)
    rq = Path(sys.executable).parent / "rq"
    worker = [rq, "worker", "--burst", "--worker-class", "rq.worker.SimpleWorker"]
    result = subprocess.run(
        [*map(str, worker), "--url", redis_url, "clientdesk"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    queued.refresh()
    record = queued.return_value()
    assert record.notified == [contract.id] and record.renewed == record.expired == []
    db.session.expire_all()
    [message] = outbox()
    assert record.messages == [message.id] and message.status == "stored"  # delivered too
    assert fresh(contract).renewal_notice_for == contract.renewal_date


# ---------------------------------------------------------------- the command


def test_the_command_reports_what_it_did(app):
    renewing = signed_contract(0, auto_renew=True)
    ending = signed_contract(-5)
    soon = signed_contract(12)
    orphan = signed_contract(15, owner=None)
    result = app.test_cli_runner().invoke(args=["clientdesk", "contract-renewals"])
    assert result.exit_code == 0, result.output
    assert f"1 contract(s) renewed: #{renewing.id}" in result.output
    assert f"1 contract(s) expired: #{ending.id}" in result.output
    assert "1 contract(s) renewing within 30 days: 1 notice(s) queued." in result.output
    assert f"contract #{orphan.id}: skipped, {NO_RECIPIENT}" in result.output
    assert [m.to_email for m in outbox()] == [soon.owner.email]
    again = app.test_cli_runner().invoke(args=["clientdesk", "contract-renewals", "--days", "60"])
    assert "0 contract(s) renewed." in again.output
    assert "0 contract(s) renewing within 60 days: 0 notice(s) queued." in again.output
