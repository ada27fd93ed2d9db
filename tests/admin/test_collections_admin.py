"""Finance › Collection notices: the list with the seed's filters (a bad value named beside its
field), the notice page with its invoice, and its buttons: note, response, pause/resume,
close, escalate, bill late charges and upload (a refused file named, the values kept)."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from sqlalchemy import select

from extensions import db
from models import ClientDocument, CollectionNotice, Invoice
from tests.admin.collection_desk import overdue
from tests.conftest import csrf_token, login_staff
from tests.factories import ClientFactory, ProjectFactory, make_user
from tests.models.test_documents import ELF, pdf_bytes

LIST = "/collectionnoticeview/list/"


@pytest.fixture
def uploads(app, tmp_path):
    before = app.config["UPLOAD_FOLDER"]
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    yield tmp_path / "uploads"
    app.config["UPLOAD_FOLDER"] = before


@pytest.fixture
def desk(app, client):
    """Finance signed in; a level-2 notice of Acme (Executive, a project, flat fee 30) and a
    level-3 notice of Bolt (Permanent)."""
    with app.app_context():
        finance = make_user("Finance")
        acme = ClientFactory(
            name="Acme Robotics",
            location="Foreign",
            currency="EUR",
            late_fee_policy="flat",
            late_fee_amount=Decimal("30"),
        )
        bolt = ClientFactory(name="Bolt Logistics", location="Foreign", currency="EUR")
        project = ProjectFactory(client=acme, name="Robotics leadership search")
        acme_notice = overdue(acme, days=20, business_unit="Executive", project=project)
        bolt_notice = overdue(bolt, days=45, business_unit="Permanent")
        ids = {
            "acme": acme_notice.id,
            "bolt": bolt_notice.id,
            "acme_number": acme_notice.invoice.number,
            "bolt_number": bolt_notice.invoice.number,
            "project": project.id,
            "acme_client": acme.id,
        }
        username = finance.username
    login_staff(client, username)
    return ids


def listed(client, query: str = "") -> str:
    response = client.get(LIST + query)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def show_url(pk: int) -> str:
    return f"/collectionnoticeview/show/{pk}"


def post(client, pk: int, action: str, **form):
    token = csrf_token(client, show_url(pk))
    return client.post(f"/collectionnoticeview/{action}/{pk}", data={"csrf_token": token, **form})


def fresh(app, pk: int) -> CollectionNotice:
    with app.app_context():
        notice = db.session.get(CollectionNotice, pk)
        db.session.expunge(notice)
        return notice


# ---------------------------------------------------------------- the list


def test_the_list_shows_invoice_client_level_status_days_and_charge(client, desk):
    page = listed(client)
    for text in (desk["acme_number"], "Acme Robotics", "Second notice", "Final notice", "30.00"):
        assert text in page
    assert re.search(r">\s*45\s*<", page)  # days overdue


@pytest.mark.parametrize(
    "query, shown, hidden",
    [
        ("?business_unit=Executive", "acme_number", "bolt_number"),
        ("?level=3", "bolt_number", "acme_number"),
        ("?days_due=30", "bolt_number", "acme_number"),
        ("?status=open&days_due=10", "acme_number", None),
    ],
)
def test_the_list_filters(client, desk, query, shown, hidden):
    page = listed(client, query)
    assert desk[shown] in page
    if hidden:
        assert desk[hidden] not in page


def test_the_list_filters_by_project_and_client(client, desk):
    for query in (f"?project_id={desk['project']}", f"?client_id={desk['acme_client']}"):
        page = listed(client, query)
        assert desk["acme_number"] in page and desk["bolt_number"] not in page


def test_a_bad_filter_value_is_named_and_kept(client, desk):
    page = listed(client, "?days_due=soon")
    assert "Days due: &#39;soon&#39; is not a value it can take." in page
    assert 'value="soon"' in page


def test_an_account_manager_sees_only_their_clients_and_a_recruiter_nothing(app, client, desk):
    with app.app_context():
        manager = make_user("Account Manager")
        recruiter = make_user("Recruiter")
        db.session.get(CollectionNotice, desk["acme"]).client.owner_id = manager.id
        db.session.commit()
        names = manager.username, recruiter.username
    client.get("/logout/")
    login_staff(client, names[0])
    page = listed(client)
    assert desk["acme_number"] in page and desk["bolt_number"] not in page
    assert client.get(show_url(desk["bolt"])).status_code == 404
    page = client.get(show_url(desk["acme"])).get_data(as_text=True)
    assert desk["acme_number"] in page and "Close notice" not in page  # no buttons
    token = csrf_token(client, f"/clientview/show/{desk['acme_client']}")
    refused = client.post(
        f"/collectionnoticeview/close/{desk['acme']}", data={"csrf_token": token, "reason": "x"}
    )
    assert refused.status_code in (302, 403)
    assert fresh(app, desk["acme"]).status == "open"  # read only
    client.get("/logout/")
    login_staff(client, names[1])
    assert client.get(LIST).status_code in (302, 403)


# ---------------------------------------------------------------- the notice page


def test_the_notice_page_shows_the_invoice_summary(client, desk):
    page = client.get(show_url(desk["acme"])).get_data(as_text=True)
    for text in (desk["acme_number"], "Acme Robotics", "10,000.00", "Robotics leadership search"):
        assert text in page
    assert "Second notice" in page and 'id="days-overdue">20<' in page


def test_a_note_is_added_and_a_blank_one_named_beside_its_field(app, client, desk):
    refused = post(client, desk["acme"], "note", note="   ")
    assert refused.status_code == 422
    assert 'data-field="note">Write the note.' in refused.get_data(as_text=True)
    assert post(client, desk["acme"], "note", note="Called Maria").status_code == 302
    assert fresh(app, desk["acme"]).notes.endswith("Called Maria")


def test_a_response_is_recorded_and_a_bad_date_keeps_the_text(app, client, desk):
    refused = post(client, desk["acme"], "respond", response_note="Pays Friday", response_at="x")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert 'data-field="response_at">Response date must be a date' in page
    assert ">Pays Friday</textarea>" in page
    assert post(client, desk["acme"], "respond", response_note="Pays Friday").status_code == 302
    notice = fresh(app, desk["acme"])
    assert (notice.status, notice.response_note) == ("responded", "Pays Friday")


def test_pause_needs_a_reason_then_resume_brings_it_back(app, client, desk):
    refused = post(client, desk["acme"], "pause", dispute_reason="")
    assert refused.status_code == 422
    assert 'data-field="dispute_reason">Give the reason for the dispute.' in refused.get_data(
        as_text=True
    )
    assert post(client, desk["acme"], "pause", dispute_reason="Wrong rate").status_code == 302
    assert fresh(app, desk["acme"]).status == "paused"
    assert post(client, desk["acme"], "resume").status_code == 302
    assert fresh(app, desk["acme"]).status == "open"


def test_escalate_now_opens_the_next_level_and_goes_to_it(app, client, desk):
    response = post(client, desk["acme"], "escalate")
    assert response.status_code == 302
    with app.app_context():
        new = db.session.scalar(
            select(CollectionNotice)
            .where(CollectionNotice.level == 3)
            .order_by(CollectionNotice.id.desc())
        )
        assert response.location.endswith(show_url(new.id))
    assert fresh(app, desk["acme"]).status == "closed"


def test_close_needs_a_reason(app, client, desk):
    assert post(client, desk["acme"], "close", reason="").status_code == 422
    assert post(client, desk["acme"], "close", reason="Written off").status_code == 302
    notice = fresh(app, desk["acme"])
    assert (notice.status, notice.closed_reason) == ("closed", "Written off")


def test_bill_late_charges_once(app, client, desk):
    assert post(client, desk["acme"], "bill").status_code == 302
    with app.app_context():
        bill = db.session.get(Invoice, fresh(app, desk["acme"]).late_charge_invoice_id)
        assert bill.status == "draft" and bill.total == Decimal("30.00")
    again = post(client, desk["acme"], "bill")
    assert again.status_code == 422
    assert "no late charges left to bill" in again.get_data(as_text=True)


def test_a_document_uploaded_on_the_notice_is_the_clients_and_listed_there(
    app, client, desk, uploads
):
    token = csrf_token(client, show_url(desk["acme"]))
    response = client.post(
        f"/collectionnoticeview/upload/{desk['acme']}",
        data={
            "csrf_token": token,
            "title": "Signed payment plan",
            "type": "agreement",
            "file": (io.BytesIO(pdf_bytes()), "plan.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    with app.app_context():
        document = db.session.scalar(select(ClientDocument))
        assert document.source == f"collection_notice:{desk['acme']}"
        assert document.client_id == desk["acme_client"] and not document.visible_to_client
        pk = document.id
    page = client.get(show_url(desk["acme"])).get_data(as_text=True)
    assert "Signed payment plan" in page and f"/clientdocumentview/download/{pk}" in page


def test_a_refused_file_is_named_and_the_title_kept(app, client, desk, uploads):
    token = csrf_token(client, show_url(desk["acme"]))
    response = client.post(
        f"/collectionnoticeview/upload/{desk['acme']}",
        data={
            "csrf_token": token,
            "title": "Statement",
            "type": "other",
            "file": (io.BytesIO(ELF), "statement.pdf"),
        },
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'data-field="file">' in page and 'value="Statement"' in page
    with app.app_context():
        assert db.session.scalar(select(ClientDocument)) is None
    assert not any(uploads.rglob("*.pdf"))


def test_the_list_and_the_api_run_as_many_queries_for_many_notices_as_for_few(app, client, desk):
    from tests.admin.test_recruiting_api_access import counted_queries
    from tests.conftest import api_for

    with app.app_context():
        api = api_for(app, make_user("Finance").username)

    def count() -> tuple[int, int]:
        with counted_queries(app) as page_queries:
            listed(client)
        with counted_queries(app) as api_queries:
            assert api("GET", "/api/v1/collection-notice/").status_code == 200
        return len(page_queries), len(api_queries)

    few = count()
    with app.app_context():
        for days in (5, 16, 31, 61):
            overdue(days=days, business_unit="Contract")
    assert count() == few
