"""Invoices: totals and tax, issuing (number, rate, due date), immutability, void, credit
notes, payments (partial, over), client credit and the statement of account."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from extensions import db
from models import BillingError, BillingStateError, ExchangeRate, Holiday, Invoice
from models.billing import due_date_for, next_business_day
from models.payments import ClientCredit, payment_history, statement_of_account
from tests.factories import (
    ClientContactFactory,
    ClientFactory,
    ContactFactory,
    draft_invoice,
    issued_invoice,
    known_rates,
)

pytestmark = pytest.mark.usefixtures("ctx")

MONDAY = date(2026, 11, 2)
FRIDAY = date(2026, 11, 6)


# ---------------------------------------------------------------- totals and tax


def test_a_local_client_pays_vat_on_taxable_lines_only():
    invoice = draft_invoice(lines=[("Retainer, stage 1", "10000.00")])
    invoice.add_line("Travel to the client's site", Decimal("500"), kind="expense", taxable=False)
    # 12% VAT of 10,000 = 1,200; the untaxed expense adds 500: 10,500 + 1,200 = 11,700.
    assert (invoice.subtotal, invoice.tax_amount, invoice.total) == (
        Decimal("10500.00"),
        Decimal("1200.00"),
        Decimal("11700.00"),
    )
    assert invoice.tax_note is None


def test_a_foreign_client_is_zero_rated_with_the_reason_printed():
    invoice = draft_invoice(ClientFactory(location="Foreign", currency="EUR"))
    assert invoice.tax_rate == 0 and invoice.tax_amount == 0
    assert "Zero-rated" in invoice.tax_note
    assert invoice.currency == "EUR"


def test_a_placement_fee_is_its_percentage_of_the_salary():
    invoice = draft_invoice()
    (line,) = invoice.lines
    assert line.amount == Decimal("20000.00")  # 20% of 100,000
    assert invoice.total == Decimal("22400.00")  # + 12% VAT


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("quantity", 0, "Quantity must be more than 0"),
        ("unit_price", -1, "Unit price must be 0 to"),
        ("percent", 150, "Percent must be more than 0 and at most 100"),
        ("kind", "bonus", "Line kind must be one of"),
    ],
)
def test_a_bad_line_is_refused_naming_its_field(field, value, message):
    invoice = draft_invoice()
    values = {"description": "x", "unit_price": 1, "quantity": 1, "kind": "other"}
    values[field] = value
    with pytest.raises(BillingError, match=message) as refused:
        invoice.add_line(**values)
    assert refused.value.field == field
    assert len(invoice.lines) == 1


# ---------------------------------------------------------------- issuing


def test_issuing_numbers_captures_the_rate_and_sets_the_due_date():
    known_rates()
    first = issued_invoice(on=MONDAY)
    second = issued_invoice(on=MONDAY)
    assert (first.number, second.number) == ("INV-2026-00001", "INV-2026-00002")
    assert first.status == "issued" and first.exchange_rate == Decimal("0.0175")
    assert first.due_date == MONDAY + timedelta(days=30)  # Net 30: Wednesday 2 December
    assert first.balance == first.total
    assert first.in_base_currency == Decimal("392.00")  # 22,400 PHP × 0.0175


def test_numbers_start_again_each_year():
    assert issued_invoice(on=date(2026, 12, 31)).number == "INV-2026-00001"
    assert issued_invoice(on=date(2027, 1, 4)).number == "INV-2027-00001"


def test_without_an_exchange_rate_issuing_is_refused_and_nothing_is_numbered():
    invoice = draft_invoice(ClientFactory(currency="JPY"))
    with pytest.raises(BillingError, match="No exchange rate from JPY") as refused:
        invoice.issue(today=MONDAY)
    assert refused.value.field == "exchange_rate"
    db.session.rollback()
    assert db.session.get(Invoice, invoice.id).number is None


def test_a_typed_exchange_rate_wins_over_the_table():
    invoice = draft_invoice(ClientFactory(currency="JPY"), exchange_rate=Decimal("0.0066"))
    invoice.issue(today=MONDAY)
    assert invoice.exchange_rate == Decimal("0.0066")


def test_an_invoice_in_the_base_currency_has_rate_one():
    invoice = issued_invoice(ClientFactory(currency="USD"), on=MONDAY)
    assert invoice.exchange_rate == 1


def test_an_invoice_without_lines_is_not_issued():
    invoice = draft_invoice(lines=[])
    with pytest.raises(BillingError, match="no lines") as refused:
        invoice.issue(today=MONDAY)
    assert refused.value.field == "lines"


def test_an_issued_invoice_cannot_change():
    invoice = issued_invoice(on=MONDAY)
    with pytest.raises(BillingStateError, match="credit note instead"):
        invoice.add_line("More", 10)
    with pytest.raises(BillingStateError):
        invoice.remove_line(invoice.lines[0])
    with pytest.raises(BillingStateError, match="only a draft one can be issued"):
        invoice.issue(today=MONDAY)


# ---------------------------------------------------------------- due dates


def test_a_due_date_on_a_saturday_moves_to_monday():
    client = ClientFactory(payment_term_label="Net", payment_term_days=8)
    assert FRIDAY + timedelta(days=8) == date(2026, 11, 14)  # a Saturday
    assert due_date_for(client, FRIDAY) == date(2026, 11, 16)  # Monday


def test_a_due_date_on_a_configured_holiday_moves_past_it():
    db.session.add_all(
        [
            Holiday(day=date(2026, 12, 24), name="Christmas Eve"),
            Holiday(day=date(2026, 12, 25), name="Christmas Day"),
        ]
    )
    db.session.commit()
    client = ClientFactory(payment_term_label="Net", payment_term_days=30)
    # 24 Nov + 30 = Thursday 24 Dec, a holiday; so is Friday 25th; then the weekend.
    assert due_date_for(client, date(2026, 11, 24)) == date(2026, 12, 28)


@pytest.mark.parametrize(
    "label, days, issued, due",
    [
        ("Immediate", None, MONDAY, MONDAY),
        ("Immediate", None, date(2026, 11, 7), date(2026, 11, 9)),  # a Saturday: Monday
        ("MFI", 15, date(2026, 11, 20), date(2026, 12, 16)),  # 1 Dec + 15
        ("MFI", None, date(2026, 12, 10), date(2027, 1, 1)),  # the first of next month…
        ("Custom", None, MONDAY, date(2026, 12, 2)),  # DEFAULT_PAYMENT_TERM_DAYS (30)
    ],
)
def test_payment_terms(label, days, issued, due):
    client = ClientFactory(payment_term_label=label, payment_term_days=days)
    assert due_date_for(client, issued) == due


def test_a_configured_holiday_list_is_read_once_per_call():
    assert next_business_day(date(2026, 11, 14), holidays={date(2026, 11, 16)}) == date(
        2026, 11, 17
    )


# ---------------------------------------------------------------- void and credit notes


def test_voiding_keeps_the_number_and_needs_a_reason():
    invoice = issued_invoice(on=MONDAY)
    with pytest.raises(BillingError, match="reason"):
        invoice.void("  ")
    invoice.void("Sent to the wrong client")
    assert invoice.status == "void" and invoice.balance == 0
    assert invoice.number == "INV-2026-00001"
    assert issued_invoice(on=MONDAY).number == "INV-2026-00002"


def test_an_invoice_with_a_payment_is_not_voided():
    invoice = issued_invoice(on=MONDAY)
    invoice.register_payment(Decimal("100"), "bank_transfer", received_on=MONDAY)
    with pytest.raises(BillingStateError, match="credit note instead"):
        invoice.void("Mistake")


def test_a_credit_note_lowers_the_balance_and_has_its_own_series():
    invoice = issued_invoice(on=MONDAY)  # 22,400.00
    note = invoice.draft_credit_note("Fee agreed at 15%", amount=Decimal("5000"))
    assert note.total == Decimal("5600.00")  # 5,000 + 12% VAT
    note.issue(today=MONDAY)
    db.session.commit()
    assert note.number == "CN-2026-00001"
    assert invoice.balance == Decimal("16800.00")
    assert invoice.status == "partially_paid"
    assert invoice.amount_credited == Decimal("5600.00")


def test_a_full_credit_note_settles_the_invoice():
    invoice = issued_invoice(on=MONDAY)
    invoice.draft_credit_note("Candidate never started").issue(today=MONDAY)
    assert invoice.balance == 0 and invoice.status == "paid"


def test_a_credit_note_beyond_the_balance_becomes_client_credit():
    invoice = issued_invoice(on=MONDAY)
    invoice.register_payment(invoice.total, "bank_transfer", received_on=MONDAY)
    invoice.draft_credit_note("Guarantee refund", amount=Decimal("1000")).issue(today=MONDAY)
    db.session.commit()
    assert ClientCredit.balance(invoice.client, "PHP") == Decimal("1120.00")


def test_a_credit_note_cannot_exceed_the_invoice():
    invoice = issued_invoice(on=MONDAY)
    with pytest.raises(BillingError, match="may not exceed") as refused:
        invoice.draft_credit_note("Too much", amount=Decimal("30000"))
    assert refused.value.field == "amount"


def test_a_draft_is_not_credited():
    with pytest.raises(BillingStateError, match="only an issued invoice"):
        draft_invoice().draft_credit_note("x")


# ---------------------------------------------------------------- payments


def test_partial_then_full_payment():
    invoice = issued_invoice(on=MONDAY)  # 22,400.00
    invoice.register_payment(Decimal("10000"), "bank_transfer", received_on=MONDAY, reference="TT1")
    assert (invoice.status, invoice.balance) == ("partially_paid", Decimal("12400.00"))
    invoice.register_payment(Decimal("12400"), "cheque", received_on=MONDAY)
    assert (invoice.status, invoice.balance) == ("paid", Decimal("0.00"))
    assert invoice.paid_at is not None


def test_an_overpayment_is_kept_as_client_credit_and_can_pay_another_invoice():
    first = issued_invoice(on=MONDAY)
    first.register_payment(Decimal("25000"), "bank_transfer", received_on=MONDAY)
    db.session.commit()
    assert first.status == "paid"
    assert ClientCredit.balance(first.client, "PHP") == Decimal("2600.00")
    second = issued_invoice(first.client, on=MONDAY)
    second.register_payment(Decimal("2600"), "client_credit", received_on=MONDAY)
    db.session.commit()
    assert second.balance == Decimal("19800.00")
    assert ClientCredit.balance(first.client, "PHP") == 0
    with pytest.raises(BillingError, match="of credit"):
        second.register_payment(Decimal("1"), "client_credit", received_on=MONDAY)


@pytest.mark.parametrize(
    "amount, field, message",
    [
        (Decimal("0"), "amount", "more than 0"),
        (Decimal("-5"), "amount", "more than 0"),
        (Decimal("NaN"), "amount", "more than 0"),
        (Decimal("1.005"), "amount", "2 decimals"),
    ],
)
def test_a_bad_payment_is_refused_and_changes_nothing(amount, field, message):
    invoice = issued_invoice(on=MONDAY)
    with pytest.raises(BillingError, match=message) as refused:
        invoice.register_payment(amount, "bank_transfer", received_on=MONDAY)
    assert refused.value.field == field
    assert invoice.balance == invoice.total


def test_a_payment_in_another_currency_or_method_or_date_is_refused():
    invoice = issued_invoice(on=MONDAY)
    with pytest.raises(BillingError, match="is in PHP"):
        invoice.register_payment(1, "bank_transfer", received_on=MONDAY, currency="USD")
    with pytest.raises(BillingError, match="Method must be"):
        invoice.register_payment(1, "barter", received_on=MONDAY)
    with pytest.raises(BillingError, match="future"):
        invoice.register_payment(1, "cheque", received_on=date.today() + timedelta(days=1))


def test_a_draft_or_void_invoice_takes_no_payment():
    with pytest.raises(BillingStateError):
        draft_invoice().register_payment(1, "cheque")
    invoice = issued_invoice(on=MONDAY)
    invoice.void("Duplicate")
    with pytest.raises(BillingStateError):
        invoice.register_payment(1, "cheque")


def test_overdue_is_derived_from_the_due_date():
    invoice = issued_invoice(on=MONDAY)
    assert not invoice.is_overdue(invoice.due_date)
    assert invoice.is_overdue(invoice.due_date + timedelta(days=1))
    assert invoice.days_overdue(invoice.due_date + timedelta(days=31)) == 31
    assert invoice.display_status(invoice.due_date + timedelta(days=1)) == "overdue"
    invoice.register_payment(invoice.total, "cheque", received_on=MONDAY)
    assert not invoice.is_overdue(invoice.due_date + timedelta(days=1))


# ---------------------------------------------------------------- statement and history


def test_the_statement_of_account_for_a_period():
    client = ClientFactory()
    before = issued_invoice(client, on=date(2026, 10, 5), lines=[("October retainer", "1000")])
    before.register_payment(Decimal("500"), "bank_transfer", received_on=date(2026, 10, 20))
    inside = issued_invoice(client, on=date(2026, 11, 3), lines=[("November retainer", "2000")])
    inside.register_payment(Decimal("3000"), "bank_transfer", received_on=date(2026, 11, 10))
    inside.draft_credit_note("Goodwill", amount=Decimal("100")).issue(today=date(2026, 11, 12))
    db.session.commit()

    statement = statement_of_account(client, date(2026, 11, 1), date(2026, 11, 30))
    # Opening: 1,120 invoiced − 500 paid = 620 (October's invoice is 1,000 + 12% VAT).
    assert statement.opening == Decimal("620.00")
    assert [(line.kind, line.debit, line.credit) for line in statement.lines] == [
        ("invoice", Decimal("2240.00"), 0),
        ("payment", 0, Decimal("3000")),
        ("credit note", 0, Decimal("112.00")),
    ]
    # 620 + 2,240 − 3,000 − 112 = −252: the client is in credit by 252 … which is what the
    # books hold: October's 620 is still open; 760 + 112 of November's was more than owed.
    assert statement.closing == Decimal("-252.00")
    credit = ClientCredit.balance(client, "PHP")
    assert statement.closing == before.balance + inside.balance - credit


def test_the_payment_history_is_newest_first():
    invoice = issued_invoice(on=MONDAY)
    invoice.register_payment(1, "cheque", received_on=MONDAY)
    invoice.register_payment(2, "bank_transfer", received_on=MONDAY + timedelta(days=1))
    db.session.commit()
    assert [p.amount for p in payment_history(invoice.client)] == [2, 1]


def test_exchange_rate_lookup_takes_the_latest_on_or_before_the_day():
    db.session.add_all(
        [
            ExchangeRate(currency="EUR", day=date(2026, 11, 1), rate=Decimal("1.05")),
            ExchangeRate(currency="EUR", day=date(2026, 11, 10), rate=Decimal("1.10")),
        ]
    )
    db.session.commit()
    assert ExchangeRate.on("EUR", date(2026, 11, 9)) == Decimal("1.05")
    assert ExchangeRate.on("EUR", date(2026, 11, 10)) == Decimal("1.10")
    with pytest.raises(BillingError):
        ExchangeRate.on("EUR", date(2026, 10, 31))


def test_two_draft_credit_notes_cannot_credit_the_invoice_twice():
    invoice = issued_invoice(on=MONDAY)
    first = invoice.draft_credit_note("Candidate never started")
    second = invoice.draft_credit_note("Entered twice")
    db.session.commit()
    first.issue(today=MONDAY)
    db.session.commit()
    with pytest.raises(BillingError, match="may not exceed") as refused:
        second.issue(today=MONDAY)
    assert refused.value.field == "amount"
    db.session.rollback()
    assert invoice.amount_credited == invoice.total
    assert ClientCredit.balance(invoice.client, "PHP") == 0


def test_an_invoice_with_a_draft_credit_note_is_not_voided():
    """Else the credit note, issued later, would turn the void invoice into client credit."""
    invoice = issued_invoice(on=MONDAY)
    note = invoice.draft_credit_note("Fee waived")
    with pytest.raises(BillingStateError, match="draft credit note"):
        invoice.void("Wrong client")
    note.void("Not needed")
    invoice.void("Wrong client")
    assert invoice.status == "void"
    with pytest.raises(BillingStateError, match="only an issued invoice"):
        invoice.draft_credit_note("Too late")


def test_a_payment_has_at_most_the_decimals_of_its_currency():
    known_rates()
    invoice = issued_invoice(ClientFactory(currency="JPY"), exchange_rate=Decimal("0.0066"))
    with pytest.raises(BillingError, match="at most 0 decimals in JPY"):
        invoice.register_payment(Decimal("1000.50"), "bank_transfer")
    invoice.register_payment(Decimal("1000"), "bank_transfer")
    assert invoice.amount_paid == 1000


def test_the_open_and_overdue_clauses_agree_with_the_invoice():
    invoice = issued_invoice(on=MONDAY)
    late = invoice.due_date + timedelta(days=1)
    overdue = db.session.scalars(db.select(Invoice).where(Invoice.overdue_clause(late))).all()
    assert overdue == [invoice] and invoice.is_overdue(late)
    assert not db.session.scalars(
        db.select(Invoice).where(Invoice.overdue_clause(invoice.due_date))
    ).all()
    invoice.register_payment(invoice.total, "cheque", received_on=MONDAY)
    db.session.commit()
    assert not db.session.scalars(db.select(Invoice).where(Invoice.open_clause())).all()


# ---------------------------------------------------------------- a draft's header


def test_a_drafts_header_changes_and_its_totals_follow_the_tax_rate():
    invoice = draft_invoice()
    assert invoice.total == Decimal("22400.00")  # 20,000 + 12% VAT
    invoice.update_draft(tax_rate=Decimal("5"), notes="Net of withholding", business_unit=None)
    assert (invoice.tax_amount, invoice.total) == (Decimal("1000.00"), Decimal("21000.00"))
    assert invoice.balance == Decimal("21000.00")
    assert invoice.notes == "Net of withholding"


def test_only_a_draft_header_changes():
    invoice = issued_invoice(on=MONDAY)
    with pytest.raises(BillingStateError, match="credit note instead"):
        invoice.update_draft(notes="Too late")
    assert invoice.notes is None


@pytest.mark.parametrize("name", ["client", "total", "status", "number", "lines"])
def test_a_field_outside_the_header_is_refused_by_name(name):
    invoice = draft_invoice()
    with pytest.raises(BillingError, match=f"{name} is not a field") as refused:
        invoice.update_draft(**{name: None})
    assert refused.value.field == name
    assert invoice.status == "draft" and invoice.total == Decimal("22400.00")


def test_an_exchange_rate_beyond_what_the_column_holds_is_refused():
    invoice = draft_invoice()
    invoice.update_draft(exchange_rate=Decimal("9999999999"))
    with pytest.raises(BillingError, match="at most 9,999,999,999") as refused:
        invoice.update_draft(exchange_rate=Decimal("10000000000"))
    assert refused.value.field == "exchange_rate"


def test_the_contact_must_be_one_of_the_clients():
    invoice = draft_invoice()
    theirs = ClientContactFactory(client=invoice.client).contact
    invoice.update_draft(contact=theirs)
    assert invoice.contact == theirs
    stranger = ClientContactFactory().contact  # another client's contact
    with pytest.raises(BillingError, match="one of this client's contacts") as refused:
        invoice.update_draft(contact=stranger)
    assert refused.value.field == "contact"
    with pytest.raises(BillingError, match="one of this client's contacts"):
        Invoice.draft_for(invoice.client, contact=ContactFactory())


def test_the_business_unit_is_one_of_the_configured_ones(app):
    invoice = draft_invoice()
    invoice.update_draft(business_unit="Executive")
    assert "Executive" in app.config["BUSINESS_UNITS"]
    with pytest.raises(BillingError, match="Business unit must be one of: Permanent") as refused:
        invoice.update_draft(business_unit="Catering")
    assert refused.value.field == "business_unit"


@pytest.mark.parametrize("amount", [0, Decimal("-5"), Decimal("NaN")])
def test_a_credit_note_for_no_positive_amount_is_refused(amount):
    invoice = issued_invoice(on=MONDAY)
    with pytest.raises(BillingError, match="must be more than 0") as refused:
        invoice.draft_credit_note("Discount", amount=amount)
    assert refused.value.field == "amount"
    assert invoice.credit_notes == []


def test_the_payment_history_loads_each_payments_invoice_with_it():
    invoice = issued_invoice(on=MONDAY)
    invoice.register_payment(1, "cheque", received_on=MONDAY)
    invoice.register_payment(2, "cash", received_on=MONDAY)
    db.session.commit()
    db.session.expire_all()
    payments = payment_history(invoice.client)
    assert [("invoice" in payment.__dict__) for payment in payments] == [True, True]


def test_a_contacts_data_export_lists_the_invoices_addressed_to_them():
    import json

    from models import export_contact
    from tests.factories import ClientContactFactory

    link = ClientContactFactory()
    invoice = issued_invoice(link.client, on=MONDAY, contact=link.contact)
    export = export_contact(link.contact)
    json.dumps(export)  # the export is JSON-ready
    [row] = export["invoices_addressed"]
    assert row["number"] == invoice.number and Decimal(str(row["total"])) == invoice.total
