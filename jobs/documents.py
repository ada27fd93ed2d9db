"""PDF documents rendered from records (quotes, contracts, offer letters) and kept as the
client's documents.

A module that owns a kind of record registers it once, at import::

    register_document_kind(
        "quote",
        load=lambda quote_id: db.session.get(Quote, quote_id),
        template="documents/quote.html",
        context=lambda quote: {"quote": quote, "number": quote.number, "client": quote.client},
        client=lambda quote: quote.client,
        filename=lambda quote: f"quote-{quote.number}-v{quote.version}.pdf",
        title=lambda quote: f"Quote {quote.number} (version {quote.version})",
        type="quote",
        visible=lambda quote: quote.status != "draft",
    )

and, after the commit that changed a record, calls ``enqueue_document("quote", quote.id)``.
The job renders in a worker (inline without ``REDIS_URL``) and stores the PDF with
``ClientDocument.action_store_generated``, archiving the one it replaces. It is idempotent: the
stored document keeps a fingerprint of what it was rendered from (by default the rendered HTML;
a kind may give a cheaper ``fingerprint(record)`` such as id, version and ``updated_at``), and
a run whose fingerprint equals the last stored one does nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from extensions import db
from models import Client
from models.documents import ClientDocument

from . import enqueue, job
from .pdf import html_to_pdf, render_html


@dataclass(frozen=True)
class DocumentKind:
    """How to render one kind of record: each callable takes the loaded record."""

    load: Callable[[int], Any]  # the record by id, or None when it is gone
    template: str  # e.g. "documents/quote.html", extending documents/base.html
    context: Callable[[Any], dict]  # the template's context
    client: Callable[[Any], Client]  # whose document it is
    filename: Callable[[Any], str]  # the download name, ending in .pdf
    title: Callable[[Any], str]  # the document's title on the client page
    type: str = "other"  # one of models.documents.DOCUMENT_TYPES
    visible: bool | Callable[[Any], bool] = False  # shown in the client portal
    fingerprint: Callable[[Any], str] | None = None  # None: the rendered HTML


DOCUMENT_KINDS: dict[str, DocumentKind] = {}


def register_document_kind(name: str, **fields) -> DocumentKind:
    """Register (or replace) the document kind ``name``; ``fields`` are ``DocumentKind``'s."""
    kind = DocumentKind(**fields)
    DOCUMENT_KINDS[name] = kind
    return kind


def source_of(kind: str, record_id: int) -> str:
    """What a generated document records as its source: ``"<kind>:<id>"``."""
    return f"{kind}:{record_id}"


def document_preview(kind: str, record) -> str:
    """The HTML preview of ``record``'s document (same template as its PDF)."""
    spec = DOCUMENT_KINDS[kind]
    return render_html(spec.template, **spec.context(record))


def _fingerprint(spec: DocumentKind, record, html: str) -> str:
    basis = spec.fingerprint(record) if spec.fingerprint else html
    return hashlib.sha256(f"{spec.template}\n{basis}".encode()).hexdigest()


@job
def render_document_job(kind: str, record_id: int) -> int | None:
    """Render the PDF of record ``record_id`` of ``kind`` and store it as its client's document;
    returns the new document's id, or None when the record is gone or unchanged since."""
    spec = DOCUMENT_KINDS[kind]
    source = source_of(kind, record_id)
    record = spec.load(record_id)
    if record is None:
        return None
    html = render_html(spec.template, pdf=True, **spec.context(record))
    fingerprint = _fingerprint(spec, record, html)
    if _current(source) == fingerprint:
        db.session.rollback()
        return None
    data = html_to_pdf(html)
    client = spec.client(record)
    # Two runs for the same record (a retry, a double enqueue) queue up here, on the client's
    # row, and the second sees the first's document below (PostgreSQL; SQLite has one writer).
    db.session.execute(select(Client.id).where(Client.id == client.id).with_for_update())
    if _current(source) == fingerprint:
        db.session.rollback()
        return None
    visible = spec.visible(record) if callable(spec.visible) else spec.visible
    document = ClientDocument.action_store_generated(
        client,
        data,
        filename=spec.filename(record),
        title=spec.title(record),
        type=spec.type,
        visible=visible,
        source=source,
        fingerprint=fingerprint,
    )
    try:
        db.session.commit()
    except BaseException:
        db.session.rollback()
        document.discard()
        raise
    return document.id


def _current(source: str) -> str | None:
    latest = ClientDocument.latest_generated(source)
    return latest.source_fingerprint if latest else None


def enqueue_document(kind: str, record_id: int):
    """Render ``kind`` ``record_id``'s PDF in a worker (inline without ``REDIS_URL``); call it
    after the commit that changed the record."""
    if kind not in DOCUMENT_KINDS:
        raise KeyError(f"No document kind {kind!r} is registered.")
    return enqueue(render_document_job, kind, record_id)


# The kinds of record rendered as documents register themselves at import; importing them here
# makes sure a worker that runs this job knows every kind.
from . import contract_documents, invoice_documents, quote_documents  # noqa: E402,F401
