"""The employer's quotes: the list, opening one, accepting with a name, declining with a reason.

Every quote URL is listed in ``QUOTE_ID_PATHS``, probed here with another client's quote (and
covered by the guard in ``test_isolation``).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from sqlalchemy import event, update

from extensions import db
from models import Client, Quote
from tests.conftest import csrf_token

from .conftest import make_member, sign_in

NEXT_MONTH = date.today() + timedelta(days=30)

# (method, path with {placeholders}, form data): every portal quote path that takes an id.
QUOTE_ID_PATHS = [
    ("GET", "/portal/quotes/{quote_id}", {}),
    ("GET", "/portal/quotes/{quote_id}.pdf", {}),
    ("POST", "/portal/quotes/{quote_id}/accept", {"name": "Pat Reyes"}),
    ("POST", "/portal/quotes/{quote_id}/decline", {"reason": "Too expensive"}),
]


def make_quote(company_id: int, title: str = "Executive search", send: bool = True, **fields):
    """A quote of the company with two lines, sent unless ``send`` is False (in a context)."""
    quote = Quote.action_create(
        db.session.get(Client, company_id),
        title=title,
        currency=fields.pop("currency", "USD"),
        valid_until=NEXT_MONTH,
        discount_percent=Decimal("10"),
        tax_rate=Decimal("12"),
        payment_terms="net_30",
        replacement_guarantee_days=90,
        start_within_days=14,
        terms="Fees are due on the candidate's start date.",
        **fields,
    )
    quote.add_line(
        "retained executive search", "VP of Engineering search", Decimal("1"), Decimal("75000")
    )
    quote.add_line("contingency recruitment", "Senior engineers", Decimal("3"), Decimal("12500.50"))
    db.session.commit()
    if send:
        quote.action_send()
        db.session.commit()
    return SimpleNamespace(id=quote.id, number=quote.number, reference=quote.reference)


def revise_and_send(quote_id: int) -> int:
    """Version 2 of the quote, sent; returns its id (in a context)."""
    new = db.session.get(Quote, quote_id).action_revise()
    db.session.commit()
    new.action_send()
    db.session.commit()
    return new.id


def expire(quote_id: int) -> None:
    """Move a sent quote's date into the past (the model refuses the edit itself; in a context)."""
    yesterday = date.today() - timedelta(days=1)
    db.session.execute(update(Quote).where(Quote.id == quote_id).values(valid_until=yesterday))
    db.session.commit()


def load(app, quote_id: int) -> Quote:
    with app.app_context():
        quote = db.session.get(Quote, quote_id)
        db.session.expunge(quote)
        return quote


@pytest.fixture
def signatory(app, company):
    """An Acme contact with the signatory area."""
    with app.app_context():
        return make_member(company.id, areas=("signatory",), first_name="Sam", last_name="Signer")


@pytest.fixture
def quote(app, company):
    with app.app_context():
        return make_quote(company.id)


@pytest.fixture
def signed_in(client, signatory):
    sign_in(client, signatory.username)
    return client


def post(client, url: str, **data):
    return client.post(url, data={**data, "csrf_token": csrf_token(client, "/portal/quotes")})


# ---------------------------------------------------------------- the list


def test_the_list_hides_drafts(app, company, signed_in, quote):
    with app.app_context():
        draft = make_quote(company.id, title="Volume hiring draft", send=False)
    body = signed_in.get("/portal/quotes").get_data(as_text=True)
    assert "Executive search" in body
    assert "Volume hiring draft" not in body
    assert draft.number not in body


def test_the_list_shows_status_total_and_valid_until(signed_in, quote):
    body = signed_in.get("/portal/quotes").get_data(as_text=True)
    assert "Awaiting your answer" in body
    assert "USD 113,401.51" in body
    assert NEXT_MONTH.strftime("%d %b %Y") in body


def test_a_revised_version_is_listed_after_the_new_one_as_replaced(app, signed_in, quote):
    with app.app_context():
        new_id = revise_and_send(quote.id)
    body = signed_in.get("/portal/quotes").get_data(as_text=True)
    assert "Replaced by v2" in body
    assert body.index(f'id="quote-{new_id}"') < body.index(f'id="quote-{quote.id}"')


