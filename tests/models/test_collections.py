"""Collections: a notice per level once its threshold of days overdue is reached, one per
invoice and level; paid invoices close their notices, disputes pause them; late charges as a
flat fee per notice or as statutory interest on the open balance, billed once."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import insert, select

from extensions import db
from models import BillingError, BillingStateError, CollectionNotice, Invoice, late_charges
from models.base import utcnow
from models.collections import level_due, run_collections
from models.late_charges import bill_late_charges, late_interest
from tests.factories import ClientFactory, issued_invoice

pytestmark = pytest.mark.usefixtures("ctx")

ISSUED = date(2026, 6, 1)  # Monday; Net 30 → due Wednesday 1 July 2026
DUE = date(2026, 7, 1)


def overdue_invoice(policy: str = "none", fee=None, amount: str = "10000") -> Invoice:
    """A zero-rated (Foreign, EUR) invoice of exactly ``amount``, due on ``DUE``."""
    client = ClientFactory(
        location="Foreign",
        currency="EUR",
        late_fee_policy=policy,
        late_fee_amount=Decimal(fee) if fee else None,
    )
    invoice = issued_invoice(client, on=ISSUED, lines=[("Retained search", amount)])
    assert (invoice.total, invoice.due_date) == (Decimal(amount), DUE)
    return invoice


def day(n: int) -> date:
    """``n`` days after the due date (``n`` days overdue)."""
    return DUE + timedelta(days=n)


def notices(invoice: Invoice) -> list[CollectionNotice]:
    db.session.expire_all()
    return db.session.scalars(
        select(CollectionNotice)
        .where(CollectionNotice.invoice_id == invoice.id)
        .order_by(CollectionNotice.level)
    ).all()


def collect(today: date):
    run = run_collections(today)
    db.session.commit()
    return run


# ---------------------------------------------------------------- thresholds


@pytest.mark.parametrize(
    "days, level",
    [(0, None), (1, 1), (14, 1), (15, 2), (29, 2), (30, 3), (59, 3), (60, 4), (400, 4)],
)
def test_the_level_due_is_the_highest_threshold_reached(days, level):
    assert level_due(days) == level


def test_nothing_is_sent_on_the_due_date_and_a_first_notice_the_day_after():
    invoice = overdue_invoice()
    assert collect(DUE).created == []
    run = collect(day(1))
    [notice] = notices(invoice)
    assert run.created == [notice.id]
    assert (notice.level, notice.status, notice.days_overdue) == (1, "open", 1)
    assert notice.client_id == invoice.client_id and notice.created_on == day(1)


def test_a_second_run_creates_nothing():
    invoice = overdue_invoice()
    collect(day(15))
    assert collect(day(15)).created == []
    assert collect(day(16)).created == []
    assert [n.level for n in notices(invoice)] == [2]


def test_a_new_level_supersedes_and_closes_the_earlier_notice():
    invoice = overdue_invoice()
    collect(day(1))
    run = collect(day(15))
    first, second = notices(invoice)
    assert run.superseded == [first.id] and run.created == [second.id]
    assert (first.status, first.closed_reason) == ("closed", "escalated to second notice")
    assert second.status == "open"


def test_an_invoice_found_late_gets_only_the_highest_level_due():
    invoice = overdue_invoice()
    collect(day(60))
    assert [n.level for n in notices(invoice)] == [4]


def test_paid_void_draft_and_not_yet_due_invoices_get_no_notice():
    paid = overdue_invoice()
    paid.register_payment(paid.balance, "bank_transfer", received_on=DUE)
    not_due = overdue_invoice()
    not_due.due_date = day(5)
    db.session.commit()
    assert collect(day(3)).created == []


def test_an_invoice_a_simultaneous_run_got_first_is_skipped_and_the_others_go_on(
    monkeypatch,
):
    raced, good = overdue_invoice(), overdue_invoice()
    real_charge_for = late_charges.charge_for

    def other_run_commits_first(invoice, earlier, today):
        """Another run inserts and commits the same notice after this run's checks."""
        if invoice.id == raced.id:
            with db.engine.begin() as other:
                other.execute(
                    insert(CollectionNotice).values(
                        invoice_id=raced.id,
                        client_id=raced.client_id,
                        level=1,
                        status="open",
                        created_on=day(1),
                        days_overdue=1,
                        late_charge=0,
                        created_at=utcnow(),
                        updated_at=utcnow(),
                    )
                )
        return real_charge_for(invoice, earlier, today)

    monkeypatch.setattr(late_charges, "charge_for", other_run_commits_first)
    run = collect(day(1))
    assert [invoice_id for invoice_id, _ in run.skipped] == [raced.id]
    assert "at the same moment" in run.skipped[0][1]
    assert [n.level for n in notices(good)] == [1] and len(notices(raced)) == 1


