"""Quotes: numbering, totals rounded per currency, the status workflow and versions."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from extensions import db
from models import Quote, QuoteError, QuoteStateError
from models.commercial import expire_quotes, money
from tests.factories import ClientContactFactory, ClientFactory, make_user

pytestmark = pytest.mark.usefixtures("ctx")

NEXT_MONTH = date.today() + timedelta(days=30)


def draft(currency="USD", **fields) -> Quote:
    """The seed's example: a retained search and a contingency line, 10% off, 12% tax."""
    quote = Quote.action_create(
        ClientFactory(),
        title="Executive search, 2027",
        currency=currency,
        valid_until=fields.pop("valid_until", NEXT_MONTH),
        discount_percent=Decimal("10"),
        tax_rate=Decimal("12"),
        payment_terms="net_30",
        replacement_guarantee_days=90,
        **fields,
    )
    quote.add_line(
        "retained executive search", "VP of Engineering search", Decimal("1"), Decimal("75000")
    )
    quote.add_line("contingency recruitment", "Senior engineers", Decimal("3"), Decimal("12500.50"))
    db.session.commit()
    return quote


def sent(**fields) -> Quote:
    quote = draft(**fields)
    quote.action_send(make_user("Account Manager"))
    db.session.commit()
    return quote


def test_totals_are_decimals_with_discount_then_tax():
    quote = draft()
    assert quote.subtotal == Decimal("112501.50")
    assert quote.discount == Decimal("11250.15")
    assert quote.tax == Decimal("12150.16")
    assert quote.total == Decimal("113401.51")


@pytest.mark.parametrize(
    ("currency", "expected"), [("JPY", "12346"), ("KWD", "12345.679"), ("EUR", "12345.68")]
)
def test_amounts_are_rounded_to_the_currencys_minor_unit(currency, expected):
    assert money(Decimal("12345.6789"), currency) == Decimal(expected)


def test_quotes_are_numbered_per_year_and_versions_share_the_number():
    first, second = draft(), draft()
    year = date.today().year
    assert (first.number, second.number) == (f"Q-{year}-0001", f"Q-{year}-0002")


def test_sending_needs_a_line_and_a_future_date():
    quote = Quote.action_create(ClientFactory(), title="Empty", valid_until=NEXT_MONTH)
    with pytest.raises(QuoteError, match="at least one line"):
        quote.action_send()


def test_viewing_marks_the_first_open_only():
    quote = sent()
    quote.action_mark_viewed()
    first = quote.viewed_at
    quote.action_mark_viewed()
    assert quote.status == "viewed" and quote.viewed_at == first


def test_accepting_keeps_the_typed_name_time_and_ip():
    quote = sent()
    contact = ClientContactFactory(client=quote.client).contact
    quote.action_accept("  Maria   Santos ", "203.0.113.9", contact)
    db.session.commit()
    assert (quote.status, quote.accepted_name, quote.accepted_ip) == (
        "accepted",
        "Maria Santos",
        "203.0.113.9",
    )
    assert quote.accepted_at is not None and quote.accepted_by == contact


def test_accepting_needs_a_full_name():
    with pytest.raises(QuoteError, match="full name") as refused:
        sent().action_accept("Maria", "203.0.113.9")
    assert refused.value.field == "name"


def test_an_expired_quote_cannot_be_accepted_even_before_the_daily_job():
    quote = sent()
    quote.valid_until = date.today() - timedelta(days=1)  # as if time had passed
    with pytest.raises(QuoteStateError, match="expired on .* can no longer be accepted"):
        quote.action_accept("Maria Santos", None)
    db.session.rollback()


def test_a_declined_quote_cannot_be_accepted():
    quote = sent()
    quote.action_decline("Budget moved to next year")
    with pytest.raises(QuoteStateError, match="is declined; it can no longer be accepted"):
        quote.action_accept("Maria Santos", None)


def test_declining_needs_a_reason():
    with pytest.raises(QuoteError, match="why") as refused:
        sent().action_decline("  ")
    assert refused.value.field == "reason"


def test_the_daily_job_expires_open_quotes_past_their_date():
    quote = sent()
    assert expire_quotes(today=NEXT_MONTH + timedelta(days=1)) == 1
    assert quote.status == "expired"
    assert expire_quotes(today=NEXT_MONTH + timedelta(days=1)) == 0


def test_a_sent_quote_does_not_change_revising_makes_version_2():
    quote = sent()
    quote.discount_percent = Decimal("50")
    with pytest.raises(QuoteError, match="revise it to change discount percent"):
        db.session.flush()
    db.session.rollback()
    with pytest.raises(QuoteStateError, match="revise it to change its lines"):
        quote.add_line("contract staffing", "More", Decimal("1"), Decimal("1"))
    v2 = quote.action_revise(make_user("Account Manager"))
    v2.discount_percent = Decimal("15")
    db.session.commit()
    v1 = db.session.get(Quote, quote.id)
    assert (v1.version, v1.status, v1.discount_percent) == (1, "revised", Decimal("10.00"))
    assert v1.total == Decimal("113401.51")
    assert (v2.number, v2.version, v2.status, v2.previous) == (v1.number, 2, "draft", v1)
    assert [line.description for line in v2.lines] == [line.description for line in v1.lines]


def test_a_draft_is_edited_not_revised():
    with pytest.raises(QuoteStateError, match="only a sent, viewed, declined or expired"):
        draft().action_revise()


@pytest.mark.parametrize(
    ("field", "value", "rule"),
    [
        ("discount_percent", Decimal("120"), "between 0 and 100"),
        ("tax_rate", Decimal("-1"), "between 0 and 100"),
        ("currency", "ABC", "ISO 4217"),
        ("payment_terms", "whenever", "Payment terms must be one of"),
        ("title", "x" * 192, "at most 191 characters"),
    ],
)
def test_field_rules_name_the_field(field, value, rule):
    quote = draft()
    setattr(quote, field, value)
    with pytest.raises(QuoteError, match=rule) as refused:
        quote.validate()
    assert refused.value.field == field
    db.session.rollback()


@pytest.mark.parametrize(
    ("service", "quantity", "rate", "field"),
    [
        ("bake sale", 1, 1, "service_type"),
        ("contract staffing", 0, 1, "quantity"),
        ("contract staffing", 1, -5, "rate"),
    ],
)
def test_line_rules_name_the_field(service, quantity, rate, field):
    quote = Quote.action_create(ClientFactory(), title="Lines", valid_until=NEXT_MONTH)
    with pytest.raises(QuoteError) as refused:
        quote.add_line(service, "Work", Decimal(quantity), Decimal(rate))
    assert refused.value.field == field
