"""The portal's invoices for a finance contact: list, filters, totals, invoice page, PDF,
receipts, statement; and that nothing of it reaches another client or a contact without the
billing area."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import event, func, select

from extensions import db
from models import Client, ClientDocument, Invoice
from models.checkouts import attach_checkout, start_checkout
from models.payments import PaymentCheckout
from tests.conftest import csrf_token
from tests.factories import issued_invoice, known_rates

from .conftest import make_member, sign_in

MINIMAL_PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


@pytest.fixture
def signed_in(client, finance, books):
    sign_in(client, finance.username)
    return client


def page(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


# ---------------------------------------------------------------- list, filters, totals


def test_the_list_shows_open_invoices_by_default_with_totals_per_currency(signed_in, books):
    body = page(signed_in, "/portal/invoices")
    for _id, number in (books.overdue, books.open, books.usd):
        assert number in body
    assert books.paid[1] not in body
    totals = body[body.index('id="invoice-totals"') : body.index('id="invoice-list"')]
    assert "PHP 35,000.00" in totals and "PHP 10,000.00 overdue" in totals
    assert "USD 1,500.00" in totals and "nothing overdue" in totals


@pytest.mark.parametrize(
    "status, shown, hidden",
    [
        ("open", ["overdue", "open", "usd"], ["paid"]),
        ("overdue", ["overdue"], ["open", "usd", "paid"]),
        ("paid", ["paid"], ["overdue", "open", "usd"]),
        ("all", ["overdue", "open", "usd", "paid"], []),
    ],
)
def test_a_status_filter_lists_only_its_invoices(signed_in, books, status, shown, hidden):
    body = page(signed_in, f"/portal/invoices?status={status}")
    listed = body[body.index('id="invoice-list"') :]
    for name in shown:
        assert getattr(books, name)[1] in listed
    for name in hidden:
        assert getattr(books, name)[1] not in listed


def test_a_draft_is_never_listed_nor_opened(signed_in, books):
    body = page(signed_in, "/portal/invoices?status=all")
    assert "7,777.77" not in body and f"draft #{books.draft}" not in body
    page(signed_in, f"/portal/invoices/{books.draft}", 404)


def test_an_htmx_filter_gets_the_list_alone(signed_in, books):
    response = signed_in.get("/portal/invoices?status=paid", headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert body.lstrip().startswith("<section") and "<html" not in body
    assert books.paid[1] in body and books.open[1] not in body


# ---------------------------------------------------------------- the invoice page


def test_the_invoice_page_shows_lines_zero_rated_tax_totals_and_due_date(signed_in, books, app):
    body = page(signed_in, f"/portal/invoices/{books.overdue[0]}")
    assert "Retainer stage 1" in body
    assert "Tax (0%)" in body and "Zero-rated" in body  # Acme is a Foreign client
    with app.app_context():
        invoice = db.session.get(Invoice, books.overdue[0])
        due = invoice.due_date
    assert f"{due:%d %b %Y}" in body
    assert 'data-status="overdue"' in body
    assert "PHP 10,000.00" in body[body.index('id="invoice-balance"') :]


def test_the_invoice_page_shows_payments_credit_notes_and_the_balance_left(signed_in, books, app):
    with app.app_context():
        invoice = db.session.get(Invoice, books.open[0])
        invoice.register_payment(Decimal("5000.00"), "cheque", reference="CHQ-881")
        note = invoice.draft_credit_note("Agreed discount", amount=Decimal("2500.00"))
        note.issue()
        db.session.commit()
        note_number = note.number
    body = page(signed_in, f"/portal/invoices/{books.open[0]}")
    payments = body[body.index('id="invoice-payments"') :]
    assert "Cheque" in payments and "PHP 5,000.00" in payments and "Receipt" in payments
    assert note_number in body and "Agreed discount" in body
    assert "PHP 5,000.00" in body[body.index('id="invoice-paid"') :][:80]
    assert "PHP 2,500.00" in body[body.index('id="invoice-credited"') :][:80]
    assert "PHP 17,500.00" in body[body.index('id="invoice-balance"') :][:80]


def test_a_paid_invoice_offers_no_payment_form(signed_in, books):
    body = page(signed_in, f"/portal/invoices/{books.paid[0]}")
    assert 'id="pay-online"' not in body
    assert 'data-status="paid"' in body


# ---------------------------------------------------------------- PDF and receipts


def test_the_pdf_is_the_document_rendered_for_the_invoice(signed_in, books, app):
    with app.app_context():
        invoice = db.session.get(Invoice, books.open[0])
        document = ClientDocument.action_store_generated(
            invoice.client,
            MINIMAL_PDF,
            filename=f"invoice-{invoice.number}.pdf",
            title=f"Invoice {invoice.number}",
            type="other",
            visible=True,
            source=f"invoice:{invoice.id}",
        )
        db.session.commit()
        filename = document.original_filename
    response = signed_in.get(f"/portal/invoices/{books.open[0]}.pdf")
    assert response.status_code == 200
    assert response.data == MINIMAL_PDF
    assert response.mimetype == "application/pdf"
    assert filename in response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_an_invoice_without_its_pdf_yet_answers_404_saying_so(signed_in, books):
    body = page(signed_in, f"/portal/invoices/{books.open[0]}.pdf", 404)
    assert "not ready" in body and books.open[1] in body


def test_a_receipt_shows_the_payment_and_what_it_paid(signed_in, books):
    body = page(signed_in, f"/portal/payments/{books.paid_payment}/receipt")
    receipt = body[body.index('id="receipt"') :]
    assert "PHP 4,000.00" in receipt and "Bank transfer" in receipt
    assert books.paid[1] in receipt and "BT-4455" in receipt


# ---------------------------------------------------------------- statement of account


def test_the_statement_lists_the_period_with_opening_and_closing_balances(signed_in, books):
    today = date.today()
    start = today - timedelta(days=30)  # after the overdue invoice: it is brought forward
    body = page(signed_in, f"/portal/statement?start={start}&end={today}&currency=PHP")
    statement = body[body.index('id="statement"') :]
    assert "PHP 10,000.00" in statement[statement.index('id="statement-opening"') :][:400]
    assert books.open[1] in statement and books.paid[1] in statement
    assert books.overdue[1] not in statement  # before the period
    # 10,000 + 25,000 + 4,000 invoiced − 4,000 paid
    assert "PHP 35,000.00" in statement[statement.index('id="statement-closing"') :]
    assert books.theirs[1] not in body and "98,765.43" not in body


def test_a_statement_in_the_other_currency(signed_in, books):
    body = page(signed_in, "/portal/statement?currency=USD")
    assert books.usd[1] in body and "USD 1,500.00" in body and books.open[1] not in body


@pytest.mark.parametrize(
    "query, message",
    [
        ("start=yesterday", "Start must be a date"),
        ("start=2026-05-01&end=2026-04-01", "start must be on or before its end"),
    ],
)
def test_a_bad_period_is_refused_beside_its_field(signed_in, books, query, message):
    body = page(signed_in, f"/portal/statement?{query}", 422)
    assert message in body and 'id="statement"' not in body


# ---------------------------------------------------------------- isolation


# (method, path with {placeholders}, form data): every portal billing path that takes an id.
BILLING_ID_PATHS = [
    ("GET", "/portal/invoices/{invoice_id}", {}),
    ("GET", "/portal/invoices/{invoice_id}.pdf", {}),
    ("POST", "/portal/invoices/{invoice_id}/pay", {"amount": "10.00"}),
    ("GET", "/portal/invoices/{invoice_id}/checkouts/{checkout_id}", {}),
    ("GET", "/portal/payments/{payment_id}/receipt", {}),
]


@pytest.fixture
def their_checkout(app, books):
    """Zenith's invoice, rendered as a PDF, with a card checkout of PHP 4,444.44 under way."""
    with app.app_context():
        theirs = db.session.get(Invoice, books.theirs[0])
        ClientDocument.action_store_generated(
            theirs.client,
            MINIMAL_PDF,
            filename="theirs.pdf",
            title="Zenith invoice",
            type="other",
            visible=True,
            source=f"invoice:{theirs.id}",
        )
        checkout = start_checkout(theirs, "4444.44", "stripe")
        attach_checkout(checkout, "cs_zenith", "https://checkout.example/cs_zenith")
        db.session.commit()
        return checkout.id


