"""Placement-driven billing: a placement, a retainer stage or a billable milestone proposes a
draft invoice from the job order's terms; a candidate leaving within the replacement guarantee
proposes a credit note, reduces or voids the draft, or records a replacement owed."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from extensions import db
from jobs.invoice_documents import issue_invoice
from models import Invoice
from models.billing import BillingError
from models.candidates import PipelineError
from models.placement_billing import (
    apply_guarantee,
    propose_placement_invoice,
    propose_retainer_stage,
    proposed,
)
from tests.conftest import api_for
from tests.factories import (
    ClientFactory,
    JobOrderFactory,
    MilestoneFactory,
    ProjectFactory,
    add_candidate,
    known_rates,
    make_user,
    open_job_order,
)

pytestmark = pytest.mark.usefixtures("ctx")

TODAY = date.today()


def _place(job, salary="100000", start=None, **kwargs):
    placement = add_candidate(job, "offer").action_place(
        start or TODAY - timedelta(days=40), Decimal(salary), **kwargs
    )
    db.session.commit()
    return placement


def _invoices() -> list[Invoice]:
    return db.session.scalars(select(Invoice).order_by(Invoice.id)).all()


def test_a_percentage_placement_proposes_a_draft_fee_of_the_percent_of_the_salary():
    client = ClientFactory()
    project = ProjectFactory(client=client)
    job = open_job_order(
        client=client,
        project=project,
        fee_type="percentage",
        fee=Decimal("20"),
        salary_max=Decimal("160000"),
    )
    placement = _place(job, salary="150000")
    [invoice] = _invoices()
    assert invoice.status == "draft" and invoice.client_id == client.id
    assert invoice.source == f"placement:{placement.id}"
    assert invoice.project_id == project.id and invoice.currency == "USD"
    [line] = invoice.lines
    assert (line.kind, line.unit_price, line.percent) == (
        "placement_fee",
        Decimal("150000.00"),
        Decimal("20.000"),
    )
    assert line.amount == Decimal("30000.00") and invoice.subtotal == Decimal("30000.00")
    assert "20% of the annual salary" in line.description


def test_a_fixed_fee_placement_proposes_one_line_of_the_fee():
    job = open_job_order(fee_type="fixed", fee=Decimal("25000"))
    _place(job)
    [invoice] = _invoices()
    [line] = invoice.lines
    assert (line.kind, line.amount, line.percent) == ("placement_fee", Decimal("25000.00"), None)


def test_a_fee_agreed_at_the_placement_is_billed_as_agreed():
    job = open_job_order(fee_type="percentage", fee=Decimal("20"), salary_max=Decimal("100000"))
    _place(job, fee_due=Decimal("18000"))
    [line] = _invoices()[0].lines
    assert line.amount == Decimal("18000.00") and line.percent is None


def test_proposing_twice_returns_the_first_proposal():
    job = open_job_order(fee_type="fixed", fee=Decimal("25000"), openings=2)
    placement = _place(job)
    again = propose_placement_invoice(placement)
    db.session.commit()
    assert len(_invoices()) == 1 and again.id == _invoices()[0].id


def test_retainer_stages_bill_a_share_each_and_the_last_takes_the_remainder():
    job = open_job_order(fee_type="retained", fee=Decimal("50000"), retainer_stages=3)
    first = propose_retainer_stage(job, 1)
    second = propose_retainer_stage(job, 2)
    db.session.commit()
    assert first.subtotal == Decimal("16666.67")
    assert second.subtotal == Decimal("16666.67")
    assert first.lines[0].kind == "retainer_stage"
    assert "stage 1 of 3" in first.lines[0].description
    assert propose_retainer_stage(job, 1).id == first.id  # once per stage
    _place(job)  # the placement bills the last stage
    third = proposed(f"retainer:{job.id}:3")
    assert third.subtotal == Decimal("16666.66")
    assert sum(i.subtotal for i in _invoices()) == Decimal("50000.00")


@pytest.mark.parametrize(
    ("fields", "stage", "field"),
    [
        ({"fee_type": "fixed"}, 1, "fee_type"),
        ({"fee_type": "retained", "retainer_stages": 2}, 3, "stage"),
        ({"fee_type": "retained", "fee": None}, 1, "fee"),
    ],
)
def test_a_retainer_stage_is_refused_naming_the_rule(fields, stage, field):
    job = JobOrderFactory(**fields)
    with pytest.raises(BillingError) as error:
        propose_retainer_stage(job, stage)
    assert error.value.field == field


def test_completing_a_billable_milestone_proposes_its_invoice_and_others_do_not():
    project = ProjectFactory(currency="EUR")
    billable = MilestoneFactory(project=project, billing_amount=Decimal("8000"))
    plain = MilestoneFactory(project=project)
    plain.action_complete()
    billable.action_complete()
    db.session.commit()
    [invoice] = _invoices()
    assert invoice.source == f"milestone:{billable.id}" and invoice.currency == "EUR"
    assert invoice.project_id == project.id and invoice.subtotal == Decimal("8000.00")
    billable.action_reopen()
    billable.action_complete()
    db.session.commit()
    assert len(_invoices()) == 1


def _left_within_guarantee(remedy, issued=True, stayed=30):
    """A fixed fee of 25,000 with a 90-day guarantee; the candidate started 40 days ago and
    left after ``stayed`` days."""
    known_rates()
    job = open_job_order(
        fee_type="fixed",
        fee=Decimal("25000"),
        replacement_guarantee_days=90,
        guarantee_remedy=remedy,
    )
    start = TODAY - timedelta(days=40)
    placement = _place(job, start=start)
    invoice = proposed(f"placement:{placement.id}")
    if issued:
        issue_invoice(invoice)
    placement.record_departure(
        start + timedelta(days=stayed), "Relocated abroad", make_user("Recruiter")
    )
    db.session.commit()
    return placement, invoice


def test_leaving_within_the_guarantee_proposes_a_pro_rata_credit_note():
    placement, invoice = _left_within_guarantee("pro_rata_credit", stayed=30)
    note = proposed(f"guarantee:{placement.id}", "credit_note")
    assert note.status == "draft" and note.credited_invoice_id == invoice.id
    # 60 of the 90 guarantee days not stayed: two thirds of 25,000 before tax.
    assert note.subtotal == Decimal("16666.67")
    assert "Relocated abroad" in note.reason and "within the replacement guarantee" in note.reason
    assert placement.guarantee_outcome == "credit_note"


def test_a_full_credit_remedy_credits_every_line():
    placement, invoice = _left_within_guarantee("full_credit")
    note = proposed(f"guarantee:{placement.id}", "credit_note")
    assert note.total == invoice.total and len(note.lines) == len(invoice.lines)


def test_a_draft_invoice_is_reduced_pro_rata_or_voided_for_a_full_credit():
    placement, invoice = _left_within_guarantee("pro_rata_credit", issued=False)
    assert invoice.status == "draft" and invoice.subtotal == Decimal("8333.33")
    assert placement.guarantee_outcome == "invoice_reduced"
    placement, invoice = _left_within_guarantee("full_credit", issued=False)
    assert invoice.status == "void" and placement.guarantee_outcome == "invoice_voided"
    assert proposed(f"guarantee:{placement.id}", "credit_note") is None


def test_a_replacement_remedy_records_the_obligation_and_credits_nothing():
    placement, invoice = _left_within_guarantee(None)
    assert placement.guarantee_outcome == "replacement_owed"
    assert proposed(f"guarantee:{placement.id}", "credit_note") is None
    assert invoice.balance == invoice.total
    assert apply_guarantee(placement) is None  # safe twice


def test_leaving_after_the_guarantee_changes_nothing():
    known_rates()
    job = open_job_order(
        fee_type="fixed",
        fee=Decimal("25000"),
        replacement_guarantee_days=10,
        guarantee_remedy="full_credit",
    )
    placement = _place(job, start=TODAY - timedelta(days=40))
    placement.record_departure(TODAY - timedelta(days=5), "Resigned")
    db.session.commit()
    assert placement.guarantee_outcome is None and len(_invoices()) == 1


@pytest.mark.parametrize(
    ("left_on", "reason", "field"),
    [
        (None, "Resigned", "left_on"),
        (TODAY + timedelta(days=1), "Resigned", "left_on"),
        (TODAY - timedelta(days=400), "Resigned", "left_on"),
        (TODAY, "  ", "exit_reason"),
    ],
)
def test_a_departure_is_refused_naming_the_field(left_on, reason, field):
    placement = _place(open_job_order())
    with pytest.raises(PipelineError) as error:
        placement.record_departure(left_on, reason)
    assert error.value.field == field


def test_an_unknown_guarantee_remedy_is_refused_on_the_job_order():
    job = JobOrderFactory()
    with db.session.no_autoflush:
        job.guarantee_remedy = "refund_twice"
        assert "guarantee_remedy" in [e.field for e in job.violations()]
    db.session.rollback()


def test_placing_through_the_rest_api_proposes_the_draft_invoice(app):
    recruiter = make_user("Recruiter")
    client = ClientFactory()
    job = open_job_order(JobOrderFactory(client=client), recruiter=recruiter)
    pk = add_candidate(job, "offer").id
    placed = api_for(app, recruiter.username)(
        "POST", f"/api/v1/application/{pk}/place", {"startDate": "2027-02-01", "salary": 180000}
    )
    assert placed.status_code == 200, placed.get_json()
    db.session.expire_all()
    [invoice] = _invoices()
    assert invoice.client_id == client.id and invoice.status == "draft"
    assert invoice.subtotal == Decimal("25000.00")  # the factory's fixed fee
