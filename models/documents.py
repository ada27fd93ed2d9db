"""A client's documents: contracts, agreements, reports and other files kept on the client page.

A file is accepted only when its content is one of the allowed kinds (checked by its first bytes,
not by its name), its name's extension agrees with that kind, and it fits under
``DOCUMENT_MAX_BYTES``. It is stored under ``UPLOAD_FOLDER/documents/`` with a generated name;
the user's file name is kept only as a label for the download. A refused file leaves nothing
behind: no row and no file. Documents are archived, never deleted (contracts are records).
"""

from __future__ import annotations

import hashlib
import os
import secrets
import zipfile
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO
from pathlib import Path

from flask import current_app
from flask_appbuilder.security.sqla.models import User
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
    false,
    inspect,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .activity import record_activity
from .base import DomainError, Model, UTCDateTime, utcnow
from .clients import Client, _blank, _choice_sql, _session

DOCUMENT_TYPES = ("contract", "agreement", "report", "quote", "offer", "other")
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
TITLE_MAX = 200
DOCUMENTS_SUBFOLDER = "documents"


class DocumentError(DomainError):
    """A document or its file breaks one of the rules of this module."""


class DocumentRefusedError(DocumentError):
    """The uploaded file is not accepted (kind, size, name); nothing was stored."""

    def __init__(self, message: str):
        super().__init__(message, "file")


# ---------------------------------------------------------------- content detection


@dataclass(frozen=True)
class FileKind:
    label: str
    content_type: str
    extensions: tuple[str, ...]


PDF = FileKind("PDF", "application/pdf", (".pdf",))
PNG = FileKind("PNG image", "image/png", (".png",))
JPEG = FileKind("JPEG image", "image/jpeg", (".jpg", ".jpeg"))
DOCX = FileKind(
    "Word document",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    (".docx",),
)
XLSX = FileKind(
    "Excel workbook",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    (".xlsx",),
)
PPTX = FileKind(
    "PowerPoint presentation",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    (".pptx",),
)
TEXT = FileKind("plain text", "text/plain", (".txt",))
CSV = FileKind("CSV", "text/csv", (".csv",))
ALLOWED_KINDS = (PDF, PNG, JPEG, DOCX, XLSX, PPTX, TEXT, CSV)
ALLOWED_EXTENSIONS = tuple(ext for kind in ALLOWED_KINDS for ext in kind.extensions)
ALLOWED_SUMMARY = "PDF, PNG, JPEG, Word (.docx), Excel (.xlsx), PowerPoint (.pptx), text or CSV"

# Programs, refused with their own message whatever the file is called.
EXECUTABLE_MAGIC = (
    (b"\x7fELF", "a Linux program (ELF)"),
    (b"MZ", "a Windows program (EXE/DLL)"),
    (b"\xfe\xed\xfa\xce", "a macOS program (Mach-O)"),
    (b"\xfe\xed\xfa\xcf", "a macOS program (Mach-O)"),
    (b"\xce\xfa\xed\xfe", "a macOS program (Mach-O)"),
    (b"\xcf\xfa\xed\xfe", "a macOS program (Mach-O)"),
    (b"\xca\xfe\xba\xbe", "a macOS or Java program"),
)
OOXML_PARTS = (("word/", DOCX), ("xl/", XLSX), ("ppt/", PPTX))


def detect_kind(data: bytes, extension: str) -> FileKind | None:
    """The allowed kind ``data`` holds, judged by its bytes (``None`` if none).

    ``extension`` only decides between text and CSV, which no byte pattern tells apart.
    """
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"PK\x03\x04"):
        return _ooxml_kind(data)
    if b"\x00" not in data:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return None
        return CSV if extension == ".csv" else TEXT
    return None


def _ooxml_kind(data: bytes) -> FileKind | None:
    """Word, Excel or PowerPoint: a zip holding ``[Content_Types].xml`` and its main folder."""
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            names = archive.namelist()
    except zipfile.BadZipFile:
        return None
    if "[Content_Types].xml" not in names:
        return None
    for prefix, kind in OOXML_PARTS:
        if any(name.startswith(prefix) for name in names):
            return kind
    return None


def check_upload(filename: str | None, data: bytes, max_bytes: int) -> FileKind:
    """The kind of an acceptable upload.

    :raise DocumentRefusedError: for an empty, oversize, executable or unlisted file, or one
        whose extension does not agree with its content.
    """
    name = (filename or "").strip()
    if not name or not data:
        raise DocumentRefusedError("Choose a file to upload (an empty file cannot be stored).")
    if len(data) > max_bytes:
        raise DocumentRefusedError(
            f"The file is {_size(len(data))}; files may be at most {_size(max_bytes)}."
        )
    for magic, what in EXECUTABLE_MAGIC:
        if data.startswith(magic):
            raise DocumentRefusedError(
                f"{name} is {what}, whatever its name says. Programs cannot be uploaded; "
                f"allowed files are {ALLOWED_SUMMARY}."
            )
    extension = os.path.splitext(name)[1].lower()
    kind = detect_kind(data, extension)
    if kind is None:
        raise DocumentRefusedError(
            f"The content of {name} is not an allowed file type; allowed files are "
            f"{ALLOWED_SUMMARY} (checked by content, not by name)."
        )
    if extension not in kind.extensions:
        raise DocumentRefusedError(
            f"The content of {name} is of type {kind.label}, but the name "
            f"{f'ends in {extension}' if extension else 'has no extension'}; "
            f"name it {' or '.join(kind.extensions)}."
        )
    return kind


