"""Survey rules: questions copied per kind, dates, recipients of the client, one response,
answers checked per question, and NPS / CSAT from SQL."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from extensions import db
from models import (
    Activity,
    Survey,
    SurveyAnsweredError,
    SurveyAnswerError,
    SurveyError,
    SurveyExpiredError,
    SurveyLinkUnknownError,
    SurveyRecipient,
    SurveyResponse,
    SurveyStateError,
    record_response,
    survey_results,
    utcnow,
)
from models.survey_responses import Scores
from models.surveys import QUESTION_SETS, QuestionDef
from tests.factories import ClientFactory, ProjectFactory
from tests.survey_factories import contacts_of, expire, sent_survey, token_for

pytestmark = pytest.mark.usefixtures("ctx")


def test_each_kind_copies_its_questions_onto_the_survey():
    client = ClientFactory()
    survey = Survey.create_for(client, "project_completion", contacts_of(client, 1))
    db.session.commit()
    keys = [q.key for q in survey.questions]
    assert keys == ["quality", "communication", "speed", "overall", "recommend", "comments"]
    measures = {q.key: q.measure for q in survey.questions if q.measure}
    assert measures == {"overall": "csat", "recommend": "nps"}
    recommend = next(q for q in survey.questions if q.key == "recommend")
    assert (recommend.scale_min, recommend.scale_max) == (0, 10)


def test_a_later_edit_of_the_definitions_leaves_past_surveys_alone(monkeypatch):
    client = ClientFactory()
    survey = Survey.create_for(client, "csat", contacts_of(client, 1))
    db.session.commit()
    monkeypatch.setitem(
        QUESTION_SETS, "csat", (QuestionDef("satisfaction", "Reworded?", low=1, high=7),)
    )
    db.session.expire_all()
    survey = db.session.get(Survey, survey.id)
    assert survey.questions[0].text == "Overall, how satisfied are you with our service?"
    assert survey.questions[0].scale_max == 5 and len(survey.questions) == 2


def test_the_expiry_must_come_after_the_send_date():
    client = ClientFactory()
    send = utcnow() + timedelta(days=3)
    with pytest.raises(SurveyError) as refused:
        Survey.create_for(
            client, "nps", contacts_of(client, 1), send_at=send, expires_at=send - timedelta(1)
        )
    assert refused.value.field == "expires_at"
    assert "after the send date" in refused.value.message


def test_the_project_must_be_the_clients():
    client = ClientFactory()
    other_project = ProjectFactory()
    with pytest.raises(SurveyError) as refused:
        Survey.create_for(
            client, "project_completion", contacts_of(client, 1), project=other_project
        )
    assert refused.value.field == "project"


def test_a_recipient_must_be_a_contact_of_the_client():
    client = ClientFactory()
    stranger = contacts_of(ClientFactory(), 1)
    with pytest.raises(SurveyError) as refused:
        Survey.create_for(client, "nps", stranger)
    assert refused.value.field == "recipients"
    assert "is not a contact of" in refused.value.message


def test_an_unknown_kind_is_refused_naming_the_field():
    client = ClientFactory()
    with pytest.raises(SurveyError) as refused:
        Survey.create_for(client, "vibes", contacts_of(client, 1))
    assert refused.value.field == "kind"


def test_sending_records_the_timeline_and_a_second_send_is_refused():
    survey = sent_survey("nps")
    assert survey.status == "sent" and survey.sent_at is not None
    rows = db.session.scalars(select(Activity).where(Activity.kind == "survey")).all()
    assert [r.client_id for r in rows] == [survey.client_id]
    assert rows[0].summary.startswith("Survey sent:")
    with pytest.raises(SurveyStateError):
        survey.action_send()


def test_a_future_send_date_schedules_the_survey():
    survey = sent_survey("csat", send_at=utcnow() + timedelta(days=2))
    assert survey.status == "scheduled" and survey.sent_at is None


def test_a_recipient_answers_once():
    survey = sent_survey("nps", count=1)
    recipient = survey.recipients[0]
    response = record_response(recipient, {"recommend": "9", "reason": "Fast shortlists"})
    db.session.commit()
    assert (response.nps_score, response.csat_score) == (9, None)
    assert response.answers == {"recommend": 9, "reason": "Fast shortlists"}
    with pytest.raises(SurveyAnsweredError):
        record_response(recipient, {"recommend": "3"})
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(SurveyResponse)) == 1
    answered = db.session.scalars(
        select(Activity.summary).where(Activity.subject_type == "survey_response")
    ).all()
    assert len(answered) == 1 and "NPS answer 9" in answered[0]


def test_two_simultaneous_answers_store_one_response(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs concurrent connections (PostgreSQL)")
    survey = sent_survey("csat", count=1)
    recipient_id = survey.recipients[0].id
    barrier = threading.Barrier(2)
    outcomes = []

    def answer():
        with app.app_context():
            recipient = db.session.get(SurveyRecipient, recipient_id)
            recipient.survey.questions  # noqa: B018 (loaded before the race)
            barrier.wait()
            try:
                record_response(recipient, {"satisfaction": "5"})
                db.session.commit()
                outcomes.append("recorded")
            except SurveyAnsweredError:
                db.session.rollback()
                outcomes.append("refused")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=answer) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["recorded", "refused"]
    assert db.session.scalar(select(func.count()).select_from(SurveyResponse)) == 1


def test_the_unique_key_stops_a_second_row_even_past_the_claim():
    survey = sent_survey("nps", count=1)
    recipient = survey.recipients[0]
    record_response(recipient, {"recommend": 10})
    db.session.commit()
    recipient.responded_at = None  # as if a racing post had read it before the first commit
    db.session.commit()
    with pytest.raises(SurveyAnsweredError):
        record_response(recipient, {"recommend": 1})


def test_an_answer_out_of_range_names_the_question():
    survey = sent_survey("nps", count=1)
    with pytest.raises(SurveyAnswerError) as refused:
        record_response(survey.recipients[0], {"recommend": "11"})
    assert refused.value.field == "recommend"
    assert "recommend us" in refused.value.message and "0 to 10" in refused.value.message


def test_a_required_question_left_blank_is_refused():
    survey = sent_survey("project_completion", count=1)
    answers = {"quality": 4, "communication": 5, "speed": "", "overall": 4, "recommend": 8}
    with pytest.raises(SurveyAnswerError) as refused:
        record_response(survey.recipients[0], answers)
    assert refused.value.field == "speed" and "Speed of the search" in refused.value.message


def test_an_expired_survey_takes_no_answer():
    survey = sent_survey("nps", count=1)
    expire(survey)
    with pytest.raises(SurveyExpiredError):
        record_response(survey.recipients[0], {"recommend": 9})


def test_an_unknown_token_is_refused():
    with pytest.raises(SurveyLinkUnknownError):
        SurveyRecipient.by_token("not-a-token")


def test_only_the_tokens_hash_is_stored():
    survey = sent_survey("nps", count=1)
    token = token_for(survey.recipients[0])
    assert survey.recipients[0].token_hash != token and len(survey.recipients[0].token_hash) == 64
    assert SurveyRecipient.by_token(token).id == survey.recipients[0].id


def _answer_all(survey, scores):
    for recipient, score in zip(survey.recipients, scores, strict=True):
        record_response(recipient, score)
    db.session.commit()


def test_nps_and_csat_on_a_hand_built_set():
    acme, zenith = ClientFactory(name="Acme"), ClientFactory(name="Zenith")
    # Acme, NPS: 10, 9, 8, 6, 3 -> promoters 2, passives 1, detractors 2 of 5:
    #   NPS = 2/5·100 − 2/5·100 = 0.0
    nps = sent_survey("nps", client=acme, count=5)
    _answer_all(nps, [{"recommend": n} for n in (10, 9, 8, 6, 3)])
    # Zenith, project completion: overall (CSAT) 5, 4, 2 and recommend 9, 9, 7
    #   CSAT = 2 satisfied of 3 = 66.7; NPS = (2 − 0)/3·100 = 66.7
    done = sent_survey("project_completion", client=zenith, count=3)
    _answer_all(
        done,
        [
            {"quality": 4, "communication": 4, "speed": 4, "overall": o, "recommend": r}
            for o, r in ((5, 9), (4, 9), (2, 7))
        ],
    )
    results = survey_results()
    # Overall NPS answers: 10, 9, 8, 6, 3, 9, 9, 7 -> promoters 4, detractors 2 of 8:
    #   (4 − 2)/8·100 = 25.0. CSAT: 2 of 3 = 66.7.
    assert str(results.overall.nps) == "25.0" and str(results.overall.csat) == "66.7"
    assert results.overall.responses == 8
    by_client = {s.label: s for s in results.clients}
    assert str(by_client["Acme"].nps) == "0.0" and by_client["Acme"].csat is None
    assert str(by_client["Zenith"].nps) == "66.7" and str(by_client["Zenith"].csat) == "66.7"
    # No invitation mailed in these tests: no response rate to give.
    assert results.overall.response_rate is None
    only_acme = survey_results(client_ids=[acme.id])
    assert only_acme.overall.responses == 5


def test_the_monthly_trend_groups_by_month_and_the_period_filters():
    survey = sent_survey("csat", count=3)
    _answer_all(survey, [{"satisfaction": n} for n in (5, 2, 4)])
    first, second, third = db.session.scalars(
        select(SurveyResponse).order_by(SurveyResponse.id)
    ).all()
    first.submitted_at = utcnow().replace(year=2026, month=3, day=15)
    second.submitted_at = utcnow().replace(year=2026, month=3, day=20)
    third.submitted_at = utcnow().replace(year=2026, month=5, day=2)
    db.session.commit()
    months = survey_results().months
    # March: 5 and 2 -> 1 satisfied of 2 = 50.0; May: 4 -> 100.0
    assert [(m.label, str(m.csat)) for m in months] == [("2026-03", "50.0"), ("2026-05", "100.0")]
    may = survey_results(since=date(2026, 4, 1), until=date(2026, 5, 31))
    assert may.overall.responses == 1


def test_scores_give_no_figure_without_answers():
    assert Scores().nps is None and Scores().csat is None and Scores().response_rate is None


def test_an_answer_marks_the_mails_sent_to_the_contact_lately_as_answered():
    from models import OutboxMessage

    survey = sent_survey("nps", count=1)
    recipient = survey.recipients[0]
    mail = OutboxMessage(
        to_email="x@example.test",
        subject="How are we doing?",
        body_text="b",
        status="sent",
        contact_id=recipient.contact_id,
    )
    db.session.add(mail)
    db.session.commit()
    record_response(recipient, {"recommend": "10"})
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(OutboxMessage, mail.id).responded_at is not None