@pytest.mark.parametrize(("method", "path", "data"), BILLING_ID_PATHS)
def test_another_clients_invoice_payment_or_checkout_answers_404_and_shows_nothing_of_it(
    app, signed_in, books, their_checkout, method, path, data
):
    token = csrf_token(signed_in, "/portal/invoices")
    ids = {"checkout_id": their_checkout, "payment_id": books.their_payment}
    urls = {path.format(invoice_id=books.theirs[0], **ids)}
    if "{checkout_id}" in path:  # with Acme's own invoice, Zenith's checkout still is not found
        urls.add(path.format(invoice_id=books.open[0], **ids))
    for url in urls:
        response = signed_in.open(url, method=method, data={**data, "csrf_token": token})
        body = response.get_data(as_text=True)
        assert response.status_code == 404, url
        for secret in (books.theirs[1], "Zenith", "98,765.43", "1,234.56", "4,444.44"):
            assert secret not in body
        assert "ZEN-PAY-1" not in body
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(PaymentCheckout)) == 1


def test_no_list_shows_anything_of_another_clients_invoices(signed_in, books):
    for status in ("open", "overdue", "paid", "all"):
        body = page(signed_in, f"/portal/invoices?status={status}")
        assert books.theirs[1] not in body and "98,765.43" not in body
    body = page(signed_in, "/portal/statement?start=2000-01-01")
    assert books.theirs[1] not in body and "98,765.43" not in body and "ZEN-PAY-1" not in body


