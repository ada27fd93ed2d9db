"""Import from the admin (upload, preview, confirm, rejected rows) and from the CLI; the
duplicates page and the merge action."""

import re

import pytest
from sqlalchemy import func, select

from admin.commands import cli
from extensions import db
from models import Activity, Client, ClientTeamMember, Contact
from tests.conftest import csrf_token, login_staff
from tests.factories import ClientFactory, make_user
from tests.models.test_import import CLIENT_HEADER, as_csv, client_rows


@pytest.fixture(autouse=True)
def import_folder(app, tmp_path):
    app.config["IMPORT_FOLDER"] = str(tmp_path / "imports")
    yield
    app.config.pop("IMPORT_FOLDER")


@pytest.fixture
def references(app):
    with app.app_context():
        from tests.factories import IndustryFactory, TagFactory

        IndustryFactory(name="Logistics")
        TagFactory(name="vip")


def signed_in(app, role="Admin"):
    browser = app.test_client()
    with app.app_context():
        user = make_user(role)
        login_staff(browser, user.username)
    return browser


def upload(browser, data: bytes, kind="clients", name="clients.csv"):
    import io

    token = csrf_token(browser, "/import/")
    return browser.post(
        "/import/",
        data={"kind": kind, "file": (io.BytesIO(data), name), "csrf_token": token},
        content_type="multipart/form-data",
    )


def count_clients(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Client.id)))


def test_upload_previews_every_bad_row_and_writes_nothing(app, references):
    browser = signed_in(app)
    page = upload(browser, as_csv(CLIENT_HEADER, client_rows())).get_data(as_text=True)
    assert re.search(r'id="good">47<', page) and re.search(r'id="rejected">3<', page)
    for line, field in ((11, "location"), (21, "currency"), (41, "short_name")):
        assert f"<td>{line}</td><td>{field}</td>" in page
    assert count_clients(app) == 0


def test_confirm_imports_the_good_rows_and_offers_the_rejected_ones(app, references):
    browser = signed_in(app)
    page = upload(browser, as_csv(CLIENT_HEADER, client_rows())).get_data(as_text=True)
    confirm = re.search(r'action="(/import/confirm/[^"]+)"', page).group(1)
    token = csrf_token(browser, "/import/")
    done = browser.post(confirm, data={"csrf_token": token}).get_data(as_text=True)
    assert re.search(r'id="imported">47<', done)
    assert count_clients(app) == 47
    rejected = re.search(r'href="(/import/rejected/[^"]+)"', done).group(1)
    download = browser.get(rejected)
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    lines = download.get_data(as_text=True).splitlines()
    assert lines[0].endswith(",line,errors") and len(lines) == 4
    again = upload(browser, as_csv(CLIENT_HEADER, client_rows())).get_data(as_text=True)
    assert re.search(r'id="good">0<', again) and re.search(r'id="present">47<', again)


def test_another_user_cannot_confirm_or_download_an_upload(app, references):
    page = upload(signed_in(app), as_csv(CLIENT_HEADER, client_rows())).get_data(as_text=True)
    token = re.search(r'/import/confirm/([^"]+)"', page).group(1)
    other = signed_in(app)
    assert other.get(f"/import/rejected/{token}").status_code == 404
    csrf = csrf_token(other, "/import/")
    assert other.post(f"/import/confirm/{token}", data={"csrf_token": csrf}).status_code == 404
    assert count_clients(app) == 0


def test_an_unreadable_file_is_refused_with_a_clear_message(app):
    browser = signed_in(app)
    response = upload(browser, b"MZ\x90\x00\x03\x00\x00\x00\x04\x00", name="clients.csv")
    assert response.status_code == 400
    assert "not UTF-8 text" in response.get_data(as_text=True)


def test_a_recruiter_may_not_import(app):
    browser = signed_in(app, "Recruiter")
    assert browser.get("/import/").status_code == 403


def test_the_cli_previews_then_imports(app, references, tmp_path):
    path = tmp_path / "clients.csv"
    path.write_bytes(as_csv(CLIENT_HEADER, client_rows()))
    runner = app.test_cli_runner()
    preview = runner.invoke(cli, ["import-csv", "clients", str(path)])
    assert preview.exit_code == 0, preview.output
    assert "line 11: location:" in preview.output and "ready 47" in preview.output
    assert count_clients(app) == 0
    result = runner.invoke(cli, ["import-csv", "clients", str(path), "--commit"])
    assert "imported 47" in result.output and "3 rejected" in result.output
    assert count_clients(app) == 47
    assert (tmp_path / "clients.rejected.csv").read_text().count("\n") == 4
    again = runner.invoke(cli, ["import-csv", "clients", str(path), "--commit"])
    assert "imported 0, 47 already present" in again.output and count_clients(app) == 47