def test_a_draft_answers_404(app, company, signed_in):
    with app.app_context():
        draft = make_quote(company.id, send=False)
    assert signed_in.get(f"/portal/quotes/{draft.id}").status_code == 404
    response = post(signed_in, f"/portal/quotes/{draft.id}/accept", name="Sam Signer")
    assert response.status_code == 404


def test_quotes_need_the_signatory_area(app, client, company, quote):
    with app.app_context():
        hirer = make_member(company.id, areas=("hiring",), first_name="Hal", last_name="Hirer")
    sign_in(client, hirer.username)
    assert client.get("/portal/quotes").status_code == 403
    assert client.get(f"/portal/quotes/{quote.id}").status_code == 403
    token = csrf_token(client, "/portal/")
    response = client.post(
        f"/portal/quotes/{quote.id}/accept", data={"name": "Hal Hirer", "csrf_token": token}
    )
    assert response.status_code == 403
    assert load(app, quote.id).status == "sent"


# ---------------------------------------------------------------- opening one


def test_opening_a_sent_quote_marks_it_viewed(app, signed_in, quote):
    response = signed_in.get(f"/portal/quotes/{quote.id}")
    assert response.status_code == 200
    viewed = load(app, quote.id)
    assert viewed.status == "viewed"
    assert viewed.viewed_at is not None


def test_the_quote_page_shows_lines_totals_and_terms(signed_in, quote):
    body = signed_in.get(f"/portal/quotes/{quote.id}").get_data(as_text=True)
    for text in (
        quote.number,
        "Retained executive search",
        "VP of Engineering search",
        "12,500.50",
        "37,501.50",
        "USD 112,501.50",
        "USD 11,250.15",
        "USD 12,150.16",
        "USD 113,401.51",
        "Net 30 days",
        "90 days",
        "14 days of acceptance",
        "Fees are due on the candidate",
    ):
        assert text in body


def test_an_earlier_version_stays_readable_and_links_to_the_current_one(app, signed_in, quote):
    with app.app_context():
        new_id = revise_and_send(quote.id)
    response = signed_in.get(f"/portal/quotes/{quote.id}")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "VP of Engineering search" in body
    assert f'href="/portal/quotes/{new_id}"' in body
    assert 'name="name"' not in body


# ---------------------------------------------------------------- accepting, declining


def test_accepting_records_the_name_time_and_ip(app, signed_in, signatory, quote):
    response = post(signed_in, f"/portal/quotes/{quote.id}/accept", name="  Sam   Signer ")
    assert response.status_code == 303
    accepted = load(app, quote.id)
    assert accepted.status == "accepted"
    assert accepted.accepted_name == "Sam Signer"
    assert accepted.accepted_ip == "127.0.0.1"
    assert accepted.accepted_at is not None
    body = signed_in.get(response.location).get_data(as_text=True)
    assert "Acceptance record" in body
    assert "Sam Signer" in body
    assert "127.0.0.1" in body
    assert accepted.accepted_at.strftime("%d %b %Y, %H:%M:%S") + " UTC" in body


def test_accepting_needs_a_full_name_shown_beside_the_field(app, signed_in, quote):
    response = post(signed_in, f"/portal/quotes/{quote.id}/accept", name="Sam")
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Your full name: Type your full name (first and last)" in body
    assert 'value="Sam"' in body
    assert load(app, quote.id).accepted_name is None


