"""The client health score: each factor's normalisation on hand-built data (the expected
score worked out in the comments), the weighted total, the explanation's movers, the flags,
and a query count that does not grow with the number of clients."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import event, update

from extensions import db
from models import Activity, ApplicationStageChange, PortalLogin
from models.health import clients_at_risk, combine, explain, health_scores
from models.health_factors import (
    engagement_figures,
    feedback_figures,
    payment_figures,
    pipeline_figures,
    satisfaction_figures,
    service_level_figures,
)
from models.health_snapshots import HealthSnapshot, upsert_snapshots
from models.survey_responses import SurveyResponse, record_response
from tests.factories import (
    ClientFactory,
    MilestoneFactory,
    ProjectFactory,
    add_candidate,
    issued_invoice,
    open_job_order,
)
from tests.survey_factories import sent_survey

pytestmark = pytest.mark.usefixtures("ctx")

TODAY = date.today()
D = Decimal


def noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


def answers(client, kind, *values):
    """Responses to a sent survey of ``kind`` (one per value), submitted today."""
    survey = sent_survey(kind, client=client, count=len(values))
    key = survey.questions[0].key
    for recipient, value in zip(survey.recipients, values, strict=True):
        record_response(recipient, {key: str(value)})
    db.session.commit()
    return survey


def silence(client, since: date):
    """The client last engaged on ``since`` (a successful portal sign-in, noon UTC); every
    activity of ``client`` moved there too (the agency's own rows are not engagement)."""
    db.session.execute(
        update(Activity).where(Activity.client_id == client.id).values(at=noon(since))
    )
    db.session.add(
        PortalLogin(username=f"last-{client.id}@example.test", client_id=client.id,
                    succeeded=True, at=noon(since))  # fmt: skip
    )
    db.session.commit()


def pay(invoice, on: date):
    """Mark ``invoice`` paid in full on ``on`` (the figures read only these columns)."""
    invoice.status = "paid"
    invoice.amount_paid = invoice.total
    invoice.balance = D(0)
    invoice.paid_at = noon(on)
    db.session.commit()


# ---------------------------------------------------------------- each factor


def test_satisfaction_is_the_mean_of_nps_mapped_to_0_100_and_csat():
    client = ClientFactory()
    # NPS answers 10, 9, 6, 8: 2 promoters, 1 detractor of 4 → NPS = (2 − 1) / 4 × 100 = 25.0
    answers(client, "nps", 10, 9, 6, 8)
    # CSAT answers 5, 4, 2 (satisfied: 4 or 5) → 2 / 3 = 66.7 %
    answers(client, "csat", 5, 4, 2)
    figure = satisfaction_figures(db.session, [client.id], TODAY)[client.id]
    assert figure.value == D("25.0")
    # (25 + 100) / 2 = 62.5; mean(62.5, 66.7) = 64.6
    assert figure.score == D("64.6")


def test_a_client_without_survey_answers_has_no_satisfaction_figure():
    client = ClientFactory()
    assert client.id not in satisfaction_figures(db.session, [client.id], TODAY)


def test_payment_is_the_mean_of_100_minus_overdue_share_and_on_time_rate():
    client = ClientFactory()
    # Two open invoices of PHP 22,400 each (20,000 + 12 % VAT): one due in the future, one due
    # 10 days ago → overdue share = 22,400 / 44,800 = 50.0 %
    issued_invoice(client, on=TODAY)
    late = issued_invoice(client, on=TODAY)
    late.due_date = TODAY - timedelta(days=10)
    # One invoice paid on time (due tomorrow, paid today), one paid late (due 5 days before)
    on_time = issued_invoice(client, on=TODAY)
    paid_late = issued_invoice(client, on=TODAY)
    on_time.due_date = TODAY + timedelta(days=1)
    paid_late.due_date = TODAY - timedelta(days=5)
    pay(on_time, TODAY)
    pay(paid_late, TODAY)
    figure = payment_figures(db.session, [client.id], TODAY)[client.id]
    assert figure.value == D("50.0")
    assert figure.detail["on_time_rate"] == D("50.0")  # 1 of 2 paid by the due date
    # mean(100 − 50, 50) = 50.0
    assert figure.score == D("50.0")


def test_feedback_is_full_at_the_target_and_zero_at_four_times_it(app):
    client = ClientFactory()
    job = open_job_order(client=client)
    # Target: FEEDBACK_REMINDER_DAYS (3) × 24 = 72 h; 0 at 288 h.
    # Two reviews of 96 h and 144 h → average 120 h; no pending wait.
    now = noon(TODAY)
    for hours in (96, 144):
        application = add_candidate(job, "submitted")
        application.presented_at = now - timedelta(days=10)
        application.first_review_at = application.presented_at + timedelta(hours=hours)
    db.session.commit()
    figure = feedback_figures(db.session, [client.id], TODAY)[client.id]
    assert figure.value == D("120.0")
    # 100 × (288 − 120) / (288 − 72) = 100 × 168 / 216 = 77.8
    assert figure.score == D("77.8")


def test_service_level_is_the_share_of_commitments_on_time():
    client = ClientFactory()
    # Two live job orders with a 60-day timeline: one opened 70 days ago (late), one 10 days ago.
    late = open_job_order(client=client)
    late.opened_at = noon(TODAY) - timedelta(days=70)
    open_job_order(client=client)
    # Two milestones with a due date: one overdue and open, one completed on its due date.
    project = ProjectFactory(client=client)
    MilestoneFactory(project=project, due_date=TODAY - timedelta(days=3))
    MilestoneFactory(project=project, due_date=TODAY - timedelta(days=3),
                     completed_on=TODAY - timedelta(days=3))  # fmt: skip
    db.session.commit()
    figure = service_level_figures(db.session, [client.id], TODAY)[client.id]
    assert figure.value == D(2)  # 1 late job order + 1 overdue milestone
    # 4 commitments, 2 on time → 100 × 2 / 4 = 50.0
    assert figure.score == D("50.0")


def test_a_milestone_completed_late_is_a_breach_and_only_the_window_counts():
    client = ClientFactory()
    project = ProjectFactory(client=client)
    # Due 10 days ago, completed 2 days ago: late (a breach, though done now).
    MilestoneFactory(project=project, due_date=TODAY - timedelta(days=10),
                     completed_on=TODAY - timedelta(days=2))  # fmt: skip
    # Due 20 days ago, completed 25 days ago: early, on time.
    MilestoneFactory(project=project, due_date=TODAY - timedelta(days=20),
                     completed_on=TODAY - timedelta(days=25))  # fmt: skip
    # Due today and still open: not late yet, on time.
    MilestoneFactory(project=project, due_date=TODAY)
    # Out of the count: due in 5 days (not due yet), and due 200 days ago (before the
    # 180-day window), even though the latter was never completed.
    MilestoneFactory(project=project, due_date=TODAY + timedelta(days=5))
    MilestoneFactory(project=project, due_date=TODAY - timedelta(days=200))
    db.session.commit()
    figure = service_level_figures(db.session, [client.id], TODAY)[client.id]
    # 3 milestones in the window, 1 breach → value 1, score 100 × 2 / 3 = 66.7
    # (the bug counted the late one on time and all 5 in the denominator: 100 × 4 / 5 = 80).
    assert figure.value == D(1)
    assert (figure.detail["milestones"], figure.detail["overdue_milestones"]) == (3, 1)
    assert figure.score == D("66.7")
    # As of 5 days ago the late one was open past its due date (a breach then too), and the
    # one due today was not due yet: due ≤ as_of − 5 days leaves 2, 1 breach → 50.0.
    past = service_level_figures(db.session, [client.id], TODAY - timedelta(days=5))[client.id]
    assert (past.value, past.score) == (D(1), D("50.0"))


def test_engagement_is_full_within_14_days_and_zero_after_90():
    client = ClientFactory()
    silence(client, TODAY - timedelta(days=52))
    # 52 days: 100 × (90 − 52) / (90 − 14) = 100 × 38 / 76 = 50.0
    figure = engagement_figures(db.session, [client.id], TODAY)[client.id]
    assert (figure.value, figure.score) == (D(52), D("50.0"))
    # A portal sign-in 5 days ago is more recent: 5 ≤ 14 → 100
    db.session.add(
        PortalLogin(username="x@example.test", client_id=client.id, succeeded=True,
                    at=noon(TODAY - timedelta(days=5)))
    )
    db.session.commit()
    figure = engagement_figures(db.session, [client.id], TODAY)[client.id]
    assert (figure.value, figure.score) == (D(5), D(100))


def test_only_what_comes_from_the_client_is_engagement():
    from models import Contact, Conversation, ConversationMessage, OutboxMessage
    from models.activity import record_activity
    from tests.factories import ContactFactory, make_user

    client = ClientFactory()
    silence(client, TODAY - timedelta(days=52))  # the client last signed in 52 days ago
    # The agency's own doings today: a staff note, an outgoing mail (not answered), the monthly
    # report's timeline row and a staff message in a conversation.
    staff = make_user("Account Manager")
    record_activity(db.session, "note", "Called, left a voicemail", client_id=client.id)
    record_activity(db.session, "mail", "Monthly report emailed", client_id=client.id)
    db.session.add(OutboxMessage(to_email="c@example.test", subject="Your report",
                                 body_text="Attached.", client_id=client.id,
                                 status="sent", created_at=noon(TODAY)))  # fmt: skip
    conversation = Conversation(client_id=client.id, context_type="client", subject="Hiring plan",
                                started_by_user_id=staff.id)  # fmt: skip
    db.session.add(conversation)
    db.session.flush()
    db.session.add(ConversationMessage(conversation_id=conversation.id, side="staff",
                                       author_user_id=staff.id, body="Any news?",
                                       created_at=noon(TODAY)))  # fmt: skip
    db.session.commit()
    # Still 52 days: 100 × (90 − 52) / 76 = 50.0 (counting every activity made it 0 days → 100).
    figure = engagement_figures(db.session, [client.id], TODAY)[client.id]
    assert (figure.value, figure.score) == (D(52), D("50.0"))
    # A reply to the agency's mail 30 days ago: 100 × (90 − 30) / 76 = 78.9.
    db.session.add(OutboxMessage(to_email="c@example.test", subject="Shortlist",
                                 body_text="Three profiles.", client_id=client.id, status="sent",
                                 created_at=noon(TODAY - timedelta(days=31)),
                                 responded_at=noon(TODAY - timedelta(days=30))))  # fmt: skip
    db.session.commit()
    figure = engagement_figures(db.session, [client.id], TODAY)[client.id]
    assert (figure.value, figure.score) == (D(30), D("78.9"))
    # The client writes in the portal conversation 3 days ago: 3 ≤ 14 → 100.
    contact = ContactFactory()
    assert isinstance(contact, Contact)
    db.session.add(ConversationMessage(conversation_id=conversation.id, side="client",
                                       author_contact_id=contact.id, body="Yes, two more.",
                                       created_at=noon(TODAY - timedelta(days=3))))  # fmt: skip
    db.session.commit()
    figure = engagement_figures(db.session, [client.id], TODAY)[client.id]
    assert (figure.value, figure.score) == (D(3), D(100))


def test_a_survey_response_is_engagement():
    client = ClientFactory()
    silence(client, TODAY - timedelta(days=80))
    answers(client, "nps", 9)  # submitted today: 0 days → 100
    figure = engagement_figures(db.session, [client.id], TODAY)[client.id]
    assert (figure.value, figure.score) == (D(0), D(100))


def test_pipeline_counts_stage_moves_of_the_last_30_days_per_live_order():
    client = ClientFactory()
    first, second = open_job_order(client=client), open_job_order(client=client)
    # Adding a candidate records its first move; three candidates on the first order, so 3
    # moves in the last 30 days; one of them moved 40 days ago instead (left out) → 2 moves.
    applications = [add_candidate(first) for _ in range(3)]
    db.session.execute(
        update(ApplicationStageChange)
        .where(ApplicationStageChange.application_id == applications[0].id)
        .values(at=noon(TODAY) - timedelta(days=40))
    )
    db.session.commit()
    figure = pipeline_figures(db.session, [client.id], TODAY)[client.id]
    assert figure.value == D(2)
    # 25 points × 2 moves / 2 live orders = 25.0
    assert figure.score == D("25.0")
    assert second.id  # the second live order counts in the denominator


# ---------------------------------------------------------------- the weighted total


def test_the_total_is_the_weighted_mean_renormalised_over_factors_with_data():
    weights = {"a": D(25), "b": D(25), "c": D(50)}
    # c has no data: weights a, b renormalised to 50 % each → 0.5 × 80 + 0.5 × 40 = 60
    score, shares, contributions = combine({"a": D(80), "b": D(40), "c": None}, weights)
    assert score == 60
    assert shares == {"a": D("50.0"), "b": D("50.0"), "c": D(0)}
    assert contributions == {"a": D("40.00"), "b": D("20.00"), "c": D(0)}


def test_health_scores_uses_the_configured_weights(app, monkeypatch):
    client = ClientFactory()
    issued_invoice(client, on=TODAY)  # payment: nothing overdue → 100.0
    silence(client, TODAY - timedelta(days=52))  # engagement 50.0
    monkeypatch.setitem(app.config, "HEALTH_WEIGHTS", {"payment": 1, "engagement": 3})
    health = health_scores(db.session, [client.id], TODAY)[client.id]
    # (1 × 100 + 3 × 50) / 4 = 62.5 → 63 (half up)
    assert health.score == 63
    assert health.factor("payment").contribution == D("25.00")
    assert health.factor("engagement").contribution == D("37.50")
    assert health.factor("satisfaction").score is None
    assert explain(db.session, client.id, TODAY).note.startswith("No data for Satisfaction")


# ---------------------------------------------------------------- acceptance: the mover


def test_a_payment_going_overdue_is_named_the_top_mover_with_a_negative_sign():
    client = ClientFactory()
    invoice = issued_invoice(client, on=TODAY)  # due in 30 days: nothing overdue
    before = health_scores(db.session, [client.id], TODAY)[client.id]
    upsert_snapshots(db.session, TODAY, [before.snapshot_row()])
    db.session.commit()
    invoice.due_date = TODAY - timedelta(days=5)  # now it is 5 days overdue
    db.session.commit()
    explanation = explain(db.session, client.id, TODAY)
    assert explanation.last_snapshot.taken_on == TODAY
    top = explanation.top_mover
    assert top.key == "payment" and top.label == "Payment behaviour"
    assert top.change < 0
    assert explanation.score_change < 0


def test_snapshots_are_written_in_chunks_and_a_rerun_replaces_the_day(monkeypatch):
    import models.health_snapshots as snapshots

    monkeypatch.setattr(snapshots, "CHUNK_SIZE", 2)
    clients = [ClientFactory() for _ in range(3)]
    inserts = []

    def count(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith("INSERT INTO HEALTH_SNAPSHOT"):
            inserts.append(statement)

    def rows(score):
        return [{"client_id": c.id, "score": score + i, "factors": {}, "flags": []}
                for i, c in enumerate(clients)]  # fmt: skip

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        # 3 rows at 2 a statement: 2 INSERTs (rows 1–2, then row 3); one before the fix.
        assert upsert_snapshots(db.session, TODAY, rows(50)) == 3
        db.session.commit()
        assert len(inserts) == 2
        # Again the same day with new scores: still one row per client, the new ones.
        assert upsert_snapshots(db.session, TODAY, rows(70)) == 3
        db.session.commit()
        assert len(inserts) == 4
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    stored = db.session.query(HealthSnapshot.client_id, HealthSnapshot.score).filter(
        HealthSnapshot.client_id.in_([c.id for c in clients])
    )
    assert sorted(stored) == sorted((c.id, 70 + i) for i, c in enumerate(clients))


# ---------------------------------------------------------------- flags


def rules(health) -> set[str]:
    return {f.rule_key for f in health.flags}


def test_churn_risk_rules_fire_on_data_built_for_them():
    client = ClientFactory()
    invoice = issued_invoice(client, on=TODAY - timedelta(days=120))
    invoice.due_date = TODAY - timedelta(days=65)  # more than 60 days overdue
    db.session.commit()
    answers(client, "nps", 3)  # the latest NPS answer: a detractor, given 75 days ago
    db.session.execute(
        update(SurveyResponse).where(SurveyResponse.client_id == client.id)
        .values(submitted_at=noon(TODAY - timedelta(days=75)))
    )
    silence(client, TODAY - timedelta(days=75))  # 75 ≥ 60 days without engagement
    # An old snapshot 30+ days before with a score of 90
    db.session.add(HealthSnapshot(client_id=client.id, taken_on=TODAY - timedelta(days=31),
                                  score=90, factors={}, flags=[]))
    db.session.commit()
    health = health_scores(db.session, [client.id], TODAY)[client.id]
    # payment 0 (all overdue), engagement 100×(90−75)/76 = 19.7, satisfaction (−100+100)/2 = 0
    assert health.score < 40
    churn = {"low_score", "score_drop", "no_engagement", "long_overdue", "nps_detractor"}
    assert churn <= rules(health)
    drop = next(f for f in health.flags if f.rule_key == "score_drop")
    assert drop.detail["before"] == 90 and drop.detail["drop"] >= 15
    assert [h.client_id for h in clients_at_risk(db.session, as_of=TODAY)] == [client.id]


def test_growth_rules_fire_on_rising_revenue_and_promoters_with_more_jobs():
    client = ClientFactory()
    old = issued_invoice(client, on=TODAY - timedelta(days=120))  # previous 90 days: 22,400
    pay(old, TODAY - timedelta(days=100))  # paid on time
    issued_invoice(client, on=TODAY - timedelta(days=10))
    issued_invoice(client, on=TODAY - timedelta(days=5))  # last 90 days: 44,800
    answers(client, "nps", 10)  # promoter: NPS 100 → satisfaction 100
    older = open_job_order(client=client)
    older.opened_at = noon(TODAY - timedelta(days=100))  # one opened in the previous 90 days
    for _ in range(2):  # two in the last 90 days, with a candidate each (pipeline activity)
        add_candidate(open_job_order(client=client))
    db.session.commit()
    health = health_scores(db.session, [client.id], TODAY)[client.id]
    assert health.score >= 75
    assert {"strong_and_growing", "promoter_more_jobs"} <= rules(health)
    growth = next(f for f in health.flags if f.rule_key == "strong_and_growing")
    assert growth.detail["revenue_last"] > growth.detail["revenue_before"]
    assert not health.churn_risk


# ---------------------------------------------------------------- queries


def count_queries(fn) -> int:
    statements = []

    def listener(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", listener)
    try:
        fn()
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return len(statements)


def client_with_everything():
    client = ClientFactory()
    issued_invoice(client, on=TODAY)
    job = open_job_order(client=client)
    add_candidate(job, "submitted")
    answers(client, "nps", 9)
    return client


def test_health_scores_issues_the_same_number_of_queries_for_1_and_10_clients():
    one = [client_with_everything().id]
    db.session.expire_all()
    single = count_queries(lambda: health_scores(db.session, one, TODAY))
    ten = one + [client_with_everything().id for _ in range(9)]
    db.session.expire_all()
    many = count_queries(lambda: health_scores(db.session, ten, TODAY))
    assert single == many
    assert len(health_scores(db.session, ten, TODAY)) == 10


# ---------------------------------------------------------------- configuration


def test_health_weights_come_from_the_environment_over_the_defaults():
    from app import ConfigError, load_config

    weights = load_config({"HEALTH_WEIGHTS": "payment=30, pipeline=0"})["HEALTH_WEIGHTS"]
    assert weights["payment"] == D(30) and weights["pipeline"] == D(0)
    assert weights["satisfaction"] == D(25)  # not named: its default
    for bad in ("payment=-1", "speed=10", "payment=ten", ",".join(f"{k}=0" for k in weights)):
        with pytest.raises(ConfigError, match="HEALTH_WEIGHTS"):
            load_config({"HEALTH_WEIGHTS": bad})
