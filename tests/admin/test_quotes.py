"""The staff's quote pages: a new quote numbered as a draft, lines added and removed, Send,
a sent quote's edit refused, Revise keeping version 1 readable, and the daily expiry."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from admin.commands import cli
from extensions import db
from models import Client, Quote
from tests.admin.test_permissions import staff_on_team
from tests.conftest import csrf_token, login_staff
from tests.factories import ClientFactory

NEXT_MONTH = date.today() + timedelta(days=30)


@pytest.fixture
def desk(app):
    """An account manager on the team of a client; signed in."""
    with app.app_context():
        client = ClientFactory(name="Acme Robotics")
        other = ClientFactory(name="Hidden Corp")
        user = staff_on_team("Account Manager", client.id)
        ids = {"client": client.id, "other": other.id, "user": user.username, "user_id": user.id}
    http = app.test_client()
    assert login_staff(http, ids["user"]).status_code == 302
    ids["http"] = http
    ids["token"] = csrf_token(http, "/quoteview/add")
    return ids


def _post(desk, path, **data):
    return desk["http"].post(path, data={**data, "csrf_token": desk["token"]})


def _quote(pk) -> Quote:
    db.session.remove()
    return db.session.get(Quote, pk)


def _new_quote(desk, **fields) -> int:
    data = {
        "client": desk["client"],
        "title": "Executive search 2027",
        "currency": "USD",
        "discount_percent": "10",
        "tax_rate": "12",
        "payment_terms": "net_30",
        "replacement_guarantee_days": "90",
        "start_within_days": "",
        "valid_until": NEXT_MONTH.isoformat(),
        "terms": "Fees due on placement.",
        **fields,
    }
    response = _post(desk, "/quoteview/add", **data)
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def _add_line(desk, pk, description="VP of Engineering search", quantity="1", rate="75000"):
    return _post(
        desk,
        f"/quoteview/lines/{pk}/add",
        service_type="retained executive search",
        description=description,
        quantity=quantity,
        rate=rate,
    )


def _sent_quote(app, desk) -> int:
    pk = _new_quote(desk)
    _add_line(desk, pk)
    assert _post(desk, f"/quoteview/send/{pk}").status_code == 302
    return pk


def test_the_add_form_creates_a_numbered_draft(app, desk):
    pk = _new_quote(desk)
    with app.app_context():
        quote = _quote(pk)
        assert quote.number == f"Q-{date.today().year}-0001" and quote.version == 1
        assert quote.status == "draft" and quote.payment_terms == "net_30"


def test_a_refused_rule_re_renders_the_form_with_the_message_on_its_field(app, desk):
    response = _post(
        desk,
        "/quoteview/add",
        client=desk["client"],
        title="Keep this title",
        currency="USD",
        discount_percent="150",
        tax_rate="0",
        valid_until=NEXT_MONTH.isoformat(),
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Discount percent must be between 0 and 100." in page and "Keep this title" in page
    with app.app_context():
        assert db.session.query(Quote).count() == 0


def test_another_clients_quote_cannot_be_created(app, desk):
    response = _post(
        desk,
        "/quoteview/add",
        client=desk["other"],
        title="Sneaky",
        currency="USD",
        discount_percent="0",
        tax_rate="0",
        valid_until=NEXT_MONTH.isoformat(),
    )
    assert response.status_code == 422
    with app.app_context():
        assert db.session.query(Quote).count() == 0


def test_lines_added_show_with_the_totals(app, desk):
    pk = _new_quote(desk)
    assert _add_line(desk, pk).status_code == 302
    _add_line(desk, pk, "Senior engineers", "3", "12500.50")
    page = desk["http"].get(f"/quoteview/show/{pk}").get_data(as_text=True)
    assert "VP of Engineering search" in page and "Senior engineers" in page
    assert "USD 113,401.51" in page  # 112,501.50 less 10 %, plus 12 % tax


def test_a_bad_line_re_renders_the_page_naming_the_rule(app, desk):
    pk = _new_quote(desk)
    response = _add_line(desk, pk, quantity="0")
    assert response.status_code == 422
    assert "Quantity must be more than 0" in response.get_data(as_text=True)


def test_a_line_of_a_draft_is_removed(app, desk):
    pk = _new_quote(desk)
    _add_line(desk, pk)
    _add_line(desk, pk, "Senior engineers", "3", "12500.50")
    with app.app_context():
        first = _quote(pk).lines[0].id
    assert _post(desk, f"/quoteview/lines/{first}/remove").status_code == 302
    with app.app_context():
        lines = _quote(pk).lines
        assert [(line.description, line.position) for line in lines] == [("Senior engineers", 1)]


def test_sending_a_draft_marks_it_sent(app, desk):
    pk = _sent_quote(app, desk)
    with app.app_context():
        quote = _quote(pk)
        assert quote.status == "sent" and quote.sent_at is not None


def test_a_sent_quotes_edit_is_refused_with_revise_it(app, desk):
    pk = _sent_quote(app, desk)
    response = desk["http"].get(f"/quoteview/edit/{pk}", follow_redirects=True)
    assert "revise it to change it" in response.get_data(as_text=True)
    _post(desk, f"/quoteview/edit/{pk}", title="Changed", valid_until=NEXT_MONTH.isoformat())
    with app.app_context():
        assert _quote(pk).title == "Executive search 2027"


def test_a_sent_quotes_lines_are_not_added(app, desk):
    pk = _sent_quote(app, desk)
    _add_line(desk, pk, "Late addition")
    with app.app_context():
        assert [line.description for line in _quote(pk).lines] == ["VP of Engineering search"]


def test_revising_opens_version_2_and_keeps_version_1_readable(app, desk):
    pk = _sent_quote(app, desk)
    response = _post(desk, f"/quoteview/revise/{pk}")
    v2 = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    assert v2 != pk
    _add_line(desk, v2, "Extra engineers", "2", "10000")
    v1_page = desk["http"].get(f"/quoteview/show/{pk}").get_data(as_text=True)
    v1_lines = v1_page.split('id="quote-lines"')[1].split("</table>")[0]
    assert "VP of Engineering search" in v1_lines and "Extra engineers" not in v1_lines
    assert "USD 75,600.00" in v1_page  # 75,000 less 10 %, plus 12 %: version 1's total
    assert f'href="/quoteview/show/{v2}"' in v1_page
    v2_page = desk["http"].get(f"/quoteview/show/{v2}").get_data(as_text=True)
    assert "Extra engineers" in v2_page and f'href="/quoteview/show/{pk}"' in v2_page
    with app.app_context():
        assert (_quote(pk).status, _quote(v2).version) == ("revised", 2)


def test_another_clients_quote_is_404(app, desk):
    with app.app_context():
        hidden = Quote.action_create(
            db.session.get(Client, desk["other"]),
            title="Hidden",
            valid_until=NEXT_MONTH,
        )
        db.session.commit()
        pk = hidden.id
    assert desk["http"].get(f"/quoteview/show/{pk}").status_code == 404
    assert _post(desk, f"/quoteview/send/{pk}").status_code == 404
    assert "Hidden" not in desk["http"].get("/quoteview/list/").get_data(as_text=True)


def test_the_list_shows_reference_status_and_total(app, desk):
    pk = _new_quote(desk)
    _add_line(desk, pk)
    page = desk["http"].get("/quoteview/list/").get_data(as_text=True)
    assert f"Q-{date.today().year}-0001 v1" in page and "75,600.00" in page


def test_the_expire_command_expires_quotes_past_their_date(app, desk):
    pk = _sent_quote(app, desk)
    with app.app_context():
        db.session.execute(
            Quote.__table__.update()
            .where(Quote.id == pk)
            .values(valid_until=date.today() - timedelta(days=1))
        )
        db.session.commit()
    result = app.test_cli_runner().invoke(cli, ["expire-quotes"])
    assert result.exit_code == 0 and "1 quote(s) expired." in result.output
    with app.app_context():
        assert _quote(pk).status == "expired"


def test_the_quote_amounts_are_decimals(app, desk):
    pk = _new_quote(desk)
    _add_line(desk, pk, rate="0.10", quantity="3")
    with app.app_context():
        assert _quote(pk).subtotal == Decimal("0.30")


def test_a_draft_is_edited(app, desk):
    pk = _new_quote(desk)
    assert desk["http"].get(f"/quoteview/edit/{pk}").status_code == 200
    response = _post(
        desk,
        f"/quoteview/edit/{pk}",
        title="Executive search 2028",
        currency="EUR",
        discount_percent="5",
        tax_rate="20",
        payment_terms="net_45",
        valid_until=NEXT_MONTH.isoformat(),
    )
    assert response.status_code == 302
    with app.app_context():
        quote = _quote(pk)
        assert (quote.title, quote.currency, quote.payment_terms) == (
            "Executive search 2028",
            "EUR",
            "net_45",
        )


def test_sending_renders_the_pdf_on_the_clients_documents(app, desk):
    from models import ClientDocument

    pk = _sent_quote(app, desk)
    with app.app_context():
        document = db.session.scalar(
            db.select(ClientDocument).where(ClientDocument.source == f"quote:{pk}")
        )
        assert document is not None and document.type == "quote" and document.visible_to_client
        assert document.path.read_bytes().startswith(b"%PDF")
