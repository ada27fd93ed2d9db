"""The candidate pages: agency-wide list, CV upload checked by content and served as an
attachment, and applications shown for the clients the user works on only."""

from __future__ import annotations

from io import BytesIO

import pytest

from extensions import db
from models import Candidate
from models.candidates import cv_folder
from tests.conftest import csrf_token, login_staff
from tests.factories import CandidateFactory, add_candidate, make_user, open_job_order

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ELF = b"\x7fELF\x02\x01\x01" + b"\x00" * 64


@pytest.fixture
def desk(app, tmp_path, monkeypatch):
    """A recruiter signed in, working one open job order; a candidate in it and in another's."""
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path / "uploads"))
    with app.app_context():
        recruiter = make_user("Recruiter")
        candidate = CandidateFactory(first_name="Maria", last_name="Lopez")
        mine = open_job_order(recruiter=recruiter, title="Data lead")
        theirs = open_job_order(title="Hidden role")
        add_candidate(mine, "screened", candidate=candidate)
        add_candidate(theirs, "submitted", candidate=candidate)
        ids = {"candidate": candidate.id, "user": recruiter.username}
    http = app.test_client()
    assert login_staff(http, ids["user"]).status_code == 302
    ids["http"] = http
    ids["token"] = csrf_token(http, f"/candidateview/show/{ids['candidate']}")
    return ids


def _upload(desk, data: bytes, name: str):
    return desk["http"].post(
        f"/candidateview/cv/{desk['candidate']}",
        data={"cv": (BytesIO(data), name), "csrf_token": desk["token"]},
        content_type="multipart/form-data",
    )


def _candidate(pk) -> Candidate:
    db.session.remove()
    return db.session.get(Candidate, pk)


def test_candidates_are_listed_agency_wide(app, desk):
    with app.app_context():
        CandidateFactory(first_name="Nobody", last_name="Assigned")
    page = desk["http"].get("/candidateview/list/").get_data(as_text=True)
    assert "Maria" in page and "Nobody" in page


def test_a_candidates_applications_are_shown_for_visible_clients_only(app, desk):
    page = desk["http"].get(f"/candidateview/show/{desk['candidate']}").get_data(as_text=True)
    table = page.split('id="candidate-applications"')[1]
    assert "Data lead" in table and "Screened" in table
    assert "Hidden role" not in page and "Submitted to client" not in table


def test_a_pdf_cv_is_stored_under_a_generated_name_and_downloaded_as_an_attachment(app, desk):
    assert _upload(desk, PDF, "Maria Lopez CV.pdf").status_code == 302
    with app.app_context():
        candidate = _candidate(desk["candidate"])
        assert candidate.cv_filename == "Maria Lopez CV.pdf"
        assert candidate.cv_content_type == "application/pdf"
        assert candidate.cv_stored_filename != candidate.cv_filename
        assert candidate.cv_path.parent == cv_folder() and candidate.cv_path.read_bytes() == PDF
    response = desk["http"].get(f"/candidateview/cv/{desk['candidate']}/file")
    assert response.status_code == 200 and response.data == PDF
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "Maria%20Lopez%20CV.pdf" in response.headers["Content-Disposition"] or (
        "Maria Lopez CV.pdf" in response.headers["Content-Disposition"]
    )
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Type"] == "application/pdf"


def test_a_renamed_program_is_refused_beside_the_cv_field_and_nothing_is_stored(app, desk):
    response = _upload(desk, ELF, "cv.pdf")
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "cv.pdf is a Linux program (ELF), whatever its name says." in body
    assert body.index("has-error") < body.index("a Linux program")
    with app.app_context():
        assert _candidate(desk["candidate"]).cv_stored_filename is None
        assert not cv_folder().exists() or not any(cv_folder().iterdir())


def test_a_new_cv_replaces_the_old_file(app, desk):
    _upload(desk, PDF, "first.pdf")
    with app.app_context():
        first = _candidate(desk["candidate"]).cv_path
    _upload(desk, b"Maria Lopez\nData engineer\n", "second.txt")
    with app.app_context():
        candidate = _candidate(desk["candidate"])
        assert candidate.cv_filename == "second.txt" and candidate.cv_path.is_file()
        assert not first.exists()


def test_a_candidate_without_a_cv_has_no_file_to_download(app, desk):
    assert desk["http"].get(f"/candidateview/cv/{desk['candidate']}/file").status_code == 404
