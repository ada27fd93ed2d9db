"""The staff's invoice pages: Finance drafts an invoice, adds lines and issues it (numbered);
payments move its status and an overpayment becomes client credit; a credit note is drafted
and issued from the page; void needs a reason; bad input re-renders the form with the value
and the field's message and changes nothing; the roles see what the matrix gives them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from extensions import db
from models import ClientCredit, Invoice, Payment
from tests.admin.test_permissions import signed_in
from tests.conftest import csrf_token
from tests.factories import (
    ClientContactFactory,
    ClientFactory,
    draft_invoice,
    issued_invoice,
    known_rates,
)

YEAR = date.today().year


@pytest.fixture
def client_id(app):
    with app.app_context():
        known_rates()
        return ClientFactory(name="Acme Robotics").id


def desk(app, role, client_id):
    """(http, post) for a user of ``role`` on the client's team, signed in."""
    http, _ = signed_in(app, role, client_id)
    token = csrf_token(http, "/resetmypassword/form")

    def post(path, **data):
        return http.post(path, data={**data, "csrf_token": token})

    return http, post


@pytest.fixture
def finance(app, client_id):
    return desk(app, "Finance", client_id)


def load(pk) -> Invoice:
    db.session.remove()
    return db.session.get(Invoice, pk)


def issued(app, client_id) -> int:
    with app.app_context():
        from models import Client

        return issued_invoice(db.session.get(Client, client_id)).id


def pay(post, pk, amount, **fields):
    data = {
        "payment-amount": amount,
        "payment-method": "bank_transfer",
        "payment-received_on": date.today().isoformat(),
        "payment-reference": "BDO-123",
        **fields,
    }
    return post(f"/paymentview/register/{pk}", **data)


# ---------------------------------------------------------------- the whole path


