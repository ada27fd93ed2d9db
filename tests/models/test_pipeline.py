"""The pipeline: stage moves kept with their dates, evaluations, and their confirmation."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from extensions import db
from models import Evaluation, EvaluationError, PipelineError, StageMoveError
from tests.factories import (
    CandidateFactory,
    ClientContactFactory,
    JobOrderFactory,
    add_candidate,
    make_user,
    open_job_order,
)

pytestmark = pytest.mark.usefixtures("ctx")


def test_every_move_is_kept_with_its_date_and_presenting_stamps_presented_at():
    application = add_candidate(open_job_order(), "screened")
    application.action_move("submitted")
    db.session.commit()
    moves = [(c.from_stage, c.to_stage) for c in application.stage_changes]
    assert moves == [(None, "sourced"), ("sourced", "screened"), ("screened", "submitted")]
    assert application.presented_at == application.entered("submitted")


def test_candidates_join_open_orders_only():
    with pytest.raises(StageMoveError, match="open job order only; JO-\\d+ is draft"):
        add_candidate(JobOrderFactory())


def test_a_candidate_is_in_a_pipeline_once():
    job = open_job_order()
    candidate = CandidateFactory()
    add_candidate(job, candidate=candidate)
    with pytest.raises(PipelineError, match="in the pipeline of"):
        add_candidate(job, candidate=candidate)


def test_placed_needs_the_placement_and_a_placed_candidate_does_not_move():
    application = add_candidate(open_job_order(), "offer")
    with pytest.raises(StageMoveError, match="from Offer to Placed needs the placement"):
        application.action_move("placed")
    application.action_place(date(2027, 2, 1), Decimal("150000"))
    with pytest.raises(StageMoveError, match="is placed; a placed candidate cannot move"):
        application.action_move("rejected")


def test_moving_to_the_same_stage_is_refused():
    application = add_candidate(open_job_order(), "screened")
    with pytest.raises(StageMoveError, match="at Screened already"):
        application.action_move("screened")


def test_an_order_on_hold_lets_candidates_leave_but_not_advance():
    job = open_job_order()
    application = add_candidate(job, "screened")
    job.transition_to("cancelled")
    with pytest.raises(StageMoveError, match="is cancelled: candidates cannot move"):
        application.action_move("submitted")
    application.action_move("withdrawn")
    assert application.stage == "withdrawn"


def _evaluator(application):
    return ClientContactFactory(client=application.job_order.client).contact


def test_only_presented_candidates_can_be_evaluated():
    application = add_candidate(open_job_order(), "screened")
    with pytest.raises(EvaluationError, match="has not been presented"):
        Evaluation.action_submit(application, _evaluator(application), "advance")


def test_scores_are_whole_numbers_from_1_to_5_on_the_jobs_criteria():
    application = add_candidate(open_job_order(), "submitted")
    person = _evaluator(application)
    with pytest.raises(EvaluationError, match="Skills must be a whole number from 1 to 5"):
        Evaluation.action_submit(application, person, "advance", {"Skills": 6})
    db.session.rollback()
    with pytest.raises(EvaluationError, match="'Charm' is not a criterion"):
        Evaluation.action_submit(application, person, "advance", {"Charm": 3})


def test_one_evaluation_per_person_revised_in_place_and_first_review_stamped():
    application = add_candidate(open_job_order(), "submitted")
    person = _evaluator(application)
    first = Evaluation.action_submit(application, person, "hold", {"Skills": 3})
    db.session.commit()
    again = Evaluation.action_submit(application, person, "advance", {"Skills": 5}, "Great")
    db.session.commit()
    assert first.id == again.id and again.decision == "advance" and again.average == Decimal("5.0")
    assert application.first_review_at is not None


def test_confirming_an_advance_moves_the_application_to_the_next_stage():
    application = add_candidate(open_job_order(), "submitted")
    evaluation = Evaluation.action_submit(application, _evaluator(application), "advance")
    evaluation.action_confirm(make_user("Recruiter"))
    db.session.commit()
    assert application.stage == "client_interview"
    with pytest.raises(EvaluationError, match="confirmed already"):
        evaluation.action_confirm(make_user("Recruiter"))


def test_confirming_a_reject_rejects_and_a_hold_stays():
    application = add_candidate(open_job_order(), "submitted")
    hold = Evaluation.action_submit(application, _evaluator(application), "hold")
    hold.action_confirm(make_user("Recruiter"))
    assert application.stage == "submitted"
    reject = Evaluation.action_submit(application, _evaluator(application), "reject")
    reject.action_confirm(make_user("Recruiter"))
    assert application.stage == "rejected"


def test_two_advances_confirmed_move_the_candidate_one_stage():
    application = add_candidate(open_job_order(), "submitted")
    first = Evaluation.action_submit(application, _evaluator(application), "advance")
    second = Evaluation.action_submit(application, _evaluator(application), "advance")
    db.session.commit()
    first.action_confirm(make_user("Recruiter"))
    second.action_confirm(make_user("Recruiter"))
    db.session.commit()
    assert application.stage == "client_interview"
    assert second.confirmed_at is not None


@pytest.mark.parametrize("stage", ["rejected", "withdrawn"])
def test_a_candidate_no_longer_awaiting_a_decision_cannot_be_evaluated(stage):
    application = add_candidate(open_job_order(), "submitted")
    application.action_move(stage)
    with pytest.raises(EvaluationError, match="no longer waiting for a decision"):
        Evaluation.action_submit(application, _evaluator(application), "advance")


def test_candidates_of_a_cancelled_order_cannot_be_evaluated():
    application = add_candidate(open_job_order(), "submitted")
    application.job_order.action_cancel(reason="role frozen")
    with pytest.raises(EvaluationError, match="job order cancelled"):
        Evaluation.action_submit(application, _evaluator(application), "hold")


def test_an_evaluator_of_another_client_is_refused_without_being_named():
    application = add_candidate(open_job_order(), "submitted")
    stranger = ClientContactFactory().contact
    with pytest.raises(EvaluationError) as refused:
        Evaluation.action_submit(application, stranger, "advance")
    assert refused.value.field == "contact" and stranger.last_name not in refused.value.message


def test_a_candidate_name_longer_than_its_column_is_refused():
    candidate = CandidateFactory.build(first_name="A" * 101)
    with pytest.raises(PipelineError, match="First name may hold at most 100") as refused:
        candidate.validate()
    assert refused.value.field == "first_name"


def test_a_salary_past_what_the_database_holds_is_refused_before_anything_moves():
    application = add_candidate(open_job_order(), "offer")
    with pytest.raises(PipelineError, match="at most") as refused:
        application.action_place(date(2027, 1, 4), Decimal("1e15"))
    assert refused.value.field == "salary" and application.stage == "offer"