def test_a_contact_without_the_billing_area_sees_no_invoices(client, app, company, books):
    with app.app_context():
        hiring = make_member(company.id, areas=("hiring",), first_name="Hana", last_name="Ong")
    sign_in(client, hiring.username)
    dashboard = page(client, "/portal/")
    assert "/portal/invoices" not in dashboard
    for url in [
        "/portal/invoices",
        "/portal/statement",
        f"/portal/invoices/{books.open[0]}",
        f"/portal/invoices/{books.open[0]}.pdf",
        f"/portal/payments/{books.paid_payment}/receipt",
    ]:
        body = page(client, url, 403)
        for _id, number in (books.open, books.overdue, books.paid, books.usd):
            assert number not in body
        assert "25,000.00" not in body


def test_the_nav_links_the_invoices_for_a_finance_contact(signed_in):
    assert 'href="/portal/invoices"' in page(signed_in, "/portal/")


def test_the_dashboard_card_shows_what_is_open_and_overdue(signed_in):
    body = page(signed_in, "/portal/")
    card = body[body.index('id="billing-card"') :]
    assert "PHP 35,000.00 open" in card and "PHP 10,000.00 overdue" in card
    assert "USD 1,500.00 open" in card and "Coming soon" not in body


def test_totals_do_not_count_another_clients_invoices(signed_in, books, app, other_company):
    with app.app_context():
        known_rates()
        zenith = db.session.get(Client, other_company.id)
        issued_invoice(zenith, lines=[("Zenith USD work", "4321.00")], currency="USD")
    body = page(signed_in, "/portal/invoices")
    assert "USD 1,500.00" in body and "4,321.00" not in body


def test_the_list_and_an_invoice_page_take_as_many_queries_whatever_the_data(
    signed_in, books, app, company
):
    def queries(url: str) -> int:
        statements = []

        def listener(*args):
            statements.append(args[2])

        with app.app_context():
            event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert signed_in.get(url).status_code == 200
        finally:
            with app.app_context():
                event.remove(db.engine, "before_cursor_execute", listener)
        return len(statements)

    pages = ["/portal/invoices?status=all", f"/portal/invoices/{books.open[0]}"]
    few = [queries(url) for url in pages]
    with app.app_context():
        acme = db.session.get(Client, company.id)
        invoice = db.session.get(Invoice, books.open[0])
        for number in range(6):
            issued_invoice(acme, lines=[(f"More work {number}", "100.00"), ("Travel", "50.00")])
            invoice.register_payment(Decimal("10.00"), "cheque")
        db.session.commit()
    assert [queries(url) for url in pages] == few
