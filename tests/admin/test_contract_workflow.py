"""The contract page's buttons: send, the two approval levels above the limit and their
refusals, reject, signature, renewal, termination, reopening and cancelling; and converting an
accepted quote from its page."""

from __future__ import annotations

import re

from extensions import db
from models import Client, ClientDocument, Quote
from tests.admin.test_permissions import staff_on_team
from tests.conftest import csrf_token
from tests.factories import accepted_quote, quote_with_lines

from .contract_desk import (
    BIG,
    block,
    desk_fixture,  # noqa: F401  (the ``desk`` fixture)
    follow,
    load,
    make_contract,
    page,
    signed_in,
)


def _buttons(html: str) -> set[str]:
    return set(re.findall(r'id="(\w+)-contract"', block(html, "contract-actions")))


def _admin(app, desk):
    with app.app_context():
        return signed_in(app, staff_on_team("Admin", desk["client"]).username)


def _in_approval(app, desk) -> int:
    pk = make_contract(app, desk, value=BIG)
    follow(desk, f"/contractview/submit/{pk}")
    return pk


# ---------------------------------------------------------------- sending


def test_the_page_offers_only_what_the_status_allows(app, desk):
    small, big = make_contract(app, desk), make_contract(app, desk, value=BIG)
    assert _buttons(page(desk, f"/contractview/show/{small}")) == {"edit", "send", "cancel"}
    html = page(desk, f"/contractview/show/{big}")
    assert _buttons(html) == {"edit", "submit", "cancel"}
    assert "an Account Manager, then an Admin" in block(html, "approval-note")


def test_a_contract_within_the_limit_is_sent_and_its_pdf_shown_to_the_client(app, desk):
    pk = make_contract(app, desk)
    html = follow(desk, f"/contractview/send/{pk}")
    assert "version 1 sent for signature." in html
    assert _buttons(html) == {"sign", "reopen", "cancel"}
    with app.app_context():
        assert load(pk).status == "sent"
        document = db.session.scalar(
            db.select(ClientDocument).where(
                ClientDocument.source == f"contract:{pk}", ClientDocument.archived_at.is_(None)
            )
        )
        assert document.visible_to_client


def test_a_contract_above_the_limit_is_not_sent_before_its_approvals(app, desk):
    pk = make_contract(app, desk, value=BIG)
    html = follow(desk, f"/contractview/send/{pk}")
    assert "an Account Manager and then an Admin must approve it before it is sent." in html
    with app.app_context():
        assert load(pk).status == "draft"


def test_a_contract_within_the_limit_is_not_submitted_for_approval(app, desk):
    pk = make_contract(app, desk)
    assert "send it without approval" in follow(desk, f"/contractview/submit/{pk}")


# ---------------------------------------------------------------- approval


def test_an_account_manager_then_an_admin_approve_before_it_is_sent(app, desk):
    pk = _in_approval(app, desk)
    html = follow(desk, f"/contractview/approve/{pk}", comment="Rates checked")
    assert "approval level 1 recorded; an Admin approves it next." in html
    with app.app_context():
        colleague = staff_on_team("Account Manager", desk["client"]).username
    refused = follow(desk, f"/contractview/approve/{pk}", http=signed_in(app, colleague))
    assert "Approval level 2 of" in refused and "needs an Admin." in refused
    admin = _admin(app, desk)
    html = follow(desk, f"/contractview/approve/{pk}", http=admin)
    assert "is approved: it may be sent for signature." in html
    approvals = block(html, "contract-approvals")
    assert "Rates checked" in approvals and approvals.count("<tr><td>") == 2
    assert "version 1 sent for signature." in follow(desk, f"/contractview/send/{pk}")


def test_the_same_admin_cannot_give_both_approvals(app, desk):
    pk = _in_approval(app, desk)
    admin = _admin(app, desk)
    follow(desk, f"/contractview/approve/{pk}", http=admin)
    html = follow(desk, f"/contractview/approve/{pk}", http=admin)
    assert "The second approval must come from someone other than the first approver." in html
    with app.app_context():
        assert load(pk).status == "in_approval"


def test_a_draft_is_not_approved(app, desk):
    pk = make_contract(app, desk, value=BIG)
    html = follow(desk, f"/contractview/approve/{pk}")
    assert "is draft; only a contract in approval is approved." in html


def test_a_rejection_needs_a_reason_and_sends_it_back_to_draft(app, desk):
    pk = _in_approval(app, desk)
    follow(desk, f"/contractview/approve/{pk}")
    assert "Give the reason for sending the contract back." in follow(
        desk, f"/contractview/reject/{pk}", reason=" "
    )
    html = follow(desk, f"/contractview/reject/{pk}", reason="Discount too deep")
    assert "is back in draft: Discount too deep" in html
    with app.app_context():
        contract = load(pk)
        assert contract.status == "draft" and contract.approvals == []


# ---------------------------------------------------------------- signature and after


