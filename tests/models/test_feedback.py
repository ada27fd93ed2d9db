"""Feedback turnaround: per-client review figures from explicit timestamps, who is due a
reminder, and the signed review links."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import itsdangerous.timed
import pytest
from sqlalchemy import event

from extensions import db
from models import Client, Evaluation
from models.feedback import (
    ReviewLink,
    ReviewLinkError,
    ReviewLinkExpiredError,
    ReviewLinkNotYoursError,
    ReviewLinkRefusedError,
    due_for_review_reminder,
    review_token,
    slowest_clients,
    turnaround_by_client,
)
from tests.factories import (
    ClientContactFactory,
    ClientFactory,
    add_candidate,
    open_job_order,
)

pytestmark = pytest.mark.usefixtures("ctx")

NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)


def at(days_before_now: float) -> datetime:
    return NOW - timedelta(days=days_before_now)


def presented(job, presented_at, reviewed_at=None, stage="submitted"):
    """An application presented at ``presented_at`` and first reviewed at ``reviewed_at``."""
    application = add_candidate(job, "submitted")
    if stage != "submitted":
        application.action_move(stage)
    application.presented_at = presented_at
    application.first_review_at = reviewed_at
    db.session.commit()
    return application


def figures(client: Client):
    return next(row for row in turnaround_by_client(now=NOW) if row.client_id == client.id)


def test_review_time_runs_from_presentation_to_the_first_review():
    job = open_job_order(client=ClientFactory(name="Acme"))
    presented(job, at(10), at(10) + timedelta(hours=12))
    presented(job, at(10), at(10) + timedelta(hours=36))
    presented(job, at(5), at(5) + timedelta(days=3))
    row = figures(job.client)
    assert (row.presented, row.reviewed) == (3, 3)
    assert row.average_hours == 40.0 and row.average_days == 1.7
    assert row.longest_hours == 72.0 and row.longest_days == 3.0
    assert (row.pending, row.oldest_pending_since, row.oldest_pending_hours) == (0, None, None)


def test_pending_reviews_count_the_oldest_wait_until_now():
    job = open_job_order()
    presented(job, at(2))
    presented(job, at(4.5))
    presented(job, at(6), at(5))
    row = figures(job.client)
    assert (row.presented, row.reviewed, row.pending) == (3, 1, 2)
    assert row.oldest_pending_since == at(4.5)
    assert row.oldest_pending_hours == 108.0 and row.oldest_pending_days == 4.5
    assert row.average_hours == 24.0


def test_a_candidate_rejected_or_on_a_closed_order_is_not_pending():
    job = open_job_order()
    presented(job, at(9), stage="rejected")
    other = open_job_order(client=job.client)
    presented(other, at(8))
    other.transition_to("cancelled")
    db.session.commit()
    row = figures(job.client)
    assert (row.presented, row.reviewed, row.pending) == (2, 0, 0)


def test_clients_are_listed_slowest_first_by_review_or_wait():
    fast = open_job_order(client=ClientFactory(name="Fast Co"))
    presented(fast, at(10), at(10) + timedelta(hours=5))
    slow = open_job_order(client=ClientFactory(name="Slow Co"))
    presented(slow, at(20), at(20) + timedelta(days=6))
    waiting = open_job_order(client=ClientFactory(name="Waiting Co"))
    presented(waiting, at(8))  # nobody reviewed: 8 days and counting
    names = [row.client_name for row in turnaround_by_client(now=NOW)]
    assert names == ["Waiting Co", "Slow Co", "Fast Co"]
    assert [row.client_name for row in slowest_clients(limit=2, now=NOW)] == names[:2]


def test_since_and_client_ids_narrow_the_figures():
    job = open_job_order()
    presented(job, at(40), at(30))
    presented(job, at(3), at(2))
    other = open_job_order()
    presented(other, at(3), at(1))
    [row] = turnaround_by_client(client_ids=[job.client_id], since=at(10), now=NOW)
    assert (row.client_id, row.presented, row.average_hours) == (job.client_id, 1, 24.0)


def test_the_figures_are_one_query_whatever_the_number_of_clients():
    for _ in range(3):
        presented(open_job_order(), at(4), at(2))
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        rows = turnaround_by_client(now=NOW)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert len(rows) == 3 and len(statements) == 1


def test_due_for_a_reminder_after_the_configured_days_unreviewed_live_and_not_reminded():
    job = open_job_order()
    due = presented(job, at(3.5))
    soon = presented(job, at(2.5))  # not yet
    presented(job, at(6), at(5))  # reviewed
    presented(job, at(6), stage="rejected")  # out of the running
    reminded = presented(job, at(7))
    reminded.review_reminded_at = at(1)
    held = open_job_order()
    presented(held, at(9)).job_order.transition_to("cancelled")
    db.session.commit()
    assert [a.id for a in due_for_review_reminder(NOW)] == [due.id]
    assert [a.id for a in due_for_review_reminder(NOW, days=2)] == [due.id, soon.id]


# ---------------------------------------------------------------- review links


def link_parts():
    application = presented(open_job_order(), at(4))
    contact = ClientContactFactory(client=application.client).contact
    return application, contact


def test_a_review_token_names_the_application_contact_and_decision():
    application, contact = link_parts()
    link = ReviewLink.load(review_token(application, contact, "hold"))
    assert (link.application, link.contact, link.decision) == (application, contact, "hold")
    assert link.refusal() is None


def test_a_tampered_token_is_not_valid():
    application, contact = link_parts()
    token = review_token(application, contact, "reject")
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    with pytest.raises(ReviewLinkError, match="not valid") as refused:
        ReviewLink.load(tampered)
    assert refused.value.status_code == 404


def test_a_token_signed_for_another_purpose_is_not_valid(app):
    application, contact = link_parts()
    other = itsdangerous.URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="other")
    with pytest.raises(ReviewLinkError, match="not valid"):
        ReviewLink.load(other.dumps({"a": application.id, "c": contact.id, "d": "advance"}))


def test_a_token_older_than_two_weeks_has_expired(monkeypatch):
    application, contact = link_parts()
    past = time.time() - timedelta(days=15).total_seconds()
    monkeypatch.setattr(itsdangerous.timed, "time", SimpleNamespace(time=lambda: past))
    token = review_token(application, contact, "advance")
    monkeypatch.undo()
    with pytest.raises(ReviewLinkExpiredError, match="expired") as refused:
        ReviewLink.load(token)
    assert refused.value.status_code == 410


def test_a_contact_of_another_client_is_refused():
    application, _ = link_parts()
    stranger = ClientContactFactory().contact
    link = ReviewLink.load(review_token(application, stranger, "advance"))
    refusal = link.refusal()
    assert isinstance(refusal, ReviewLinkNotYoursError) and refusal.status_code == 403
    assert application.candidate.full_name not in refusal.message
    with pytest.raises(ReviewLinkNotYoursError):
        link.action_record()


def test_a_candidate_no_longer_presented_is_refused_by_name():
    application, contact = link_parts()
    application.action_move("withdrawn")
    db.session.commit()
    refusal = ReviewLink.load(review_token(application, contact, "advance")).refusal()
    assert isinstance(refusal, ReviewLinkRefusedError) and refusal.status_code == 409
    assert f"{application.candidate} is no longer waiting for your review" in refusal.message


def test_recording_keeps_earlier_scores_and_a_repeat_changes_nothing():
    application, contact = link_parts()
    Evaluation.action_submit(application, contact, "hold", {"Skills": 4}, "Solid")
    db.session.commit()
    link = ReviewLink.load(review_token(application, contact, "advance"))
    evaluation, changed = link.action_record()
    db.session.commit()
    assert changed and evaluation.decision == "advance"
    assert (evaluation.scores, evaluation.comments) == ({"Skills": 4}, "Solid")
    again, changed_again = link.action_record()
    assert again.id == evaluation.id and not changed_again
