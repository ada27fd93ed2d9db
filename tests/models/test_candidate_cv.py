"""A candidate's CV: checked like a client document, stored under UPLOAD_FOLDER/cv/."""

from __future__ import annotations

from io import BytesIO

import pytest
from werkzeug.datastructures import FileStorage

from models import PipelineError
from models.candidates import CvRefusedError, cv_folder
from tests.factories import CandidateFactory

pytestmark = pytest.mark.usefixtures("ctx")


@pytest.fixture(autouse=True)
def uploads(app, tmp_path, monkeypatch):
    """A fresh UPLOAD_FOLDER and a 1 KB size cap for each test."""
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path / "uploads"))
    monkeypatch.setitem(app.config, "DOCUMENT_MAX_BYTES", 1024)


def _file(data: bytes, name: str) -> FileStorage:
    return FileStorage(stream=BytesIO(data), filename=name)


def test_a_cv_is_written_under_a_generated_name_in_the_cv_folder():
    candidate = CandidateFactory()
    assert candidate.action_attach_cv(_file(b"%PDF-1.7\n...", "cv.pdf")) is None
    assert candidate.cv_path.parent == cv_folder() and candidate.cv_path.suffix == ".pdf"
    assert candidate.cv_size_bytes == 12 and candidate.cv_content_type == "application/pdf"


def test_a_cv_over_the_size_cap_is_refused_naming_the_cv_field():
    candidate = CandidateFactory()
    with pytest.raises(CvRefusedError, match="files may be at most 1.0 KB") as refused:
        candidate.action_attach_cv(_file(b"%PDF-" + b"x" * 2000, "cv.pdf"))
    assert isinstance(refused.value, PipelineError) and refused.value.field == "cv"
    assert candidate.cv_stored_filename is None and not cv_folder().exists()


def test_a_cv_whose_name_disagrees_with_its_content_is_refused():
    with pytest.raises(CvRefusedError, match="is of type PDF, but the name ends in .docx"):
        CandidateFactory().action_attach_cv(_file(b"%PDF-1.7\n", "cv.docx"))