# ---------------------------------------------------------------- paid and disputed


def test_paying_the_invoice_closes_its_open_notices_at_once():
    invoice = overdue_invoice()
    collect(day(20))
    invoice.register_payment(Decimal("10000"), "bank_transfer", received_on=day(21))
    db.session.commit()
    [notice] = notices(invoice)
    assert (notice.status, notice.closed_reason) == ("closed", "invoice paid")
    assert notice.closed_at is not None


def test_voiding_the_invoice_closes_its_notices_so_none_is_sent_later():
    invoice = overdue_invoice()
    collect(day(20))
    invoice.void("Raised against the wrong entity")
    db.session.commit()
    [notice] = notices(invoice)
    assert (notice.status, notice.closed_reason) == ("closed", "invoice voided")
    assert collect(day(40)).created == []


def test_a_partial_payment_leaves_the_notice_open():
    invoice = overdue_invoice()
    collect(day(20))
    invoice.register_payment(Decimal("4000"), "bank_transfer", received_on=day(21))
    db.session.commit()
    assert notices(invoice)[0].status == "open"


def test_a_dispute_pauses_the_notices_and_nothing_escalates():
    invoice = overdue_invoice()
    collect(day(2))
    invoice.dispute("The candidate left in the first week")
    db.session.commit()
    [notice] = notices(invoice)
    assert notice.status == "paused"
    run = collect(day(40))
    assert run.created == [] and run.skipped == [(invoice.id, "disputed: notices are paused")]
    with pytest.raises(BillingStateError, match="disputed"):
        notice.escalate(None, today=day(40))


def test_resolving_the_dispute_resumes_the_notices_where_they_were():
    invoice = overdue_invoice()
    collect(day(2))
    notice = notices(invoice)[0]
    notice.record_sent(datetime(2026, 7, 3, 9, tzinfo=UTC))
    notice.pause("Disputed hours")
    db.session.commit()
    assert notices(invoice)[0].status == "paused" and invoice.is_disputed
    notices(invoice)[0].resume()
    db.session.commit()
    assert notices(invoice)[0].status == "sent" and not invoice.is_disputed
    assert collect(day(40)).created  # escalation goes on


# ---------------------------------------------------------------- verbs


def test_escalating_by_hand_opens_the_next_level_now():
    invoice = overdue_invoice()
    collect(day(2))
    first = notices(invoice)[0]
    second = first.escalate(None, today=day(3))
    db.session.commit()
    assert (second.level, second.days_overdue) == (2, 3)
    assert notices(invoice)[0].status == "closed"
    assert collect(day(16)).created == []  # level 2 exists already


def test_the_last_level_cannot_escalate():
    invoice = overdue_invoice()
    collect(day(61))
    with pytest.raises(BillingStateError, match="last level") as refused:
        notices(invoice)[0].escalate(None, today=day(61))
    assert refused.value.field == "level"


def test_a_response_needs_its_text_and_marks_the_notice_responded():
    invoice = overdue_invoice()
    collect(day(2))
    notice = notices(invoice)[0]
    with pytest.raises(BillingError, match="Write what the client answered") as refused:
        notice.record_response("  ")
    assert refused.value.field == "response_note"
    notice.record_response("Will pay on Friday")
    assert (notice.status, notice.response_note) == ("responded", "Will pay on Friday")


