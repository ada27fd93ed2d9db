"""Invoices in the REST API: a draft created with lines, changed and its lines added and
removed; listed with filters and read with lines and amounts; issued (numbered, due date
set), voided, credited (a draft credit note, itself issued) and disputed through their
endpoints; every bad input a 4xx naming the field (never a 500); another client's invoice a
404; the role matrix (Finance all, Account Manager read and draft, Recruiter nothing); JWT
only."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from extensions import db
from models import Client, Invoice
from tests.admin.test_recruiting_api_access import counted_queries
from tests.conftest import api_for, login_staff
from tests.factories import (
    ClientContactFactory,
    ClientFactory,
    draft_invoice,
    issued_invoice,
    known_rates,
    make_user,
)

API = "/api/v1/invoice/"
YEAR = date.today().year


@pytest.fixture
def world(app):
    """Finance; an account manager owning one client; a client they do not work on."""
    with app.app_context():
        known_rates()
        finance = make_user("Finance")
        manager = make_user("Account Manager")
        recruiter = make_user("Recruiter")
        client = ClientFactory(owner=manager, name="Acme Robotics")
        other = ClientFactory(name="Hidden Corp")
        db.session.commit()
        return {
            "finance": finance.username,
            "manager": manager.username,
            "recruiter": recruiter.username,
            "client": client.id,
            "other": other.id,
        }


@pytest.fixture
def api(app, world):
    return api_for(app, world["finance"])


def new_draft(client_id: int, **extra) -> dict:
    return {
        "clientId": client_id,
        "notes": "Thank you for your business.",
        "lines": [
            {
                "kind": "placement_fee",
                "description": "Placement fee: 20% of the annual salary",
                "unitPrice": "100000",
                "percent": "20",
            }
        ],
        **extra,
    }


def created(api, world, **extra) -> dict:
    response = api("POST", API, new_draft(world["client"], **extra))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def errors(response) -> dict:
    return response.get_json()["message"]


# ---------------------------------------------------------------- drafts


def test_a_draft_is_created_with_its_lines_and_totals(api, world):
    answer = created(api, world)
    result = answer["result"]
    assert (result["status"], result["number"], result["clientName"]) == (
        "draft",
        None,
        "Acme Robotics",
    )
    (line,) = result["lines"]
    assert (line["kind"], line["amount"], line["unitPrice"]) == (
        "placement_fee",
        "20000.00",
        "100000.00",
    )
    # The factory's client is Local in PHP: 12% VAT on 20,000.
    assert (result["currency"], result["subtotal"], result["taxAmount"], result["total"]) == (
        "PHP",
        "20000.00",
        "2400.00",
        "22400.00",
    )
    assert result["createdBy"]["id"] is not None


def test_a_draft_is_changed_and_its_lines_added_and_removed(api, world):
    pk = created(api, world)["id"]
    changed = api("PUT", f"{API}{pk}", {"taxRate": "0", "taxNote": "Zero-rated export"})
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["result"]["total"] == "20000.00"
    added = api(
        "POST",
        f"{API}{pk}/lines",
        {"kind": "expense", "description": "Travel", "unitPrice": "500.50", "quantity": "2"},
    )
    assert added.status_code == 201, added.get_json()
    lines = added.get_json()["result"]["lines"]
    assert [line["amount"] for line in lines] == ["20000.00", "1001.00"]
    assert added.get_json()["result"]["total"] == "21001.00"
    removed = api("DELETE", f"{API}{pk}/lines/{lines[0]['id']}")
    assert removed.status_code == 200
    result = removed.get_json()["result"]
    assert [(line["position"], line["description"]) for line in result["lines"]] == [(1, "Travel")]
    assert result["total"] == "1001.00"


@pytest.mark.parametrize(
    "body, field",
    [
        ({"clientId": "abc"}, "clientId"),
        ({"clientId": None}, "clientId"),
        ({}, "clientId"),
        ({"taxRate": "abc"}, "taxRate"),
        ({"taxRate": "NaN"}, "taxRate"),
        ({"taxRate": "150"}, "taxRate"),
        ({"currency": "DOLLARS"}, "currency"),
        ({"currency": "XYZ"}, "currency"),
        ({"lines": [{"description": "Fee", "unitPrice": "abc"}]}, "lines.0.unitPrice"),
        ({"lines": [{"description": "Fee", "unitPrice": "Infinity"}]}, "lines.0.unitPrice"),
        ({"lines": [{"unitPrice": "10"}]}, "lines.0.description"),
        ({"lines": [{"description": "  ", "unitPrice": "10"}]}, "lines.0.description"),
        ({"lines": [{"description": "Fee", "unitPrice": "1", "kind": "bonus"}]}, "lines.0.kind"),
        (
            {"lines": [{"description": "Fee", "unitPrice": "1", "quantity": "0"}]},
            "lines.0.quantity",
        ),
        (
            {"lines": [{"description": "Fee", "unitPrice": "1", "percent": "101"}]},
            "lines.0.percent",
        ),
    ],
)
def test_a_bad_draft_is_a_422_naming_the_field(api, world, body, field):
    payload = {"clientId": world["client"], **body}
    if not body:
        payload = {}
    response = api("POST", API, payload)
    assert response.status_code == 422, response.get_json()
    assert field in errors(response)


def test_a_body_that_is_not_an_object_is_a_400(api):
    assert api("POST", API, ["not", "an", "object"]).status_code == 400


def test_a_bad_line_is_a_422_naming_the_field(api, world):
    pk = created(api, world)["id"]
    for body, field in [
        ({"description": "Fee", "unitPrice": "abc"}, "unitPrice"),
        ({"description": "Fee", "unitPrice": "-1"}, "unitPrice"),
        ({"description": "Fee", "unitPrice": "1.005"}, "unitPrice"),
        ({"description": "Fee"}, "unitPrice"),
    ]:
        response = api("POST", f"{API}{pk}/lines", body)
        assert response.status_code == 422, (body, response.get_json())
        assert field in errors(response)


def test_a_draft_for_a_client_you_do_not_see_is_a_404(app, world):
    manager = api_for(app, world["manager"])
    response = manager("POST", API, new_draft(world["other"]))
    assert response.status_code == 404
    assert manager("POST", API, new_draft(world["client"])).status_code == 201


# ---------------------------------------------------------------- reading


def test_the_list_filters_by_client_status_and_overdue(app, api, world):
    with app.app_context():
        acme = db.session.get(Client, world["client"])
        late = issued_invoice(acme, on=date.today() - timedelta(days=90))  # due after 30
        draft_invoice(acme)
        issued_invoice(db.session.get(Client, world["other"]))
        late_id = late.id
    everything = api("GET", API).get_json()
    assert everything["count"] == 3
    mine = api("GET", f"{API}?client_id={world['client']}").get_json()
    assert mine["count"] == 2
    overdue = api("GET", f"{API}?overdue=true").get_json()
    assert overdue["ids"] == [late_id]
    drafts = api("GET", f"{API}?status=draft").get_json()
    assert [row["status"] for row in drafts["result"]] == ["draft"]
    for bad in ("status=lost", "client_id=abc", "overdue=maybe"):
        response = api("GET", f"{API}?{bad}")
        assert response.status_code == 400
        assert bad.split("=")[0] in errors(response)


def test_another_clients_invoice_is_a_404_to_an_account_manager(app, world):
    with app.app_context():
        hidden = issued_invoice(db.session.get(Client, world["other"]))
        hidden_id, hidden_number = hidden.id, hidden.number
    manager = api_for(app, world["manager"])
    assert manager("GET", f"{API}{hidden_id}").status_code == 404
    listing = manager("GET", API)
    assert hidden_number not in listing.get_data(as_text=True)
    assert manager("GET", f"{API}{2**31}").status_code == 404


# ---------------------------------------------------------------- the steps


def test_issuing_numbers_the_draft_and_sets_its_due_date(api, world):
    pk = created(api, world)["id"]
    response = api("POST", f"{API}{pk}/issue")
    assert response.status_code == 200, response.get_json()
    result = response.get_json()["result"]
    assert result["number"] == f"INV-{YEAR}-00001"
    assert result["status"] == "issued"
    assert result["issueDate"] == date.today().isoformat()
    assert result["dueDate"] >= result["issueDate"]
    assert result["exchangeRate"] == "0.01750000"
    assert result["inBaseCurrency"] == "392.00"  # 22,400 PHP × 0.0175
    again = api("POST", f"{API}{pk}/issue")
    assert again.status_code == 409
    assert "status" in errors(again)
    changed = api("PUT", f"{API}{pk}", {"notes": "Changed after issue"})
    assert changed.status_code == 409


def test_a_draft_without_lines_cannot_be_issued(api, world):
    pk = created(api, world, lines=[])["id"]
    response = api("POST", f"{API}{pk}/issue")
    assert response.status_code == 422
    assert "lines" in errors(response)


def test_voiding_needs_a_reason_and_keeps_the_number(api, world):
    pk = created(api, world)["id"]
    api("POST", f"{API}{pk}/issue")
    missing = api("POST", f"{API}{pk}/void", {})
    assert missing.status_code == 422 and "reason" in errors(missing)
    voided = api("POST", f"{API}{pk}/void", {"reason": "Issued to the wrong entity"})
    assert voided.status_code == 200
    result = voided.get_json()["result"]
    assert (result["status"], result["number"], result["balance"]) == (
        "void",
        f"INV-{YEAR}-00001",
        "0.00",
    )
    assert api("POST", f"{API}{pk}/void", {"reason": "Again"}).status_code == 409


def test_a_drafts_header_is_refused_beside_the_field_the_model_names(api, world):
    pk = created(api, world)["id"]
    for body, field in [
        ({"businessUnit": "Catering"}, "businessUnit"),
        ({"exchangeRate": "10000000000"}, "exchangeRate"),
    ]:
        bad = api("PUT", f"{API}{pk}", body)
        assert bad.status_code == 422 and field in errors(bad), bad.get_json()
    assert api("GET", f"{API}{pk}").get_json()["result"]["businessUnit"] is None
    api("POST", f"{API}{pk}/issue")
    late = api("PUT", f"{API}{pk}", {"notes": "Too late"})
    assert late.status_code == 409


def test_a_credit_note_for_zero_is_refused(api, world):
    pk = created(api, world)["id"]
    api("POST", f"{API}{pk}/issue")
    zero = api("POST", f"{API}{pk}/credit-note", {"reason": "Fee", "amount": "0"})
    assert zero.status_code == 422 and "amount" in errors(zero)


def test_a_credit_note_is_drafted_then_issued_and_lowers_the_balance(api, world):
    pk = created(api, world)["id"]
    api("POST", f"{API}{pk}/issue")
    for body, field in [({}, "reason"), ({"reason": "Fee", "amount": "abc"}, "amount")]:
        bad = api("POST", f"{API}{pk}/credit-note", body)
        assert bad.status_code == 422 and field in errors(bad)
    too_much = api("POST", f"{API}{pk}/credit-note", {"reason": "Fee", "amount": "999999"})
    assert too_much.status_code == 422 and "amount" in errors(too_much)
    drafted = api("POST", f"{API}{pk}/credit-note", {"reason": "Fee reduced", "amount": "1000"})
    assert drafted.status_code == 201, drafted.get_json()
    note = drafted.get_json()["result"]
    assert (note["kind"], note["status"], note["creditedInvoiceId"]) == ("credit_note", "draft", pk)
    assert note["total"] == "1120.00"  # 1,000 + 12% VAT
    issued = api("POST", f"{API}{note['id']}/issue")
    assert issued.status_code == 200, issued.get_json()
    assert issued.get_json()["result"]["number"] == f"CN-{YEAR}-00001"
    invoice = api("GET", f"{API}{pk}").get_json()["result"]
    assert (invoice["status"], invoice["amountCredited"], invoice["balance"]) == (
        "partially_paid",
        "1120.00",
        "21280.00",  # 22,400 − 1,120
    )
    assert [ref["number"] for ref in invoice["creditNotes"]] == [f"CN-{YEAR}-00001"]


def test_a_draft_cannot_be_credited(api, world):
    pk = created(api, world)["id"]
    response = api("POST", f"{API}{pk}/credit-note", {"reason": "Fee reduced"})
    assert response.status_code == 409


def test_a_dispute_is_recorded_and_resolved(api, world):
    pk = created(api, world)["id"]
    assert api("POST", f"{API}{pk}/dispute", {"reason": "Wrong fee"}).status_code == 409
    api("POST", f"{API}{pk}/issue")
    missing = api("POST", f"{API}{pk}/dispute", {"reason": " "})
    assert missing.status_code == 422 and "reason" in errors(missing)
    disputed = api("POST", f"{API}{pk}/dispute", {"reason": "The candidate left in week 1"})
    assert disputed.status_code == 200
    result = disputed.get_json()["result"]
    assert result["disputeReason"] == "The candidate left in week 1"
    assert result["disputedAt"] is not None
    resolved = api("POST", f"{API}{pk}/resolve-dispute")
    assert resolved.status_code == 200 and resolved.get_json()["result"]["disputedAt"] is None


# ---------------------------------------------------------------- who may


@pytest.mark.parametrize(
    "role, read, draft, issue",
    [
        ("Finance", True, True, True),
        ("Admin", True, True, True),
        ("Account Manager", True, True, False),
        ("Recruiter", False, False, False),
    ],
)
def test_the_role_matrix(app, world, role, read, draft, issue):
    with app.app_context():
        user = make_user(role)
        client = ClientFactory(owner=user if role == "Account Manager" else None)
        pk = draft_invoice(client).id
        client_id, username = client.id, user.username
    call = api_for(app, username)
    assert call("GET", f"{API}{pk}").status_code == (200 if read else 403)
    assert call("GET", API).status_code == (200 if read else 403)
    assert call("POST", API, new_draft(client_id)).status_code == (201 if draft else 403)
    assert call("POST", f"{API}{pk}/issue").status_code == (200 if issue else 403)


def test_a_browser_session_alone_does_not_reach_the_api(app, world):
    browser = app.test_client()
    login_staff(browser, world["finance"])
    assert browser.get(API).status_code == 401
    assert browser.post(API, json=new_draft(world["client"])).status_code == 401
    with app.app_context():
        assert db.session.query(Invoice).count() == 0


def test_the_list_runs_as_many_queries_for_many_invoices_as_for_one(app, api, world):
    with app.app_context():
        acme = db.session.get(Client, world["client"])
        first = issued_invoice(acme)
        first.register_payment("100.00", "bank_transfer")
        db.session.commit()
    api("GET", API)  # warm up (the user and their roles)
    with counted_queries(app) as one:
        assert api("GET", API).get_json()["count"] == 1
    with app.app_context():
        acme = db.session.get(Client, world["client"])
        for _ in range(4):
            invoice = issued_invoice(acme)
            invoice.register_payment("100.00", "bank_transfer")
            db.session.commit()
    with counted_queries(app) as five:
        assert api("GET", API).get_json()["count"] == 5
    assert len(one) == len(five)


def test_the_openapi_spec_documents_the_billing_endpoints(api):
    spec = api("GET", "/api/v1/_openapi")
    assert spec.status_code == 200
    paths = spec.get_json()["paths"]
    for path, method in (
        ("/invoice/", "post"),
        ("/invoice/{pk}", "put"),
        ("/invoice/{pk}/lines", "post"),
        ("/invoice/{pk}/lines/{line_id}", "delete"),
        ("/invoice/{pk}/issue", "post"),
        ("/invoice/{pk}/void", "post"),
        ("/invoice/{pk}/credit-note", "post"),
        ("/invoice/{pk}/dispute", "post"),
        ("/payment/", "post"),
        ("/payment/history/{client_id}", "get"),
        ("/aging/", "get"),
    ):
        assert method in paths[f"/api/v1{path}"], path


def test_an_issued_invoice_is_sent_again_by_finance_only(app, api, world):
    from models.messaging import OutboxMessage

    with app.app_context():
        acme = db.session.get(Client, world["client"])
        ClientContactFactory(client=acme, contact__email="ap@acme.test", can_billing=True)
        draft, pk = draft_invoice(acme).id, issued_invoice(acme).id
    assert api("POST", f"{API}{draft}/resend").status_code == 409
    manager = api_for(app, world["manager"])
    assert manager("POST", f"{API}{pk}/resend").status_code == 403
    assert api("POST", f"{API}999999/resend").status_code == 404
    response = api("POST", f"{API}{pk}/resend")
    assert response.status_code == 200, response.get_json()
    kind = response.get_json()["kind"]
    assert kind.startswith(f"invoice:{pk}:again:")
    with app.app_context():
        sent = db.session.scalars(db.select(OutboxMessage).where(OutboxMessage.kind == kind))
        assert [(m.to_email, m.status) for m in sent] == [("ap@acme.test", "stored")]