def test_finance_drafts_adds_lines_and_issues_an_invoice(app, client_id, finance):
    http, post = finance
    response = post(
        "/invoiceview/add",
        client=str(client_id),
        business_unit="Permanent",
        currency="",
        tax_rate="",
        notes="Q3 placements",
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    pk = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    line = {
        "line-kind": "placement_fee",
        "line-description": "Placement fee: VP Engineering",
        "line-quantity": "1",
        "line-unit_price": "100000",
        "line-percent": "20",
        "line-taxable": "y",
    }
    assert post(f"/invoiceview/lines/{pk}/add", **line).status_code == 302
    extra = {**line, "line-kind": "expense", "line-description": "Ads", "line-percent": ""}
    assert (
        post(f"/invoiceview/lines/{pk}/add", **{**extra, "line-unit_price": "500"}).status_code
        == 302
    )
    with app.app_context():
        invoice = load(pk)
        assert (invoice.currency, invoice.tax_rate) == ("PHP", Decimal("12.00"))
        assert invoice.business_unit == "Permanent"
        assert invoice.total == Decimal("22960.00")  # (20,000 + 500) × 1.12
        removed = invoice.lines[1].id
    assert post(f"/invoiceview/lines/{removed}/remove").status_code == 302

    assert post(f"/invoiceview/issue/{pk}").status_code == 302
    html = http.get(f"/invoiceview/show/{pk}").get_data(as_text=True)
    assert f"INV-{YEAR}-00001" in html
    assert "22,400.00" in html
    with app.app_context():
        invoice = load(pk)
        assert invoice.status == "issued" and invoice.exchange_rate == Decimal("0.0175")
    assert f"INV-{YEAR}-00001" in http.get("/invoiceview/list/").get_data(as_text=True)


def test_a_partial_payment_then_the_rest_settles_the_invoice(app, client_id, finance):
    http, post = finance
    pk = issued(app, client_id)
    assert pay(post, pk, "10000").status_code == 302
    with app.app_context():
        invoice = load(pk)
        assert (invoice.status, invoice.balance) == ("partially_paid", Decimal("12400.00"))
    assert pay(post, pk, "12400.00").status_code == 302
    with app.app_context():
        invoice = load(pk)
        assert (invoice.status, invoice.balance) == ("paid", Decimal("0.00"))
    html = http.get(f"/invoiceview/show/{pk}").get_data(as_text=True)
    assert "paid" in html and "BDO-123" in html
    assert 'id="payment"' not in html  # nothing left to pay


def test_an_overpayment_shows_as_client_credit(app, client_id, finance):
    http, post = finance
    pk = issued(app, client_id)
    assert pay(post, pk, "23000").status_code == 302
    with app.app_context():
        from models import Client

        assert ClientCredit.balances(db.session.get(Client, client_id)) == {"PHP": Decimal("600")}
    tab = http.get(f"/clientview/show/{client_id}").get_data(as_text=True)
    assert 'id="billing-credit-PHP">PHP 600.00' in tab
    listed = http.get("/paymentview/list/").get_data(as_text=True)
    assert "23,000.00" in listed and "600.00" in listed


def test_client_credit_is_applied_to_another_invoice(app, client_id, finance):
    http, post = finance
    first, second = issued(app, client_id), issued(app, client_id)
    pay(post, first, "23000")
    assert "Apply client credit" in http.get(f"/invoiceview/show/{second}").get_data(as_text=True)
    assert (
        post(f"/paymentview/apply_credit/{second}", **{"credit-amount": "600"}).status_code == 302
    )
    with app.app_context():
        assert load(second).balance == Decimal("21800.00")


def test_a_credit_note_is_drafted_and_issued_from_the_page(app, client_id, finance):
    http, post = finance
    pk = issued(app, client_id)
    response = post(
        f"/invoiceview/credit_note/{pk}", **{"note-reason": "Fee reduced", "note-amount": "1000"}
    )
    assert response.status_code == 302
    note_pk = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    assert note_pk != pk
    assert post(f"/invoiceview/issue/{note_pk}").status_code == 302
    assert f"CN-{YEAR}-00001" in http.get(f"/invoiceview/show/{note_pk}").get_data(as_text=True)
    with app.app_context():
        invoice = load(pk)
        assert invoice.amount_credited == Decimal("1120.00")
        assert (invoice.status, invoice.balance) == ("partially_paid", Decimal("21280.00"))
    assert f"CN-{YEAR}-00001" in http.get(f"/invoiceview/show/{pk}").get_data(as_text=True)


def test_void_needs_a_reason(app, client_id, finance):
    http, post = finance
    pk = issued(app, client_id)
    response = post(f"/invoiceview/void/{pk}", **{"void-reason": "  "})
    assert response.status_code == 422
    assert "Give the reason for voiding." in response.get_data(as_text=True)
    with app.app_context():
        assert load(pk).status == "issued"
    assert post(f"/invoiceview/void/{pk}", **{"void-reason": "Raised twice"}).status_code == 302
    with app.app_context():
        invoice = load(pk)
        assert (invoice.status, invoice.reason) == ("void", "Raised twice")


def test_a_paid_invoice_cannot_be_voided(app, client_id, finance):
    _, post = finance
    pk = issued(app, client_id)
    pay(post, pk, "100")
    response = post(f"/invoiceview/void/{pk}", **{"void-reason": "Mistake"})
    assert response.status_code == 422
    assert "issue a credit note instead" in response.get_data(as_text=True)
    with app.app_context():
        assert load(pk).status == "partially_paid"


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "amount, message",
    [
        ("abc", "Amount must be a number such as 1250.00."),
        ("0", "Amount must be more than 0"),
        ("10.123", "Amount may have at most 2 decimals in PHP."),
        ("-5", "Amount must be more than 0"),
    ],
)
def test_a_bad_payment_amount_is_refused_beside_the_field(app, client_id, finance, amount, message):
    _, post = finance
    pk = issued(app, client_id)
    response = pay(post, pk, amount)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html
    assert f'value="{amount}"' in html and 'value="BDO-123"' in html
    with app.app_context():
        assert db.session.query(Payment).count() == 0
        assert load(pk).balance == Decimal("22400.00")


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("line-percent", "150", "Percent must be more than 0 and at most 100."),
        ("line-unit_price", "abc", "Unit price must be a number"),
        ("line-description", "", "Description is required."),
        ("line-quantity", "0", "Quantity must be more than 0."),
    ],
)
def test_a_bad_line_is_refused_beside_the_field(app, client_id, finance, field, value, message):
    _, post = finance
    with app.app_context():
        from models import Client

        pk = draft_invoice(db.session.get(Client, client_id)).id
    line = {
        "line-kind": "placement_fee",
        "line-description": "Placement fee",
        "line-quantity": "1",
        "line-unit_price": "100000",
        "line-percent": "20",
        "line-taxable": "y",
        field: value,
    }
    response = post(f"/invoiceview/lines/{pk}/add", **line)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html
    assert f'value="{value}"' in html
    with app.app_context():
        assert len(load(pk).lines) == 1


def test_a_bad_header_re_renders_the_new_invoice_form(app, client_id, finance):
    _, post = finance
    response = post("/invoiceview/add", client=str(client_id), currency="XYZ", tax_rate="12")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Currency must be an ISO 4217 code" in html and 'value="XYZ"' in html
    with app.app_context():
        assert db.session.query(Invoice).count() == 0


