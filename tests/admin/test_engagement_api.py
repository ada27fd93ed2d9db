"""Meetings and documents in the REST API: the same verbs and rules as the client page, the
client's visibility (404 off the team) and the Client resource's permissions."""

import io

import pytest
from sqlalchemy import func, select

from extensions import db
from models import Activity, ClientDocument, ClientTeamMember
from tests.conftest import api_for, api_token
from tests.factories import ClientContactFactory, ClientFactory, make_user
from tests.models.test_documents import ELF, pdf_bytes


@pytest.fixture
def uploads(app, tmp_path):
    before = app.config["UPLOAD_FOLDER"]
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    yield
    app.config["UPLOAD_FOLDER"] = before


@pytest.fixture
def world(app):
    """An account manager's client with a contact; a recruiter on its team; another client."""
    with app.app_context():
        manager, recruiter = make_user("Account Manager"), make_user("Recruiter")
        link = ClientContactFactory(client=ClientFactory(owner=manager))
        db.session.add(ClientTeamMember(client=link.client, user=recruiter, role="recruiter"))
        other = ClientFactory()
        db.session.commit()
        return {
            "manager": manager.username,
            "recruiter": recruiter.username,
            "client": link.client_id,
            "contact": link.contact_id,
            "other": other.id,
        }


MEETING = {
    "title": "Kick-off",
    "starts_at": "2026-12-01T09:00:00",
    "ends_at": "2026-12-01T10:00:00",
}


def test_an_account_manager_schedules_a_meeting_and_it_is_on_the_timeline(app, world):
    api = api_for(app, world["manager"])
    created = api(
        "POST",
        "/api/v1/meeting/",
        {**MEETING, "client": world["client"], "contacts": [world["contact"]]},
    )
    assert created.status_code == 201, created.get_json()
    meeting = api("GET", f"/api/v1/meeting/{created.get_json()['id']}").get_json()["result"]
    assert meeting["starts_at"].startswith("2026-12-01T09:00:00")
    assert [c["id"] for c in meeting["contacts"]] == [world["contact"]]
    with app.app_context():
        kinds = db.session.scalars(
            select(Activity.kind).where(Activity.client_id == world["client"])
        ).all()
        assert "meeting" in kinds


def test_a_meeting_ending_before_it_starts_is_a_422_naming_the_field(app, world):
    api = api_for(app, world["manager"])
    response = api(
        "POST",
        "/api/v1/meeting/",
        {
            **MEETING,
            "ends_at": "2026-12-01T08:00:00",
            "client": world["client"],
            "contacts": [world["contact"]],
        },
    )
    assert response.status_code == 422 and "ends_at" in response.get_json()["message"]


def test_a_meeting_for_a_client_off_your_list_is_a_404(app, world):
    api = api_for(app, world["manager"])
    response = api("POST", "/api/v1/meeting/", {**MEETING, "client": world["other"]})
    assert response.status_code == 404


def test_a_recruiter_reads_their_teams_meetings_but_may_not_schedule(app, world):
    api_for(app, world["manager"])(
        "POST",
        "/api/v1/meeting/",
        {**MEETING, "client": world["client"], "contacts": [world["contact"]]},
    )
    recruiter = api_for(app, world["recruiter"])
    assert recruiter("GET", "/api/v1/meeting/").get_json()["count"] == 1
    refused = recruiter("POST", "/api/v1/meeting/", {**MEETING, "client": world["client"]})
    assert refused.status_code in (401, 403)


def upload(app, username, client_id, data, filename):
    return app.test_client().post(
        "/api/v1/document/upload",
        headers=api_token(app, username),
        data={
            "client": str(client_id),
            "title": "Signed MSA",
            "type": "contract",
            "file": (io.BytesIO(data), filename),
        },
        content_type="multipart/form-data",
    )


@pytest.mark.usefixtures("uploads")
def test_a_document_is_uploaded_and_downloaded_byte_for_byte(app, world):
    data = pdf_bytes()
    created = upload(app, world["manager"], world["client"], data, "msa.pdf")
    assert created.status_code == 201, created.get_json()
    pk = created.get_json()["id"]
    recruiter = api_for(app, world["recruiter"])
    assert recruiter("GET", f"/api/v1/document/{pk}").get_json()["result"]["type"] == "contract"
    download = recruiter("GET", f"/api/v1/document/{pk}/download")
    assert download.status_code == 200 and download.data == data
    assert "attachment" in download.headers["Content-Disposition"]


@pytest.mark.usefixtures("uploads")
def test_a_renamed_program_is_refused_on_the_file_field_and_nothing_is_kept(app, world):
    response = upload(app, world["manager"], world["client"], ELF, "report.pdf")
    assert response.status_code == 422
    assert "Linux program" in response.get_json()["message"]["file"][0]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ClientDocument)) == 0


@pytest.mark.usefixtures("uploads")
def test_documents_of_another_client_are_404_and_uploads_need_write(app, world):
    pk = upload(app, world["manager"], world["client"], pdf_bytes(), "msa.pdf").get_json()["id"]
    with app.app_context():
        outsider = make_user("Recruiter").username
    stranger = api_for(app, outsider)
    assert stranger("GET", f"/api/v1/document/{pk}").status_code == 404
    assert stranger("GET", f"/api/v1/document/{pk}/download").status_code == 404
    assert upload(app, world["manager"], world["other"], pdf_bytes(), "x.pdf").status_code == 404
    assert upload(app, world["recruiter"], world["client"], pdf_bytes(), "x.pdf").status_code in (
        401,
        403,
    )
