"""The relationship and finance KPIs (cut by client and for the agency), each on a small
hand-built data set whose expected value is worked out in the comments."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from extensions import db
from models import Activity, OutboxMessage
from models.collections import CollectionNotice
from models.kpis import compute
from models.survey_responses import SurveyResponse
from tests.factories import ClientFactory
from tests.models.kpi_data import MARCH, at, invoice
from tests.survey_factories import sent_survey

pytestmark = pytest.mark.usefixtures("ctx")


def one(key, by="client", ids=None):
    return compute([key], MARCH, by, ids)[key]


# ---------------------------------------------------------------- satisfaction


def _answers(client, scores):
    """A survey sent in March to one recipient per (nps, csat, submitted at) in ``scores``
    (None: not answered)."""
    survey = sent_survey("nps", client, count=len(scores))
    for recipient, answer in zip(survey.recipients, scores, strict=True):
        recipient.sent_at = at(1)
        if answer is not None:
            nps_score, csat_score, when = answer
            recipient.responded_at = when
            db.session.add(
                SurveyResponse(
                    survey_id=survey.id,
                    recipient_id=recipient.id,
                    client_id=client.id,
                    contact_id=recipient.contact_id,
                    nps_score=nps_score,
                    csat_score=csat_score,
                    submitted_at=when,
                )
            )
    db.session.commit()


def test_nps_csat_and_survey_response_rate():
    a, b = ClientFactory(), ClientFactory()
    # a: NPS answers 10, 9, 7, 3 → 2 promoters, 1 detractor of 4: (2 − 1) / 4 = 25.0;
    #    CSAT 5, 4, 2 (one left blank) → 2 of 3 satisfied = 66.7 %; one invitation unanswered:
    #    4 answered of 5 sent = 80.0 %.
    _answers(
        a,
        [(10, 5, at(2)), (9, 4, at(3)), (7, 2, at(4)), (3, None, at(5)), None],
    )
    # b: one detractor (0) → −100.0; CSAT 1 → 0.0 %; answered in April: out of NPS and CSAT.
    _answers(b, [(0, 1, at(6)), (10, 5, at(2, 4))])
    assert one("nps") == {a.id: Decimal("25.0"), b.id: Decimal("-100.0")}
    assert one("csat") == {a.id: Decimal("66.7"), b.id: Decimal("0.0")}
    assert one("survey_response_rate", ids=[a.id]) == {a.id: Decimal("80.0")}
    # agency: NPS 2 promoters − 2 detractors of 5 = 0.0
    assert one("nps", "agency") == {"all": Decimal("0.0")}
    # NPS is about clients: there is no per-recruiter figure
    assert compute(["nps"], MARCH, "recruiter") == {"nps": {}}


def test_mail_response_rate_over_the_emails_delivered_in_the_period():
    client = ClientFactory()
    # Four delivered in March, one answered → 25.0 %. A failed one and an SMS do not count.
    for status, channel, answered in (
        ("sent", "email", True),
        ("sent", "email", False),
        ("stored", "email", False),
        ("sent", "email", False),
        ("failed", "email", False),
        ("sent", "sms", True),
    ):
        db.session.add(
            OutboxMessage(
                channel=channel,
                to_email="pat@example.test",
                to_phone="+15550100" if channel == "sms" else None,
                subject="Hello",
                body_text="Hi",
                status=status,
                client_id=client.id,
                created_at=at(3),
                responded_at=at(4) if answered else None,
            )
        )
    db.session.commit()
    assert one("mail_response_rate") == {client.id: Decimal("25.0")}


# ---------------------------------------------------------------- engagement and churn


def _activity(client, when, kind="note", changes=None):
    db.session.add(
        Activity(
            client_id=client.id,
            kind=kind,
            subject_type="client",
            subject_id=client.id,
            summary="something happened",
            at=when,
            changes=changes,
        )
    )


def test_activity_recency_counts_days_to_the_end_of_the_period():
    a, b = ClientFactory(), ClientFactory()
    # a's last activity before Apr 1 00:00 is Mar 21 12:00 → 10.5 days (Apr 2 is after).
    _activity(a, at(2))
    _activity(a, at(21))
    _activity(a, at(2, 4))
    # b's last is Mar 31 12:00 → 0.5 days. Agency: (10.5 + 0.5) / 2 = 5.5.
    _activity(b, at(31))
    db.session.commit()
    # (the factory's client creation logs no activity of its own)
    values = one("activity_recency", ids=[a.id, b.id])
    assert values == {a.id: Decimal("10.5"), b.id: Decimal("0.5")}
    assert one("activity_recency", "agency") == {"all": Decimal("5.5")}


def test_churn_rate_over_the_clients_active_at_the_start():
    before = at(1, 1)  # created in January
    clients = [ClientFactory(created_at=before) for _ in range(4)]
    lead = ClientFactory(status="lead", created_at=before)  # never active: not counted
    gone = ClientFactory(status="churned", created_at=before)  # churned in February
    late = ClientFactory(created_at=at(10))  # created during March: not active at the start
    _activity(gone, at(10, 2), "status", {"status": ["active", "churned"]})
    # One of the four churned in March (another only went inactive): 1 / 4 = 25.0 %.
    clients[0].status = "churned"
    _activity(clients[0], at(15), "status", {"status": ["active", "churned"]})
    _activity(clients[1], at(15), "status", {"status": ["active", "inactive"]})
    db.session.commit()
    assert lead.id and late.id  # present, and left out by the rule
    assert one("churn_rate", "agency") == {"all": Decimal("25.0")}
    assert compute(["churn_rate"], MARCH, "client") == {"churn_rate": {}}


def test_churn_counts_only_the_clients_active_at_the_start():
    before = at(1, 1)  # created in January
    stayed = ClientFactory(created_at=before)
    went = ClientFactory(created_at=before, status="churned")
    _activity(went, at(12), "status", {"status": ["active", "churned"]})
    # Created on Mar 5 and churned on Mar 20: not active at the start, so not churned from it.
    new = ClientFactory(created_at=at(5), status="churned")
    _activity(new, at(20), "status", {"status": ["active", "churned"]})
    # A lead at the start (created in January) dropped on Mar 8: never an active client.
    dropped = ClientFactory(created_at=before, status="churned")
    _activity(dropped, at(8), "status", {"status": ["lead", "churned"]})
    db.session.commit()
    assert stayed.id
    # Active at the start: stayed and went (2); churned of those: went (1) → 1 / 2 = 50.0 %.
    # (Counting every churn in March gave 3 / 3 = 100 %: the lead counted in both, the new
    # client in the numerator only; with two new clients churned it went over 100 %.)
    assert one("churn_rate", "agency") == {"all": Decimal("50.0")}


# ---------------------------------------------------------------- finance


def test_revenue_and_lifetime_value_in_the_base_currency_net_of_credit_notes():
    client = ClientFactory()
    # March: 10,000 USD + 100,000 PHP at 0.0175 (1,750.00) − a 500 USD credit note → 11,250.00
    first = invoice(client, "10000", issue_date=date(2026, 3, 2))
    invoice(client, "100000", "0.0175", currency="PHP", issue_date=date(2026, 3, 31))
    invoice(
        client,
        "500",
        kind="credit_note",
        issue_date=date(2026, 3, 20),
        credited_invoice_id=first.id,
    )
    # Out of March: a draft, a void, one issued Apr 1; February's 2,000 counts for lifetime.
    invoice(client, "9999", status="draft")
    invoice(client, "7777", status="void", issue_date=date(2026, 3, 5))
    invoice(client, "3000", issue_date=date(2026, 4, 1))
    invoice(client, "2000", status="paid", issue_date=date(2026, 2, 1))
    assert one("revenue") == {client.id: Decimal("11250.00")}
    # lifetime to Apr 1: 11,250 + 2,000 = 13,250.00
    assert one("lifetime_value") == {client.id: Decimal("13250.00")}


def test_days_sales_outstanding_and_on_time_payment():
    client = ClientFactory()
    # Paid in March: issued Mar 1, paid Mar 11 12:00 → 10.5 days; issued Feb 20, paid
    # Mar 2 12:00 → 10.5 days; issued Feb 27, paid Mar 31 12:00 → 32.5. DSO = 53.5 / 3 = 17.8.
    # Due in March: the first paid on its due day (on time), the second and third a day and a
    # half after it (late), the fourth unpaid (late) → 1 of 4 = 25.0 %.
    invoice(
        client,
        "100",
        status="paid",
        issue_date=date(2026, 3, 1),
        due_date=date(2026, 3, 11),
        paid_at=at(11),
    )
    invoice(
        client,
        "100",
        status="paid",
        issue_date=date(2026, 2, 20),
        due_date=date(2026, 3, 1),
        paid_at=at(2),
    )
    invoice(
        client,
        "100",
        status="paid",
        issue_date=date(2026, 2, 27),
        due_date=date(2026, 3, 30),
        paid_at=at(31),
    )
    invoice(client, "100", issue_date=date(2026, 3, 1), due_date=date(2026, 3, 15))
    invoice(  # due in April: not in the period's rate
        client,
        "100",
        status="paid",
        issue_date=date(2026, 3, 1),
        due_date=date(2026, 4, 2),
        paid_at=at(1, 4),
    )
    assert one("days_sales_outstanding") == {client.id: Decimal("17.8")}
    assert one("on_time_payment") == {client.id: Decimal("25.0")}


def test_collection_level_reached_is_the_highest_notice_opened_in_the_period():
    a, b = ClientFactory(), ClientFactory()
    owed = invoice(a, "100", issue_date=date(2026, 1, 1), due_date=date(2026, 1, 31))
    other = invoice(b, "100", issue_date=date(2026, 1, 1), due_date=date(2026, 1, 31))
    # a: levels 1 and 2 in March, 4 in February → 2. b: level 3 in March → 3.
    for inv, level, day in (
        (owed, 1, date(2026, 3, 1)),
        (owed, 2, date(2026, 3, 16)),
        (owed, 4, date(2026, 2, 1)),
        (other, 3, date(2026, 3, 31)),
    ):
        db.session.add(
            CollectionNotice(
                invoice_id=inv.id,
                client_id=inv.client_id,
                level=level,
                created_on=day,
                days_overdue=30,
                status="closed",
            )
        )
    db.session.commit()
    assert one("collection_level") == {a.id: Decimal(2), b.id: Decimal(3)}
    assert one("collection_level", "agency") == {"all": Decimal(3)}