def test_issuing_an_empty_draft_is_refused_with_the_reason(app, client_id, finance):
    http, post = finance
    with app.app_context():
        from models import Client

        pk = draft_invoice(db.session.get(Client, client_id), lines=[]).id
    post(f"/invoiceview/issue/{pk}")
    assert "has no lines" in http.get(f"/invoiceview/show/{pk}").get_data(as_text=True)
    with app.app_context():
        assert load(pk).status == "draft" and load(pk).number is None


# ---------------------------------------------------------------- roles


def test_a_recruiter_reaches_no_invoice_and_sees_no_finance_menu(app, client_id):
    pk = issued(app, client_id)
    http, post = desk(app, "Recruiter", client_id)
    for path in ("/invoiceview/list/", f"/invoiceview/show/{pk}", "/paymentview/list/"):
        response = http.get(path)
        assert response.status_code in (302, 403)
        if response.status_code == 302:
            follow = http.get(response.headers["Location"]).get_data(as_text=True)
            assert "Access is Denied" in follow
    assert pay(post, pk, "100").status_code in (302, 403)
    home = http.get("/").get_data(as_text=True)
    assert "/invoiceview/list/" not in home and "Finance" not in home
    with app.app_context():
        assert db.session.query(Payment).count() == 0
    tab = http.get(f"/clientview/show/{client_id}").get_data(as_text=True)
    assert 'id="client-billing"' not in tab


def test_an_account_manager_reads_invoices_but_cannot_issue_or_take_payments(app, client_id):
    with app.app_context():
        from models import Client

        draft = draft_invoice(db.session.get(Client, client_id)).id
    pk = issued(app, client_id)
    http, post = desk(app, "Account Manager", client_id)
    assert http.get("/invoiceview/list/").status_code == 200
    html = http.get(f"/invoiceview/show/{draft}").get_data(as_text=True)
    assert 'id="add-line"' in html and 'id="issue-invoice"' not in html
    assert 'id="payment"' not in http.get(f"/invoiceview/show/{pk}").get_data(as_text=True)
    assert post(f"/invoiceview/issue/{draft}").status_code in (302, 403)
    assert pay(post, pk, "100").status_code in (302, 403)
    with app.app_context():
        assert load(draft).status == "draft"
        assert db.session.query(Payment).count() == 0


def test_the_finance_menu_lists_its_pages(app, client_id, finance):
    http, _ = finance
    home = http.get("/invoiceview/list/").get_data(as_text=True)
    for path in (
        "/invoiceview/list/",
        "/paymentview/list/",
        "/exchangerateview/list/",
        "/holidayview/list/",
    ):
        assert f'href="{path}"' in home


def test_the_overdue_filter_keeps_open_invoices_past_due(app, client_id, finance):
    http, _ = finance
    with app.app_context():
        from models import Client

        client = db.session.get(Client, client_id)
        late = issued_invoice(client, on=date(2025, 1, 6))
        current = issued_invoice(client)
        late_number, current_number = late.number, current.number
    listed = http.get("/invoiceview/list/?_flt_4_due_date=y").get_data(as_text=True)
    assert late_number in listed and current_number not in listed
    assert "overdue" in listed


def test_a_dispute_needs_a_reason_and_is_resolved(app, client_id, finance):
    http, post = finance
    pk = issued(app, client_id)
    refused = post(f"/invoiceview/dispute/{pk}", **{"dispute-reason": ""})
    assert refused.status_code == 422
    assert "Give the reason for the dispute." in refused.get_data(as_text=True)
    assert (
        post(f"/invoiceview/dispute/{pk}", **{"dispute-reason": "Wrong salary"}).status_code == 302
    )
    html = http.get(f"/invoiceview/show/{pk}").get_data(as_text=True)
    assert 'id="invoice-disputed"' in html and "Wrong salary" in html
    assert post(f"/invoiceview/resolve_dispute/{pk}").status_code == 302
    with app.app_context():
        assert load(pk).disputed_at is None


def test_a_drafts_header_is_edited_and_an_issued_one_is_not(app, client_id, finance):
    http, post = finance
    with app.app_context():
        from models import Client

        draft = draft_invoice(db.session.get(Client, client_id)).id
    pk = issued(app, client_id)
    fields = {"business_unit": "Executive", "currency": "", "tax_rate": "0", "notes": "Reduced"}
    assert post(f"/invoiceview/edit/{draft}", **fields, exchange_rate="0.018").status_code == 302
    with app.app_context():
        invoice = load(draft)
        assert (invoice.business_unit, invoice.currency, invoice.tax_rate) == (
            "Executive",
            "PHP",
            Decimal("0.00"),
        )
        assert (invoice.total, invoice.exchange_rate) == (Decimal("20000.00"), Decimal("0.018"))
    refused = post(f"/invoiceview/edit/{draft}", **fields, exchange_rate="1e12")
    assert refused.status_code == 422 and "Exchange rate must be less than" in refused.get_data(
        as_text=True
    )
    response = http.get(f"/invoiceview/edit/{pk}")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/show/{pk}")