def test_the_cli_imports_contacts_with_one_event_per_client(app, tmp_path):
    with app.app_context():
        ClientFactory(short_name="ACME")
    path = tmp_path / "people.csv"
    path.write_text(
        "first_name,last_name,email,client\nAna,Cruz,ana@a.test,ACME\nBo,Li,bo@a.test,ACME\n"
    )
    result = app.test_cli_runner().invoke(cli, ["import-csv", "contacts", str(path), "--commit"])
    assert "imported 2" in result.output, result.output
    with app.app_context():
        assert db.session.scalar(select(func.count(Contact.id))) == 2
        events = db.session.scalars(select(Activity.summary).where(Activity.kind == "imported"))
        assert list(events) == ["2 contacts imported from people.csv."]


def owned_pair(app):
    """Two look-alike clients owned by a signed-in Account Manager: (browser, kept, duplicate)."""
    browser = app.test_client()
    with app.app_context():
        manager = make_user("Account Manager")
        kept = ClientFactory(name="Acme Inc", owner=manager).id
        duplicate = ClientFactory(name="ACME Ltd", owner=manager).id
        login_staff(browser, manager.username)
    return browser, kept, duplicate


def test_the_duplicates_page_lists_groups_and_the_merge_archives_the_duplicate(app):
    browser, kept, duplicate = owned_pair(app)
    page = browser.get("/duplicates/").get_data(as_text=True)
    assert "Acme Inc" in page and "ACME Ltd" in page and "same name" in page
    token = csrf_token(browser, f"/duplicates/merge?ids={kept},{duplicate}")
    response = browser.post(
        "/duplicates/merge", data={"ids": [kept, duplicate], "kept": kept, "csrf_token": token}
    )
    assert response.status_code == 302 and response.location.endswith(f"/show/{kept}")
    with app.app_context():
        merged = db.session.get(Client, duplicate)
        assert merged.archived and merged.merged_into_id == kept


def test_the_client_list_merge_action_opens_the_merge_page(app):
    browser, kept, duplicate = owned_pair(app)
    token = csrf_token(browser, "/clientview/add")
    response = browser.post(
        "/clientview/action_post",
        data={"action": "merge", "rowid": [kept, duplicate], "csrf_token": token},
    )
    assert response.status_code == 302
    assert response.location.endswith(f"/duplicates/merge?ids={kept},{duplicate}")
    page = browser.get(response.location).get_data(as_text=True)
    assert 'name="kept"' in page and "ACME Ltd" in page


def test_merging_a_client_the_user_cannot_see_answers_404(app):
    with app.app_context():
        hidden = ClientFactory(name="Hidden Co").id
        mine = ClientFactory(name="Mine Co")
        manager = make_user("Account Manager")
        mine.owner = manager
        db.session.commit()
        mine, username = mine.id, manager.username
    browser = app.test_client()
    with app.app_context():
        login_staff(browser, username)
    assert browser.get(f"/duplicates/merge?ids={mine},{hidden}").status_code == 404
    assert "Hidden Co" not in browser.get("/duplicates/").get_data(as_text=True)


def test_a_recruiter_on_the_team_may_not_merge(app):
    with app.app_context():
        recruiter = make_user("Recruiter")
        ids = [ClientFactory(name=name).id for name in ("Acme Inc", "ACME Ltd")]
        db.session.add_all(
            ClientTeamMember(client_id=pk, user=recruiter, role="recruiter") for pk in ids
        )
        db.session.commit()
        username = recruiter.username
    browser = app.test_client()
    login_staff(browser, username)
    assert "Acme Inc" in browser.get("/duplicates/").get_data(as_text=True)
    assert browser.get(f"/duplicates/merge?ids={ids[0]},{ids[1]}").status_code == 403


def test_finance_may_import_clients_but_not_contacts(app):
    browser = signed_in(app, "Finance")
    response = upload(browser, b"first_name,last_name\nAna,Cruz\n", kind="contacts")
    assert response.status_code == 403
    assert upload(browser, b"name,short_name,location\nFin Co,FIN,Local\n").status_code == 200
