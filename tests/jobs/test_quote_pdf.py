"""The quote's PDF: rendered by the document job, stored as the client's document, and
readable (pypdf finds the number, the client, every line and the total)."""

from __future__ import annotations

import io

import pypdf
import pytest

from extensions import db
from jobs.documents import enqueue_document
from models import ClientDocument
from tests.models.test_quotes import draft

pytestmark = pytest.mark.usefixtures("ctx")


def _text(document: ClientDocument) -> str:
    reader = pypdf.PdfReader(io.BytesIO(document.path.read_bytes()))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def test_a_sent_quotes_pdf_holds_its_number_client_lines_and_total():
    quote = draft()
    quote.action_send()
    db.session.commit()
    enqueue_document("quote", quote.id)
    document = db.session.scalars(
        db.select(ClientDocument).where(ClientDocument.client_id == quote.client_id)
    ).one()
    text = _text(document)
    assert quote.number in text and quote.client.name in text
    for line in quote.lines:
        assert line.description in text
    assert "113,401.51" in text and "USD" in text
    assert document.type == "quote" and document.visible_to_client


def test_a_revision_renders_its_own_document_and_keeps_the_first():
    quote = draft()
    quote.action_send()
    db.session.commit()
    enqueue_document("quote", quote.id)
    revised = quote.action_revise()
    db.session.commit()
    enqueue_document("quote", revised.id)
    titles = set(db.session.scalars(db.select(ClientDocument.title)))
    assert titles == {f"Quote {quote.number} (version 1)", f"Quote {quote.number} (version 2)"}