@pytest.mark.parametrize("verb", ["accept", "decline"])
def test_an_expired_quote_is_refused_with_a_clear_message(app, signed_in, quote, verb):
    with app.app_context():
        expire(quote.id)
    response = post(
        signed_in, f"/portal/quotes/{quote.id}/{verb}", name="Sam Signer", reason="Too late"
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f"{quote.reference} expired on" in body
    assert "Ask your account manager for a new version" in body
    unchanged = load(app, quote.id)
    assert unchanged.status == "sent"
    assert unchanged.accepted_name is None
    assert unchanged.decline_reason is None


def test_a_declined_quote_cannot_be_accepted(app, signed_in, quote):
    post(signed_in, f"/portal/quotes/{quote.id}/decline", reason="Budget frozen")
    response = post(signed_in, f"/portal/quotes/{quote.id}/accept", name="Sam Signer")
    assert response.status_code == 422
    assert f"{quote.reference} is declined; it can no longer be accepted." in response.get_data(
        as_text=True
    )
    unchanged = load(app, quote.id)
    assert unchanged.status == "declined"
    assert unchanged.accepted_name is None


def test_declining_keeps_the_reason(app, signed_in, quote):
    response = post(signed_in, f"/portal/quotes/{quote.id}/decline", reason="Budget frozen")
    assert response.status_code == 303
    declined = load(app, quote.id)
    assert (declined.status, declined.decline_reason) == ("declined", "Budget frozen")
    assert "Budget frozen" in signed_in.get(response.location).get_data(as_text=True)


def test_declining_needs_a_reason(app, signed_in, quote):
    response = post(signed_in, f"/portal/quotes/{quote.id}/decline", reason="  ")
    assert response.status_code == 422
    assert "Reason: Tell us why you decline the quote." in response.get_data(as_text=True)
    assert load(app, quote.id).status == "sent"


def test_answering_without_the_csrf_token_is_refused(app, signed_in, quote):
    response = signed_in.post(f"/portal/quotes/{quote.id}/accept", data={"name": "Sam Signer"})
    assert response.status_code == 400
    assert load(app, quote.id).status == "sent"


# ---------------------------------------------------------------- isolation


@pytest.fixture
def zenith_quote(app, other_company):
    with app.app_context():
        return make_quote(other_company.id, title="Zenith confidential search")


@pytest.mark.parametrize(("method", "path", "data"), QUOTE_ID_PATHS)
def test_another_clients_quote_answers_404_and_shows_nothing_of_it(
    app, signed_in, other_company, zenith_quote, method, path, data
):
    token = csrf_token(signed_in, "/portal/quotes")
    response = signed_in.open(
        path.format(quote_id=zenith_quote.id), method=method, data={**data, "csrf_token": token}
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 404
    for secret in (other_company.name, zenith_quote.number, "Zenith confidential search"):
        assert secret not in body
    assert load(app, zenith_quote.id).status == "sent"


def test_the_list_and_dashboard_show_nothing_of_another_clients_quotes(
    signed_in, other_company, zenith_quote, quote
):
    for url in ("/portal/quotes", "/portal/"):
        body = signed_in.get(url).get_data(as_text=True)
        assert "Executive search" in body
        for secret in (other_company.name, zenith_quote.number, "Zenith confidential search"):
            assert secret not in body


# ---------------------------------------------------------------- the dashboard card


def test_the_dashboard_counts_quotes_awaiting_an_answer(app, company, signed_in, quote):
    with app.app_context():
        make_quote(company.id, title="Contract staffing")
        make_quote(company.id, title="Still a draft", send=False)
        answered = make_quote(company.id, title="Already declined")
        db.session.get(Quote, answered.id).action_decline("No budget")
        db.session.commit()
    body = signed_in.get("/portal/").get_data(as_text=True)
    assert "2 quotes awaiting your answer." in body
    assert "Contract staffing" in body
    assert "Still a draft" not in body
    assert "Already declined" not in body


def test_the_dashboard_query_count_does_not_grow_with_quotes(app, company, signed_in):
    def count_queries() -> int:
        statements = []

        def listener(*_args):
            statements.append(1)

        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", listener)
        try:
            assert signed_in.get("/portal/").status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return len(statements)

    with app.app_context():
        make_quote(company.id)
    one = count_queries()
    with app.app_context():
        for n in range(4):
            make_quote(company.id, title=f"Search {n}")
    assert count_queries() == one


def test_a_quote_past_its_date_shows_expired_without_the_answer_forms(app, signed_in, quote):
    with app.app_context():
        expire(quote.id)
    listing = signed_in.get("/portal/quotes").get_data(as_text=True)
    page = signed_in.get(f"/portal/quotes/{quote.id}").get_data(as_text=True)
    assert "badge--quote-expired" in listing
    assert "Awaiting your answer" not in listing
    assert "This quote expired on" in page
    assert 'name="name"' not in page


# ---------------------------------------------------------------- the PDF


def test_the_pdf_of_a_sent_quote_downloads_with_its_number_and_total(app, signed_in, quote):
    import io

    import pypdf

    from jobs.documents import enqueue_document

    assert signed_in.get(f"/portal/quotes/{quote.id}.pdf").status_code == 404  # not rendered yet
    with app.app_context():
        enqueue_document("quote", quote.id)
    answer = signed_in.get(f"/portal/quotes/{quote.id}.pdf")
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(answer.data)).pages)
    assert quote.number in text and "113,401.51" in text
