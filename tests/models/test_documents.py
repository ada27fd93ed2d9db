"""Client documents: a file is accepted by its content, not its name, under a size limit, and
stored under a generated name; a refused file leaves no row and no file."""

import functools
import hashlib
import io
import zipfile

import pytest
from flask import current_app
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from extensions import db
from models import Activity, ClientDocument, DocumentError, DocumentRefusedError
from tests.factories import ClientFactory, make_user

ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56 + b"\x90" * 200
WINDOWS_EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 50 + b"This program cannot be run"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 40
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 40


@functools.cache
def pdf_bytes() -> bytes:
    """A real one-page PDF (WeasyPrint's), checked readable by pypdf in the tests."""
    from weasyprint import HTML

    return HTML(string="<h1>Master services agreement</h1><p>Signed copy.</p>").write_pdf()


def office_file(main_folder: str, with_content_types: bool = True) -> bytes:
    """A minimal Office Open XML package (DOCX ``word/``, XLSX ``xl/``, PPTX ``ppt/``)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        if with_content_types:
            archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr(f"{main_folder}/main.xml", "<root/>")
    return buffer.getvalue()


def upload(data: bytes, filename: str) -> FileStorage:
    return FileStorage(io.BytesIO(data), filename=filename)


@pytest.fixture
def uploads(app, tmp_path):
    """Point UPLOAD_FOLDER at a fresh folder for the test."""
    before = app.config["UPLOAD_FOLDER"]
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    yield tmp_path / "uploads"
    app.config["UPLOAD_FOLDER"] = before


def stored_files(folder) -> list:
    return sorted(p.name for p in folder.rglob("*") if p.is_file())


def store(client, data, filename, title="Signed MSA", type="contract", visible=False, by=None):
    return ClientDocument.action_store(client, upload(data, filename), title, type, visible, by)


def test_a_pdf_is_stored_under_a_generated_name_with_its_size_and_checksum(ctx, uploads):
    from pypdf import PdfReader

    client, user = ClientFactory(), make_user("Account Manager")
    document = store(client, pdf_bytes(), "MSA signed.pdf", by=user)
    db.session.commit()

    assert len(PdfReader(io.BytesIO(pdf_bytes())).pages) == 1
    assert document.content_type == "application/pdf"
    assert document.original_filename == "MSA signed.pdf"
    assert "MSA" not in document.stored_filename and document.stored_filename.endswith(".pdf")
    assert document.size_bytes == len(pdf_bytes())
    assert document.sha256 == hashlib.sha256(pdf_bytes()).hexdigest()
    assert document.uploaded_by_id == user.id and document.uploaded_at.tzinfo is not None
    assert document.path.read_bytes() == pdf_bytes()
    assert document.path.parent == uploads / "documents"


def test_the_users_path_is_never_part_of_the_stored_name(ctx, uploads):
    document = store(ClientFactory(), b"hello", "../../etc/passwd.txt")
    assert document.original_filename == "passwd.txt"
    assert document.path.parent == uploads / "documents"


@pytest.mark.parametrize(
    ("data", "filename", "what"),
    [
        (ELF, "report.pdf", "a Linux program (ELF)"),
        (WINDOWS_EXE, "contract.docx", "a Windows program (EXE/DLL)"),
        (WINDOWS_EXE, "notes.txt", "a Windows program (EXE/DLL)"),
    ],
)
def test_a_renamed_executable_is_refused_and_nothing_is_stored(ctx, uploads, data, filename, what):
    client = ClientFactory()
    with pytest.raises(DocumentRefusedError) as refused:
        store(client, data, filename)
    db.session.rollback()
    assert refused.value.field == "file"
    assert what in refused.value.message and "Programs cannot be uploaded" in refused.value.message
    assert db.session.scalar(select(func.count(ClientDocument.id))) == 0
    assert stored_files(uploads) == []


def test_a_file_over_the_size_limit_is_refused_and_nothing_is_stored(ctx, uploads, monkeypatch):
    monkeypatch.setitem(current_app.config, "DOCUMENT_MAX_BYTES", 1000)
    client = ClientFactory()
    store(client, b"a" * 1000, "exactly-the-limit.txt")
    with pytest.raises(DocumentRefusedError) as refused:
        store(client, b"a" * 1001, "one-byte-over.txt")
    assert refused.value.field == "file"
    assert "files may be at most 1000 bytes" in refused.value.message
    assert len(stored_files(uploads)) == 1


def test_the_default_limit_is_ten_megabytes(ctx, uploads):
    with pytest.raises(DocumentRefusedError, match="at most 10.0 MB"):
        store(ClientFactory(), b"a" * (10 * 1024 * 1024 + 1), "big.txt")


@pytest.mark.parametrize(
    ("data", "filename", "content_type"),
    [
        (PNG, "org chart.png", "image/png"),
        (JPEG, "site photo.JPG", "image/jpeg"),
        (JPEG, "site photo.jpeg", "image/jpeg"),
        (office_file("word"), "proposal.docx", "application/vnd.openxmlformats-officedocument"),
        (office_file("xl"), "rates.xlsx", "application/vnd.openxmlformats-officedocument"),
        (office_file("ppt"), "pitch.pptx", "application/vnd.openxmlformats-officedocument"),
        ("Name,Rate\nJosé,1200\n".encode(), "rates.csv", "text/csv"),
        (b"Meeting notes\n", "notes.txt", "text/plain"),
    ],
)
def test_allowed_kinds_are_recognised_by_content(ctx, uploads, data, filename, content_type):
    document = store(ClientFactory(), data, filename)
    assert document.content_type.startswith(content_type)


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (PNG, "scan.pdf", "is of type PNG image, but the name ends in .pdf; name it .png"),
        (pdf_bytes, "contract.docx", "is of type PDF, but the name ends in .docx"),
        (office_file("xl"), "rates.docx", "is of type Excel workbook, but the name ends in .docx"),
        (office_file("word", with_content_types=False), "x.docx", "not an allowed file type"),
        (b"GIF89a\x01\x00\x01\x00\x00\xff", "logo.gif", "not an allowed file type"),
        (b"text with a \x00 NUL", "notes.txt", "not an allowed file type"),
        (b"\xff\xfe not utf-8 \x80", "notes.txt", "not an allowed file type"),
        (b"", "empty.txt", "empty file"),
        (b"plain words", "no-extension", "the name has no extension"),
    ],
)
def test_content_that_is_not_allowed_or_disagrees_with_its_name_is_refused(
    ctx, uploads, data, filename, message
):
    data = data() if callable(data) else data
    with pytest.raises(DocumentRefusedError) as refused:
        store(ClientFactory(), data, filename)
    assert message in refused.value.message
    assert stored_files(uploads) == []


def test_a_document_needs_a_title_and_a_known_type(ctx, uploads):
    client = ClientFactory()
    with pytest.raises(DocumentError) as no_title:
        store(client, pdf_bytes(), "a.pdf", title="  ")
    assert no_title.value.field == "title"
    with pytest.raises(DocumentError) as bad_type:
        store(client, pdf_bytes(), "a.pdf", type="invoice")
    assert bad_type.value.field == "type"
    assert stored_files(uploads) == []


def test_an_upload_is_recorded_on_the_clients_timeline(ctx, uploads):
    client, user = ClientFactory(), make_user("Account Manager")
    document = store(client, pdf_bytes(), "MSA.pdf", visible=True, by=user)
    db.session.commit()
    activity = db.session.scalar(select(Activity).where(Activity.kind == "document"))
    assert activity.client_id == client.id and activity.actor_id == user.id
    assert (activity.subject_type, activity.subject_id) == ("client_document", document.id)
    assert "Signed MSA" in activity.summary and "visible to the client" in activity.summary


def test_archiving_keeps_the_row_and_file_and_is_recorded_once(ctx, uploads):
    document = store(ClientFactory(), pdf_bytes(), "MSA.pdf")
    db.session.commit()
    document.action_archive()
    db.session.commit()
    assert document.archived_at is not None and document.path.is_file()
    with pytest.raises(DocumentError, match="archived already"):
        document.action_archive()
    kinds = db.session.scalars(select(Activity.summary).where(Activity.kind == "document")).all()
    assert len(kinds) == 2 and kinds[1].startswith("Document archived")
