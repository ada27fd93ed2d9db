"""The Documents tab: upload from the client page, download as an attachment, refusals shown
beside the file field, and a client outside the user's visibility answering 404."""

import io
import re

import pytest
from sqlalchemy import func, select

from extensions import db
from models import Activity, ClientDocument, ClientTeamMember
from tests.conftest import csrf_token, login_staff
from tests.factories import ClientFactory, make_user
from tests.models.test_documents import ELF, pdf_bytes, store, stored_files

pytestmark = pytest.mark.usefixtures("uploads")


@pytest.fixture
def uploads(app, tmp_path):
    before = app.config["UPLOAD_FOLDER"]
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    yield tmp_path / "uploads"
    app.config["UPLOAD_FOLDER"] = before


@pytest.fixture
def manager(app, client):
    """An Account Manager owning one client, signed in: (client id, username)."""
    with app.app_context():
        user = make_user("Account Manager")
        client_id = ClientFactory(name="Bayanihan Foods", owner=user).id
        username = user.username
    login_staff(client, username)
    return client_id, username


def add_url(client_id: int) -> str:
    return f"/clientdocumentview/add?_flt_0_client={client_id}"


def upload(client, client_id, data, filename, **fields):
    url = add_url(client_id)
    form = {
        "title": "Master services agreement",
        "type": "contract",
        "visible_to_client": "y",
        "csrf_token": csrf_token(client, url),
        **fields,
        "file": (io.BytesIO(data), filename),
    }
    form = {name: value for name, value in form.items() if value is not None}  # unticked: absent
    return client.post(url, data=form, content_type="multipart/form-data")


def count_documents(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(ClientDocument.id)))


def test_a_pdf_uploaded_from_the_client_page_is_listed_and_downloads_identical(
    app, client, manager
):
    client_id, _ = manager
    response = upload(client, client_id, pdf_bytes(), "MSA 2026, signed.pdf")
    assert response.status_code == 302, response.get_data(as_text=True)

    page = client.get(f"/clientview/show/{client_id}").get_data(as_text=True)
    assert "Master services agreement" in page and "MSA 2026, signed.pdf" in page
    with app.app_context():
        document = db.session.scalar(select(ClientDocument))
        assert document.client_id == client_id and document.visible_to_client
        pk = document.id
    assert f"/clientdocumentview/download/{pk}" in page

    download = client.get(f"/clientdocumentview/download/{pk}")
    assert download.status_code == 200
    assert download.data == pdf_bytes()
    assert download.mimetype == "application/pdf"
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and "MSA 2026, signed.pdf" in disposition


def test_a_renamed_executable_is_refused_beside_the_file_field_and_nothing_is_stored(
    app, client, manager, uploads
):
    client_id, _ = manager
    response = upload(client, client_id, ELF, "report.pdf", title="Quarterly report")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    message = re.search(r"report\.pdf is a Linux program \(ELF\)[^<]*", page)
    assert message and "Programs cannot be uploaded" in message.group(0)
    # The message sits in the file field's block of the form, and the user's title is kept.
    file_block = page[page.index('name="file"') :]
    assert file_block.index("Linux program") < file_block.index("</tr>")
    assert 'value="Quarterly report"' in page
    assert count_documents(app) == 0 and stored_files(uploads) == []


def test_an_oversize_file_is_refused_with_the_limit_named(app, client, manager, uploads):
    client_id, _ = manager
    app.config["DOCUMENT_MAX_BYTES"] = 2048
    try:
        response = upload(client, client_id, b"x" * 2049, "notes.txt")
    finally:
        app.config["DOCUMENT_MAX_BYTES"] = 10 * 1024 * 1024
    assert "files may be at most 2.0 KB" in response.get_data(as_text=True)
    assert count_documents(app) == 0 and stored_files(uploads) == []