def test_notes_add_up_and_closing_needs_a_reason():
    invoice = overdue_invoice()
    collect(day(2))
    notice = notices(invoice)[0]
    notice.add_note("Called the finance desk")
    notice.add_note("Left a voicemail")
    assert notice.notes.count("\n") == 1 and notice.notes.endswith("system: Left a voicemail")
    with pytest.raises(BillingError) as refused:
        notice.close("")
    assert refused.value.field == "reason"
    notice.close("Written off")
    for verb in (lambda: notice.add_note("x"), notice.record_sent, notice.escalate):
        with pytest.raises(BillingStateError, match="is closed"):
            verb()


# ---------------------------------------------------------------- late charges


def test_interest_on_the_whole_balance_counts_by_day():
    invoice = overdue_invoice("interest")
    # 10,000 × 12% × 30/365 = 98.630… → 98.63 (reference 4% + margin 8%)
    assert late_interest(invoice, day(30)) == Decimal("98.63")
    assert late_interest(invoice, DUE) == Decimal("0.00")


def test_interest_after_a_partial_payment_runs_on_the_open_balance():
    invoice = overdue_invoice("interest")
    invoice.register_payment(Decimal("6000"), "bank_transfer", received_on=day(10))
    db.session.commit()
    # 10,000 × 12% × 10/365 = 32.877 + 4,000 × 12% × 20/365 = 26.301 → 59.178 → 59.18
    assert late_interest(invoice, day(30)) == Decimal("59.18")


def test_interest_after_a_credit_note_and_two_payments():
    invoice = overdue_invoice("interest")
    note = invoice.draft_credit_note("Discount agreed", amount=Decimal("2000"))
    note.issue(today=day(5))
    invoice.register_payment(Decimal("3000"), "bank_transfer", received_on=day(15))
    invoice.register_payment(Decimal("1000"), "bank_transfer", received_on=day(25))
    db.session.commit()
    # 10,000 × 5 days + 8,000 × 10 + 5,000 × 10 + 4,000 × 5 = 200,000 balance-days
    # × 12% / 365 = 65.753… → 65.75
    assert late_interest(invoice, day(30)) == Decimal("65.75")


def test_interest_stops_while_disputed():
    invoice = overdue_invoice("interest")
    invoice.disputed_at = datetime.combine(day(10), datetime.min.time(), UTC)
    # 10,000 × 12% × 10/365 = 32.88, however late we look
    assert late_interest(invoice, day(30)) == Decimal("32.88")


def test_each_notice_records_the_interest_accrued_since_the_one_before():
    invoice = overdue_invoice("interest")
    collect(day(15))  # 10,000 × 12% × 15/365 = 49.32
    collect(day(30))  # 98.63 to date − 49.32 = 49.31
    first, second = notices(invoice)
    assert (first.late_charge, second.late_charge) == (Decimal("49.32"), Decimal("49.31"))


def test_a_flat_fee_is_charged_on_each_notice():
    invoice = overdue_invoice("flat", fee="25.00")
    collect(day(1))
    collect(day(15))
    assert [n.late_charge for n in notices(invoice)] == [Decimal("25.00")] * 2


def test_no_policy_charges_nothing():
    invoice = overdue_invoice()
    collect(day(30))
    assert notices(invoice)[0].late_charge == Decimal("0.00")


def test_late_charges_are_billed_once_on_a_draft_of_late_fee_lines():
    invoice = overdue_invoice("flat", fee="25.00")
    collect(day(1))
    collect(day(15))
    bill = bill_late_charges(invoice)
    db.session.commit()
    assert bill.status == "draft" and bill.client_id == invoice.client_id
    assert [line.kind for line in bill.lines] == ["late_fee", "late_fee"]
    assert bill.total == Decimal("50.00")  # 2 × 25, not taxed
    assert f"First notice on {invoice.number}" in bill.lines[0].description
    assert {n.late_charge_invoice_id for n in notices(invoice)} == {bill.id}
    with pytest.raises(BillingError, match="no late charges left to bill") as refused:
        bill_late_charges(invoice)
    assert refused.value.field == "late_charge"
    collect(day(30))
    later = bill_late_charges(invoice)
    assert later.total == Decimal("25.00")  # only the third notice's fee
