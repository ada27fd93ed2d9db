"""Ongoing service reviews: a meeting of the right length with the primary contact and the
account manager, its agenda drawn from the client's figures; the feedback survey after a held
quarterly review, once, and only then."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from extensions import db
from models import OnboardingError, OnboardingStateError, ServiceReview, Survey
from tests.factories import ClientContactFactory, ClientFactory, issued_invoice, make_user

pytestmark = pytest.mark.usefixtures("ctx")

NOW = datetime.now(UTC).replace(microsecond=0)


def client_with_primary(**fields):
    client = ClientFactory(engagement_manager=make_user("Account Manager"), **fields)
    ClientContactFactory(client=client, role="primary", contact__first_name="Ana")
    db.session.commit()
    return client


def schedule(client, kind="quarterly", starts_at=None) -> ServiceReview:
    review = ServiceReview.schedule(client, kind, starts_at or NOW + timedelta(days=1))
    db.session.commit()
    return review


def test_a_review_is_a_meeting_with_the_primary_contact_and_the_account_manager():
    client = client_with_primary(name="Kalayaan Steel")
    review = schedule(client, "weekly")
    meeting = review.meeting
    assert meeting.title == "Weekly status report: Kalayaan Steel"
    assert meeting.ends_at - meeting.starts_at == timedelta(minutes=30)
    assert [c.first_name for c in meeting.contacts] == ["Ana"]
    assert meeting.staff == [client.engagement_manager]


def test_the_agenda_counts_the_open_and_overdue_invoices():
    client = client_with_primary()
    issued_invoice(client, on=date.today() - timedelta(days=60))  # due after 30 days
    agenda = schedule(client, "monthly").meeting.agenda
    assert "- Open invoices: 1 (1 overdue, " in agenda
    assert "- Placements this month: 0" in agenda and "Strategic planning" in agenda


def test_an_unknown_kind_is_refused_naming_it():
    with pytest.raises(OnboardingError) as error:
        ServiceReview.schedule(client_with_primary(), "yearly", NOW)
    assert error.value.field == "kind"


def test_feedback_follows_a_held_quarterly_review_once():
    review = schedule(client_with_primary(), starts_at=NOW - timedelta(hours=3))
    survey = review.action_request_feedback()
    db.session.commit()
    assert review.action_request_feedback() == survey
    assert db.session.query(Survey).count() == 1
    assert survey.kind == "csat" and survey.status == "sent"
    assert [r.contact.first_name for r in survey.recipients] == ["Ana"]


@pytest.mark.parametrize("kind, hours", [("monthly", -3), ("quarterly", 24)])
def test_no_feedback_for_another_review_or_one_not_held(kind, hours):
    review = schedule(client_with_primary(), kind, NOW + timedelta(hours=hours))
    with pytest.raises(OnboardingStateError):
        review.action_request_feedback()


def test_no_feedback_without_a_primary_contact():
    client = ClientFactory(engagement_manager=make_user("Account Manager"))
    review = schedule(client, starts_at=NOW - timedelta(hours=3))
    with pytest.raises(OnboardingError, match="no primary contact"):
        review.action_request_feedback()