def test_an_upload_puts_a_document_line_on_the_timeline(app, client, manager):
    client_id, username = manager
    response = upload(client, client_id, pdf_bytes(), "MSA.pdf", visible_to_client=None)
    assert response.status_code == 302
    with app.app_context():
        assert not db.session.scalar(select(ClientDocument.visible_to_client))
        activity = db.session.scalar(select(Activity).where(Activity.kind == "document"))
        assert activity.client_id == client_id and activity.actor.username == username
        assert "Master services agreement" in activity.summary


def test_an_account_manager_cannot_upload_to_a_client_they_do_not_see(app, client, manager):
    with app.app_context():
        stranger = ClientFactory(name="Someone Else Ltd").id
    response = upload(client, stranger, pdf_bytes(), "MSA.pdf")
    assert response.status_code in (200, 404)
    assert count_documents(app) == 0


@pytest.fixture
def stored_document(app):
    """A PDF stored for a client with one Recruiter on its team: (doc id, on team, off team)."""
    with app.app_context():
        client = ClientFactory()
        on_team, off_team = make_user("Recruiter"), make_user("Recruiter")
        db.session.add(ClientTeamMember(client=client, user=on_team, role="recruiter"))
        document = store(client, pdf_bytes(), "MSA.pdf")
        db.session.commit()
        return document.id, document.stored_filename, on_team.username, off_team.username


def test_a_recruiter_off_the_team_gets_404_on_the_download(app, stored_document):
    pk, _, on_team, off_team = stored_document
    outsider, insider = app.test_client(), app.test_client()
    login_staff(outsider, off_team)
    login_staff(insider, on_team)
    refused = outsider.get(f"/clientdocumentview/download/{pk}")
    assert refused.status_code == 404 and pdf_bytes() not in refused.data
    assert outsider.get(f"/clientdocumentview/show/{pk}").status_code == 404
    assert insider.get(f"/clientdocumentview/download/{pk}").data == pdf_bytes()


def test_fabs_own_download_route_serves_no_stored_file(app, stored_document):
    _, stored_filename, _, _ = stored_document
    with app.app_context():
        admin = make_user("Admin").username
    browser = app.test_client()
    login_staff(browser, admin)
    for view in ("clientview", "clientdocumentview", "locationview"):
        for name in (stored_filename, f"documents%2F{stored_filename}"):
            assert browser.get(f"/{view}/download/{name}").status_code == 404


def test_archiving_takes_the_document_off_the_page_and_out_of_download(app, client, manager):
    client_id, _ = manager
    upload(client, client_id, pdf_bytes(), "MSA.pdf")
    assert "MSA.pdf" in client.get("/clientdocumentview/list/").get_data(as_text=True)
    with app.app_context():
        pk = db.session.scalar(select(ClientDocument.id))
    token = csrf_token(client, add_url(client_id))
    archived = client.post(
        "/clientdocumentview/action_post",
        data={"action": "archive", "rowid": [pk], "csrf_token": token},
        follow_redirects=True,
    )
    assert "Master services agreement archived." in archived.get_data(as_text=True)
    # Off the Documents tab (the timeline still tells that it was uploaded and archived).
    assert "MSA.pdf" not in client.get("/clientdocumentview/list/").get_data(as_text=True)
    assert client.get(f"/clientdocumentview/download/{pk}").status_code == 404
    with app.app_context():
        assert db.session.get(ClientDocument, pk).path.is_file()


def test_showing_a_document_to_the_client_is_on_the_timeline_with_before_and_after(
    app, client, manager
):
    client_id, _ = manager
    upload(client, client_id, pdf_bytes(), "MSA.pdf", visible_to_client=None)
    with app.app_context():
        pk = db.session.scalar(select(ClientDocument.id))
    url = f"/clientdocumentview/edit/{pk}"
    response = client.post(
        url,
        data={
            "title": "Master services agreement",
            "type": "agreement",
            "visible_to_client": "y",
            "csrf_token": csrf_token(client, url),
        },
    )
    assert response.status_code == 302
    with app.app_context():
        last = db.session.scalars(select(Activity).order_by(Activity.id)).all()[-1]
        assert last.kind == "document" and last.client_id == client_id
        assert last.changes == {
            "type": ["contract", "agreement"],
            "visible_to_client": [False, True],
        }
