"""Offers: compensation on rounds, the negotiation history in order, approval above the job
order's budget, and accept / decline / withdraw / expire."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from extensions import db
from models import Offer, OfferError, OfferStateError
from models.offers import expire_offers
from tests.factories import add_candidate, draft_offer, make_user, open_job_order

pytestmark = pytest.mark.usefixtures("ctx")


def test_an_offer_is_numbered_and_its_first_round_holds_the_package():
    recruiter = make_user("Recruiter")
    offer = draft_offer(
        by=recruiter, equity="0.25% over 4 years", benefits="Health, dental, 25 days' leave"
    )
    assert offer.number.startswith(f"O-{date.today().year}-")
    assert offer.status == "draft" and offer.client_id == offer.job_order.client_id
    [first] = offer.rounds
    assert (first.number, first.proposed_by, first.recorded_by) == (1, "agency", recruiter)
    assert (first.base_salary, first.bonus, first.currency) == (
        Decimal("110000"),
        Decimal("10000"),
        "USD",
    )
    assert first.total_cash == Decimal("120000.00")
    assert first.equity == "0.25% over 4 years"


def test_extending_moves_the_candidate_to_the_offer_stage_and_sets_the_expiry(app):
    offer = draft_offer()
    offer.action_extend()
    db.session.commit()
    assert offer.status == "extended" and offer.application.stage == "offer"
    assert offer.expires_on == date.today() + timedelta(days=app.config["OFFER_VALID_DAYS"])


def test_counter_offers_are_rounds_kept_in_order_with_who_proposed_what():
    manager = make_user("Account Manager")
    offer = draft_offer()
    offer.action_extend()
    offer.action_propose("candidate", manager, "Asked for more base", base_salary=Decimal("118000"))
    assert offer.status == "negotiating"
    offer.action_propose("client", manager, bonus=Decimal("15000"), base_salary=Decimal("115000"))
    db.session.commit()

    assert [(r.number, r.proposed_by) for r in offer.rounds] == [
        (1, "agency"),
        (2, "candidate"),
        (3, "client"),
    ]
    assert offer.rounds[1].changes_from(offer.rounds[0]) == [
        ("Base salary", Decimal("110000.00"), Decimal("118000.00"))
    ]
    assert offer.rounds[2].changes_from(offer.rounds[1]) == [
        ("Base salary", Decimal("118000.00"), Decimal("115000.00")),
        ("Bonus", Decimal("10000.00"), Decimal("15000.00")),
    ]
    assert offer.current.start_date == offer.rounds[0].start_date  # unchanged terms carry over
    offer.action_extend(manager)
    offer.action_accept(manager, "Signed the letter")
    assert offer.status == "accepted" and offer.decision_note == "Signed the letter"


def test_a_counter_offer_that_changes_nothing_or_an_unknown_term_is_refused():
    offer = draft_offer()
    with pytest.raises(OfferError, match="changes nothing"):
        offer.action_propose("candidate", base_salary=Decimal("110000"))
    with pytest.raises(OfferError, match="Car is not an offer term") as refused:
        offer.action_propose("candidate", car="Tesla")
    assert refused.value.field == "car"
    with pytest.raises(OfferError, match="Proposed by must be one of agency, client, candidate"):
        offer.action_propose("recruiter", base_salary=Decimal("1"))


def test_above_the_budget_an_account_manager_or_admin_approves_before_it_is_extended():
    offer = draft_offer(base_salary=Decimal("125000"))
    assert offer.over_budget and offer.needs_approval
    with pytest.raises(OfferStateError, match=r"above the job order's budget \(USD 120,000.00\)"):
        offer.action_extend()
    with pytest.raises(OfferError, match="approved by an Account Manager or an Admin"):
        offer.action_approve(make_user("Recruiter"))
    offer.action_approve(make_user("Account Manager"), "Strong candidate")
    offer.action_extend()
    assert offer.status == "extended"


def test_a_new_round_above_the_budget_needs_its_own_approval():
    offer = draft_offer(base_salary=Decimal("125000"))
    offer.action_approve(make_user("Admin"))
    offer.action_extend()
    offer.action_propose("candidate", base_salary=Decimal("130000"))
    assert offer.needs_approval
    with pytest.raises(OfferStateError, match="approve round 2"):
        offer.action_extend()


def test_within_the_budget_no_approval_is_asked_for():
    offer = draft_offer(base_salary=Decimal("120000"))
    assert not offer.needs_approval
    with pytest.raises(OfferStateError, match="needs no approval"):
        offer.action_approve(make_user("Admin"))


def test_an_expired_offer_is_not_accepted_and_the_daily_job_marks_it():
    offer = draft_offer()
    offer.action_extend(expires_on=date.today())
    db.session.commit()
    tomorrow = date.today() + timedelta(days=1)
    assert expire_offers(date.today()) == 0
    offer.expires_on = date.today() - timedelta(days=1)
    with pytest.raises(OfferStateError, match="expired on .* can no longer be accepted"):
        offer.action_accept()
    assert expire_offers(tomorrow) == 1
    assert offer.status == "expired"


def test_decline_needs_the_reason_and_withdraw_closes_an_open_offer():
    offer = draft_offer()
    offer.action_extend()
    with pytest.raises(OfferError, match="reason for declining"):
        offer.action_decline(None, "")
    offer.action_decline(None, "Took a counter-offer from her employer")
    assert offer.status == "declined"
    with pytest.raises(OfferStateError, match="declined; it can no longer be withdrawn"):
        offer.action_withdraw(None, "Role closed")

    other = draft_offer()
    other.action_withdraw(None, "Role put on hold")
    assert other.status == "withdrawn"
    with pytest.raises(OfferStateError, match="only an extended offer can be accepted"):
        other.action_accept()


def test_one_open_offer_per_application_and_none_for_a_rejected_candidate():
    offer = draft_offer()
    with pytest.raises(OfferStateError, match=f"has offer {offer.number} open already"):
        Offer.action_create(offer.application, base_salary=Decimal("100000"))
    job = open_job_order()
    rejected = add_candidate(job, stage="screened")
    rejected.action_move("rejected")
    with pytest.raises(OfferStateError, match="no offer can be made"):
        Offer.action_create(rejected, base_salary=Decimal("100000"))


@pytest.mark.parametrize(
    ("terms", "field", "message"),
    [
        ({"base_salary": Decimal("0")}, "base_salary", "Base salary must be more than 0"),
        ({"base_salary": "lots"}, "base_salary", "must be an amount"),
        ({"bonus": Decimal("-5")}, "bonus", "Bonus must be 0 to"),
        ({"currency": "usd!"}, "currency", "ISO 4217"),
        ({"equity": "x" * 200}, "equity", "at most 191 characters"),
        ({"base_salary": "NaN"}, "base_salary", "Base salary must be an amount"),
        ({"bonus": "Infinity"}, "bonus", "Bonus must be an amount"),
        ({"start_date": "next week"}, "start_date", "Start date must be a date as YYYY-MM-DD"),
    ],
)
def test_bad_terms_are_refused_naming_the_field(terms, field, message):
    with pytest.raises(OfferError, match=message) as refused:
        draft_offer(**terms)
    assert refused.value.field == field


def test_form_values_are_parsed_and_a_blank_currency_is_the_job_orders():
    offer = draft_offer(
        base_salary=" 105000.50 ", bonus="", currency="", start_date="2031-02-03", equity="  "
    )
    first = offer.current
    assert (first.base_salary, first.bonus, first.currency) == (Decimal("105000.50"), None, "USD")
    assert (first.start_date, first.equity) == (date(2031, 2, 3), None)


def test_a_counter_offer_equal_once_parsed_changes_nothing():
    offer = draft_offer(benefits="Health\nDental")
    with pytest.raises(OfferError, match="changes nothing"):
        offer.action_propose(
            "candidate",
            base_salary="110000.00",
            bonus="10000",
            benefits=" Health\r\nDental ",
            start_date=offer.current.start_date.isoformat(),
        )
    assert len(offer.rounds) == 1


def test_the_actions_offered_follow_the_status():
    offer = draft_offer(base_salary=Decimal("125000"))
    assert offer.available_actions == ("propose", "approve", "extend", "withdraw")
    offer.action_approve(make_user("Account Manager"))
    assert offer.available_actions == ("propose", "extend", "withdraw")
    offer.action_extend()
    assert offer.available_actions == ("propose", "accept", "decline", "withdraw")
    offer.action_propose("candidate", bonus=Decimal("12000"))  # a new round, still above
    assert offer.available_actions == ("propose", "approve", "extend", "decline", "withdraw")
    offer.action_approve(make_user("Admin"))
    offer.action_extend()
    offer.expires_on = date.today() - timedelta(days=1)
    assert offer.available_actions == ("withdraw",)
    offer.action_withdraw(None, "Role closed")
    assert offer.available_actions == ()


def test_amounts_with_more_than_cents_are_refused_not_rounded():
    with pytest.raises(OfferError, match="Base salary may have at most 2 decimal places"):
        draft_offer(base_salary=Decimal("0.001"))


def test_two_open_offers_made_at_the_same_moment_are_a_clear_conflict():
    from models.base import ConcurrentChangeError
    from models.offers import OfferRound

    offer = draft_offer()
    twin = Offer(  # what a second request that passed the check at the same moment writes
        number="O-1999-0001",
        application_id=offer.application_id,
        job_order_id=offer.job_order_id,
        candidate_id=offer.candidate_id,
        client_id=offer.client_id,
        status="draft",
    )
    twin.rounds.append(OfferRound(number=1, proposed_by="agency", base_salary=1, currency="USD"))
    db.session.add(twin)
    with pytest.raises(ConcurrentChangeError):
        db.session.commit()
    db.session.rollback()
    offer.action_withdraw(None, "Role closed")
    db.session.commit()  # a closed offer leaves room for a new one
    Offer.action_create(offer.application, base_salary=Decimal("100000"))
    db.session.commit()
