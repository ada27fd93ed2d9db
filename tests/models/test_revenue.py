"""Revenue by month (models.revenue): issued invoices in the base currency at the rate
captured at issue, credit notes subtracted, drafts and void invoices left out, every one of
the last 12 months present (zero when nothing was invoiced), one query."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import event

from extensions import db
from models.revenue import month_start, revenue_by_month
from tests.factories import ClientFactory, draft_invoice, issued_invoice

TODAY = date(2026, 6, 15)


def _eur_client():
    # Foreign, EUR: no VAT; the factories' EUR rate is 1.08 USD.
    return ClientFactory(currency="EUR", location="Foreign")


def test_months_sum_invoices_less_credit_notes_in_the_base_currency(ctx):
    acme = _eur_client()
    march = issued_invoice(acme, on=date(2026, 3, 10), lines=[("Fee", "100.00")])  # 108.00
    issued_invoice(acme, on=date(2026, 6, 1), lines=[("Fee", "200.00")])  # 216.00
    note = march.draft_credit_note("Fee reduced", amount=Decimal("50"))
    db.session.commit()
    note.issue(today=date(2026, 6, 2))  # −50 × 1.08 = −54.00, in June
    db.session.commit()
    issued_invoice(acme, on=date(2025, 6, 30), lines=[("Fee", "999.00")])  # before the window
    draft_invoice(acme, lines=[("Fee", "777.00")])  # a draft: never counted
    void = issued_invoice(acme, on=date(2026, 5, 5), lines=[("Fee", "555.00")])
    void.void("Sent by mistake")
    db.session.commit()

    months = revenue_by_month(db.session, 12, TODAY)

    assert [m.month for m in months][:1] == ["2025-07"] and months[-1].month == "2026-06"
    assert len(months) == 12
    by_month = {m.month: m.amount for m in months}
    assert by_month["2026-03"] == Decimal("108.00")
    assert by_month["2026-06"] == Decimal("162.00")  # 216.00 − 54.00
    assert by_month["2026-05"] == Decimal("0.00")  # the void invoice does not count
    assert sum(by_month.values()) == Decimal("270.00")
    # the revenue KPI and the growth rule's revenue read the same figure as the chart
    from models.health_flags import revenue_periods
    from models.kpis import Period, compute

    june = compute(["revenue"], Period.month(2026, 6), ids=[acme.id])["revenue"][acme.id]
    assert june == Decimal("162.00")
    # the growth rule's last 90 days to 15 June hold June's 162.00 and none of May (void)
    _previous, last = revenue_periods(db.session, [acme.id], TODAY)[acme.id]
    assert last == Decimal("162.00")


def test_the_client_filter_and_a_single_query(ctx):
    acme, bolt = _eur_client(), _eur_client()
    issued_invoice(acme, on=date(2026, 6, 3), lines=[("Fee", "100.00")])  # 108.00
    issued_invoice(bolt, on=date(2026, 6, 4), lines=[("Fee", "10.00")])  # 10.80
    acme_id = acme.id
    statements = []

    def count(*_args):
        statements.append(1)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        months = revenue_by_month(db.session, 12, TODAY, [acme_id])
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert months[-1].amount == Decimal("108.00")
    assert len(statements) == 1
    assert revenue_by_month(db.session, 12, TODAY)[-1].amount == Decimal("118.80")


def test_month_start_goes_back_over_years():
    assert month_start(date(2026, 2, 17), 3) == date(2025, 11, 1)
    assert month_start(date(2026, 12, 31), -1) == date(2027, 1, 1)