def test_the_signature_needs_the_typed_full_name(app, desk):
    pk = make_contract(app, desk)
    follow(desk, f"/contractview/send/{pk}")
    html = follow(desk, f"/contractview/sign/{pk}", name="Ada")
    assert "Type the signatory&#39;s full name (first and last)." in html
    html = follow(desk, f"/contractview/sign/{pk}", name="Ada Lovelace", signed_on="2026-01-15")
    assert "signed by Ada Lovelace: it is active." in html
    assert _buttons(html) == {"renew", "terminate"}
    with app.app_context():
        contract = load(pk)
        assert contract.status == "active" and contract.signed_at.date().isoformat() == (
            "2026-01-15"
        )


def test_an_active_contract_renews_as_a_version_and_terminates_with_a_reason(app, desk):
    pk = make_contract(app, desk)
    follow(desk, f"/contractview/send/{pk}")
    follow(desk, f"/contractview/sign/{pk}", name="Ada Lovelace")
    html = follow(desk, f"/contractview/renew/{pk}")
    assert "(version 2)." in html and "Renewed for 12 months" in block(html, "contract-versions")
    assert "Give the reason." in follow(desk, f"/contractview/terminate/{pk}", reason="")
    html = follow(desk, f"/contractview/terminate/{pk}", reason="Client closed its office")
    assert "terminated." in html and "Client closed its office" in block(html, "contract-value")
    assert "No further action" in block(html, "contract-actions")


def test_a_sent_contract_is_reopened_then_cancelled_with_a_reason(app, desk):
    pk = make_contract(app, desk)
    follow(desk, f"/contractview/send/{pk}")
    html = follow(desk, f"/contractview/reopen/{pk}", reason="Longer guarantee")
    assert "is a draft again" in html and _buttons(html) == {"edit", "send", "cancel"}
    html = follow(desk, f"/contractview/cancel/{pk}", reason="Client went elsewhere")
    with app.app_context():
        assert (load(pk).status, load(pk).end_reason) == ("cancelled", "Client went elsewhere")
    assert "only an unsigned contract is cancelled" in follow(
        desk, f"/contractview/cancel/{pk}", reason="Again"
    )


# ---------------------------------------------------------------- converting a quote


def _accepted_quote(app, desk) -> int:
    with app.app_context():
        return accepted_quote(db.session.get(Client, desk["client"])).id


def test_an_accepted_quote_converts_from_its_page_to_a_contract_holding_its_lines(app, desk):
    quote_id = _accepted_quote(app, desk)
    quote_page = page(desk, f"/quoteview/show/{quote_id}")
    assert 'id="convert-quote"' in quote_page
    response = desk["http"].post(
        f"/contractview/from_quote/{quote_id}", data={"csrf_token": desk["token"]}
    )
    assert response.status_code == 302 and "/contractview/show/" in response.headers["Location"]
    html = desk["http"].get(response.headers["Location"]).get_data(as_text=True)
    assert "converted to contract" in html and "(version 1)" in html
    lines = block(html, "contract-lines")
    assert "VP of Engineering search" in lines and "Senior engineers" in lines
    assert f'href="/quoteview/show/{quote_id}"' in block(html, "contract-parties")
    with app.app_context():
        quote = db.session.get(Quote, quote_id)
        [version] = quote.contract.versions
        assert [line["description"] for line in version.lines] == [
            "VP of Engineering search",
            "Senior engineers",
        ]
        contract_id, number = quote.contract.id, quote.contract.number
    quote_page = page(desk, f"/quoteview/show/{quote_id}")
    assert 'id="convert-quote"' not in quote_page
    assert f'href="/contractview/show/{contract_id}"' in quote_page
    again = follow(desk, f"/contractview/from_quote/{quote_id}")
    assert f"was converted to {number} already." in again


def test_a_quote_not_accepted_is_not_converted(app, desk):
    with app.app_context():
        quote = quote_with_lines(db.session.get(Client, desk["client"]))
        quote_id = quote.id
    assert 'id="convert-quote"' not in page(desk, f"/quoteview/show/{quote_id}")
    html = follow(desk, f"/contractview/from_quote/{quote_id}")
    assert "is draft; only an accepted quote becomes a contract." in html
    with app.app_context():
        assert db.session.get(Quote, quote_id).contract is None


def test_another_clients_quote_is_not_converted(app, desk):
    with app.app_context():
        quote_id = accepted_quote(db.session.get(Client, desk["other"])).id
    response = desk["http"].post(
        f"/contractview/from_quote/{quote_id}", data={"csrf_token": desk["token"]}
    )
    assert response.status_code == 404
    with app.app_context():
        assert db.session.get(Quote, quote_id).contract is None


def test_finance_sees_no_convert_button_and_cannot_convert(app, desk):
    quote_id = _accepted_quote(app, desk)
    with app.app_context():
        finance = signed_in(app, staff_on_team("Finance", desk["client"]).username)
    assert 'id="convert-quote"' not in page(desk, f"/quoteview/show/{quote_id}", http=finance)
    token = csrf_token(finance, "/resetmypassword/form")
    response = finance.post(f"/contractview/from_quote/{quote_id}", data={"csrf_token": token})
    assert response.status_code == 403
    with app.app_context():
        assert db.session.get(Quote, quote_id).contract is None