def _size(count: int) -> str:
    if count >= 1024 * 1024:
        return f"{count / (1024 * 1024):.1f} MB"
    if count >= 1024:
        return f"{count / 1024:.1f} KB"
    return f"{count} bytes"


def _read_upload(upload, max_bytes: int) -> bytes:
    """At most ``max_bytes + 1`` bytes of a werkzeug ``FileStorage`` (enough to tell oversize)."""
    if upload is None:
        return b""
    stream = getattr(upload, "stream", upload)
    return stream.read(max_bytes + 1)


def documents_folder() -> Path:
    """Where document files live: a subfolder of ``UPLOAD_FOLDER``, out of FAB's own
    ``/download/<filename>`` routes, which serve the top of that folder to any reader."""
    return Path(current_app.config["UPLOAD_FOLDER"]) / DOCUMENTS_SUBFOLDER


# ---------------------------------------------------------------- document


class ClientDocument(Model):
    """One stored file of a client, with its type and whether the client may see it."""

    __tablename__ = "client_document"
    __table_args__ = (
        CheckConstraint(_choice_sql("type", DOCUMENT_TYPES), name="ck_client_document_type"),
        CheckConstraint("size_bytes > 0", name="ck_client_document_size"),
        UniqueConstraint("stored_filename", name="uq_client_document_stored_filename"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id"), nullable=False, index=True)
    # active_history: an edit's "before" is kept for the timeline even on an expired record.
    title: Mapped[str] = mapped_column(String(TITLE_MAX), nullable=False, active_history=True)
    type: Mapped[str] = mapped_column(
        String(12), nullable=False, default="other", active_history=True
    )
    # Shown in the client portal (a later issue reads it); staff-only by default.
    visible_to_client: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=False, server_default=false(), active_history=True
    )
    original_filename: Mapped[str] = mapped_column(String(255), nullable=False)
    stored_filename: Mapped[str] = mapped_column(String(64), nullable=False)
    content_type: Mapped[str] = mapped_column(String(100), nullable=False)
    size_bytes: Mapped[int] = mapped_column(Integer, nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set on documents the app renders itself (``jobs.documents``): the record it was rendered
    # from ("<kind>:<id>") and a fingerprint of that record, so an unchanged record is not
    # rendered and stored twice.
    source: Mapped[str | None] = mapped_column(String(60), index=True)
    source_fingerprint: Mapped[str | None] = mapped_column(String(64))

    client: Mapped[Client] = relationship(Client)
    uploaded_by: Mapped[User | None] = relationship(User, lazy="joined")

    def __str__(self) -> str:
        return self.title or self.original_filename

    # ------------------------------------------------------------ derived values

    @property
    def path(self) -> Path:
        return documents_folder() / self.stored_filename

    @property
    def size_label(self) -> str:
        return _size(self.size_bytes or 0)

    # ------------------------------------------------------------ rules

    def violations(self) -> list[DocumentError]:
        errors = []
        if self.client is None and self.client_id is None:
            errors.append(DocumentError("Choose the client the document belongs to.", "client"))
        if _blank(self.title):
            errors.append(DocumentError("Title is required.", "title"))
        elif len(self.title.strip()) > TITLE_MAX:
            errors.append(
                DocumentError(f"Title must be at most {TITLE_MAX} characters long.", "title")
            )
        if self.type not in DOCUMENT_TYPES:
            errors.append(
                DocumentError(f"Type must be one of {', '.join(DOCUMENT_TYPES)}.", "type")
            )
        return errors

    def validate(self) -> None:
        """:raise DocumentError: for the first rule this document breaks."""
        errors = self.violations()
        if errors:
            raise errors[0]

    # ------------------------------------------------------------ actions

    @classmethod
    def action_store(
        cls,
        client: Client,
        upload,
        title: str | None,
        type: str,
        visible: bool,
        by: User | None,
    ) -> ClientDocument:
        """Check ``upload`` (a werkzeug ``FileStorage``), write it, add the document and its
        timeline entry to the session (the caller commits; on failure it calls ``discard``).

        :raise DocumentRefusedError: when the file is refused (field ``file``); nothing is written.
        :raise DocumentError: when the title, type or client break a rule; nothing is written.
        """
        max_bytes = int(current_app.config.get("DOCUMENT_MAX_BYTES") or DEFAULT_MAX_BYTES)
        filename = os.path.basename((getattr(upload, "filename", None) or "").replace("\\", "/"))
        document = cls(
            client=client, title=(title or "").strip(), type=type, visible_to_client=bool(visible)
        )
        document.validate()
        data = _read_upload(upload, max_bytes)
        kind = check_upload(filename, data, max_bytes)
        document.original_filename = filename[-255:]
        document.stored_filename = f"{secrets.token_hex(16)}{kind.extensions[0]}"
        document.content_type = kind.content_type
        document.size_bytes = len(data)
        document.sha256 = hashlib.sha256(data).hexdigest()
        document.uploaded_by = by
        document.uploaded_at = utcnow()
        document._write(data)
        session = _session()
        session.add(document)
        session.flush()
        record_activity(
            session,
            "document",
            f"Document uploaded: {document.title} ({document.original_filename}, "
            f"{document.type}{', visible to the client' if document.visible_to_client else ''})",
            client_id=client.id,
            subject=document,
            actor=by,
        )
        return document

    @classmethod
    def latest_generated(cls, source: str) -> ClientDocument | None:
        """The document last rendered from ``source`` ("<kind>:<id>"), archived or not."""
        return _session().scalar(
            select(cls).where(cls.source == source).order_by(cls.id.desc()).limit(1)
        )

    @classmethod
    def action_store_generated(
        cls,
        client: Client,
        data: bytes,
        filename: str,
        title: str,
        type: str,
        visible: bool,
        source: str,
        fingerprint: str | None = None,
        by: User | None = None,
    ) -> ClientDocument:
        """Store a file the app rendered from ``source`` ("<kind>:<id>") as a document of
        ``client``, archiving the earlier ones of the same source (kept, never deleted), and add
        its timeline entry to the session (the caller commits; on failure it calls ``discard``).

        :raise DocumentError: when the title, type or client break a rule, or ``data`` is not
            an allowed kind for ``filename``; nothing is written.
        """
        filename = os.path.basename(filename.replace("\\", "/"))[-255:]
        document = cls(
            client=client,
            title=(title or "").strip()[:TITLE_MAX],
            type=type,
            visible_to_client=bool(visible),
            source=source,
            source_fingerprint=fingerprint,
        )
        document.validate()
        kind = detect_kind(data, os.path.splitext(filename)[1].lower())
        if kind is None or not filename.lower().endswith(kind.extensions):
            raise DocumentError(f"{filename} is not an allowed file of its kind.", "file")
        session = _session()
        earlier = session.scalars(
            select(cls).where(cls.source == source, cls.archived_at.is_(None))
        ).all()
        document.original_filename = filename
        document.stored_filename = f"{secrets.token_hex(16)}{kind.extensions[0]}"
        document.content_type = kind.content_type
        document.size_bytes = len(data)
        document.sha256 = hashlib.sha256(data).hexdigest()
        document.uploaded_by = by
        document.uploaded_at = utcnow()
        document._write(data)
        for old in earlier:
            old.archived_at = document.uploaded_at
        session.add(document)
        session.flush()
        record_activity(
            session,
            "document",
            f"Document {'regenerated' if earlier else 'generated'}: {document.title} "
            f"({document.original_filename}, {document.type}"
            f"{', visible to the client' if document.visible_to_client else ''})",
            client_id=client.id,
            subject=document,
            actor=by,
        )
        return document

    def _write(self, data: bytes) -> None:
        """Write the file under its generated name, all or nothing (temp file, then rename)."""
        folder = documents_folder()
        folder.mkdir(parents=True, exist_ok=True)
        partial = folder / f".{self.stored_filename}.part"
        partial.write_bytes(data)
        os.replace(partial, self.path)

    def discard(self) -> None:
        """Remove the file of a document whose row was not committed (an orphan otherwise)."""
        self.path.unlink(missing_ok=True)

    def action_update(self, by: User | None = None) -> None:
        """Put the pending edit (title, type, visibility) on the timeline with before and after;
        the caller commits. Showing a document to the client is worth knowing who did it.

        :raise DocumentError: for the first rule the edited document breaks.
        """
        session = _session()
        with session.no_autoflush:  # an autoflush would clear the history read here
            state = inspect(self)
            changes = {}
            for name in ("title", "type", "visible_to_client"):
                history = state.attrs[name].history
                if history.has_changes():
                    before = history.deleted[0] if history.deleted else None
                    changes[name] = [before, getattr(self, name)]
            self.validate()
        if not changes:
            return
        record_activity(
            session,
            "document",
            f"Document changed: {self.title} ({', '.join(changes)})",
            client_id=self.client_id,
            subject=self,
            actor=by,
            changes=changes,
        )

    def action_archive(self, by: User | None = None) -> None:
        """Take the document off the client page; the row and the file are kept.

        :raise DocumentError: when it is archived already.
        """
        if self.archived_at is not None:
            raise DocumentError(f"{self.title} is archived already.")
        self.archived_at = utcnow()
        record_activity(
            _session(),
            "document",
            f"Document archived: {self.title} ({self.original_filename})",
            client_id=self.client_id,
            subject=self,
            actor=by,
        )