# page -> the roles that may open it (the matrix of admin/roles.py; everyone else: denied)
FINANCE_PAGES = {
    "/invoiceview/list/": {"Admin", "Account Manager", "Finance"},
    "/invoiceview/show/{invoice}": {"Admin", "Account Manager", "Finance"},
    "/invoiceview/add": {"Admin", "Account Manager", "Finance"},
    "/paymentview/list/": {"Admin", "Account Manager", "Finance"},
    "/paymentview/statement/{client}": {"Admin", "Account Manager", "Finance"},
    "/exchangerateview/list/": {"Admin", "Account Manager", "Finance"},
    "/exchangerateview/add": {"Admin", "Finance"},
    "/holidayview/list/": {"Admin", "Account Manager", "Finance"},
}


@pytest.mark.parametrize("role", ["Admin", "Account Manager", "Recruiter", "Finance", "Client"])
@pytest.mark.parametrize("path", FINANCE_PAGES)
def test_finance_pages_follow_the_matrix(app, client_id, role, path):
    ids = {"invoice": issued(app, client_id), "client": client_id}
    http, _ = signed_in(app, role, client_id)
    response = http.get(path.format(**ids))
    if role in FINANCE_PAGES[path]:
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
    elif role == "Client":
        assert response.status_code == 403
    else:
        assert response.status_code in (302, 403)
        follow = http.get(response.headers["Location"]) if response.status_code == 302 else None
        assert follow is None or "Access is Denied" in follow.get_data(as_text=True)


PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def test_the_pdf_link_shows_once_a_document_is_rendered(app, client_id, finance):
    http, _ = finance
    pk = issued(app, client_id)
    assert 'id="invoice-pdf"' not in http.get(f"/invoiceview/show/{pk}").get_data(as_text=True)
    assert http.get(f"/invoiceview/document/{pk}").status_code == 404
    with app.app_context():
        from models import Client, ClientDocument

        ClientDocument.action_store_generated(
            db.session.get(Client, client_id),
            PDF,
            "invoice.pdf",
            "Invoice",
            "other",
            False,
            f"invoice:{pk}",
        )
        db.session.commit()
    assert 'id="invoice-pdf"' in http.get(f"/invoiceview/show/{pk}").get_data(as_text=True)
    response = http.get(f"/invoiceview/document/{pk}")
    assert response.status_code == 200 and response.data == PDF
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def _sent_again(pk) -> list:
    from models.messaging import OutboxMessage

    db.session.remove()
    return db.session.scalars(
        db.select(OutboxMessage).where(OutboxMessage.kind.like(f"invoice:{pk}:again:%"))
    ).all()


def test_finance_sends_an_issued_invoice_again_to_its_billing_contacts(app, client_id, finance):
    http, post = finance
    with app.app_context():
        from models import Client

        client = db.session.get(Client, client_id)
        ClientContactFactory(client=client, contact__email="ap@acme.test", can_billing=True)
        draft = draft_invoice(client).id
        db.session.commit()
    pk = issued(app, client_id)
    assert 'id="send-again"' not in http.get(f"/invoiceview/show/{draft}").get_data(as_text=True)
    assert 'id="send-again"' in http.get(f"/invoiceview/show/{pk}").get_data(as_text=True)
    response = post(f"/invoiceview/send_again/{pk}")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/show/{pk}")
    assert "being sent again" in http.get(f"/invoiceview/show/{pk}").get_data(as_text=True)
    with app.app_context():
        sent = _sent_again(pk)
        assert [(m.to_email, m.status) for m in sent] == [("ap@acme.test", "stored")]
    post(f"/invoiceview/send_again/{draft}")
    assert "only an issued invoice is sent" in http.get(f"/invoiceview/show/{draft}").get_data(
        as_text=True
    )
    with app.app_context():
        assert _sent_again(draft) == []


def test_an_account_manager_cannot_send_an_invoice_again(app, client_id):
    with app.app_context():
        from models import Client

        client = db.session.get(Client, client_id)
        ClientContactFactory(client=client, contact__email="ap@acme.test", can_billing=True)
        db.session.commit()
    pk = issued(app, client_id)
    http, post = desk(app, "Account Manager", client_id)
    assert 'id="send-again"' not in http.get(f"/invoiceview/show/{pk}").get_data(as_text=True)
    assert post(f"/invoiceview/send_again/{pk}").status_code in (302, 403)
    with app.app_context():
        assert _sent_again(pk) == []
