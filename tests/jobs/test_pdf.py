"""PDF documents: the WeasyPrint renderer, its URL fetcher and the render-and-store job.

A test-only document kind (a client's summary on the sample template) stands in for the
quotes, contracts and offers that register their own kinds.
"""

import io
import socket
from pathlib import Path

import pypdf
import pytest
from sqlalchemy import func, select

from extensions import db
from jobs.documents import (
    DOCUMENT_KINDS,
    document_preview,
    enqueue_document,
    register_document_kind,
    render_document_job,
    source_of,
)
from jobs.pdf import StaticFilesFetcher, URLRefusedError, html_to_pdf, render_pdf, static_root
from models import Activity, Client, ClientDocument
from tests.factories import ClientFactory

KIND = "test_client_summary"


def line(n: int) -> dict:
    return {
        "description": f"Retained search stage {n}",
        "quantity": n,
        "rate": "1,250.00",
        "amount": f"{1250 * n:,}.00",
    }


def summary_context(client: Client) -> dict:
    return {
        "document_title": "Client summary",
        "number": f"CS-{client.id:05d}",
        "client": client,
        "lines": [line(1), line(2), {**line(3), "description": f"Account review: {client.name}"}],
        "total": "7,500.00",
        "currency": client.currency,
        "terms": [f"Payment within {client.payment_term_days} days."],
    }


@pytest.fixture(autouse=True)
def summary_kind():
    """The test-only kind, registered for each test and removed after it."""
    register_document_kind(
        KIND,
        load=lambda client_id: db.session.get(Client, client_id),
        template="documents/sample.html",
        context=summary_context,
        client=lambda client: client,
        filename=lambda client: f"summary-{client.id}.pdf",
        title=lambda client: f"Summary of {client.name}",
        type="report",
    )
    yield
    DOCUMENT_KINDS.pop(KIND, None)


@pytest.fixture
def upload_folder(app, tmp_path):
    before = app.config["UPLOAD_FOLDER"]
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    yield tmp_path / "uploads"
    app.config["UPLOAD_FOLDER"] = before


def pdf_pages(data: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages]


def sample(lines: list[dict], **context) -> bytes:
    return render_pdf(
        "documents/sample.html",
        document_title="Quote",
        number="Q-2026-0042",
        client={"name": "Harbor Logistics Inc."},
        lines=lines,
        total="98,765.00",
        currency="PHP",
        **context,
    )


# ---------------------------------------------------------------- rendering


def test_a_pdf_holds_its_title_number_client_every_line_and_the_total(ctx):
    data = sample([line(1), line(2), line(3)], terms=["Replacement guarantee: 90 days."])
    assert data.startswith(b"%PDF-")
    text = "\n".join(pdf_pages(data))
    for expected in (
        "QUOTE",
        "Q-2026-0042",
        "Harbor Logistics Inc.",
        "Northstar Talent Partners",
        "Replacement guarantee: 90 days.",
        "98,765.00",
    ):
        assert expected in text
    for n in (1, 2, 3):
        assert f"Retained search stage {n} {n} 1,250.00 {1250 * n:,}.00" in text


def test_pages_are_numbered_page_n_of_m(ctx):
    pages = pdf_pages(sample([line(n) for n in range(1, 31)]))
    assert len(pages) == 2
    assert "Page 1 of 2" in pages[0] and "Page 2 of 2" in pages[1]
    assert "Q-2026-0042" in pages[1]  # the running footer names the document on every page


def test_the_letterhead_uses_the_configured_agency_name(app, ctx, monkeypatch):
    # monkeypatch puts the suite's own name back (deleting it broke later tests' mails).
    monkeypatch.setitem(app.config, "AGENCY_NAME", "Harborview Search Partners")
    text = "\n".join(pdf_pages(sample([line(1)])))
    assert "Harborview Search Partners" in text and "Northstar" not in text


def test_the_html_preview_is_the_same_template_with_the_stylesheet_from_static(ctx):
    client = ClientFactory(name="Preview Co")
    html = document_preview(KIND, client)
    assert 'href="/static/documents.css"' in html
    assert "Account review: Preview Co" in html and "CS-" in html


# ---------------------------------------------------------------- URL fetcher


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/logo.png",
        "https://example.com/style.css",
        "ftp://example.com/file",
        "file:///etc/passwd",
        "file://{static}/../app.py",
        "file://{static}/missing.css",
    ],
)
def test_the_fetcher_refuses_anything_but_the_apps_static_files(ctx, url):
    fetcher = StaticFilesFetcher(static_root())
    with pytest.raises(URLRefusedError):
        fetcher.fetch(url.format(static=static_root()))


def test_the_fetcher_serves_static_files_and_data_urls(ctx):
    fetcher = StaticFilesFetcher(static_root())
    css = fetcher.fetch((static_root() / "documents.css").as_uri())
    assert b"@page" in css.read() and css.content_type == "text/css"
    assert fetcher.fetch("data:text/plain;base64,aGk=").read() == b"hi"


def test_a_document_linking_outside_urls_renders_without_fetching_them(ctx, monkeypatch):
    asked, refused = [], []
    real_fetch = StaticFilesFetcher.fetch

    def spy(self, url, headers=None):
        asked.append(url)
        try:
            return real_fetch(self, url, headers)
        except URLRefusedError:
            refused.append(url)
            raise

    def no_network(*args, **kwargs):
        raise AssertionError("a document opened a network connection")

    monkeypatch.setattr(StaticFilesFetcher, "fetch", spy)
    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    html = (
        '<html><head><link rel="stylesheet" href="documents.css">'
        '<link rel="stylesheet" href="https://example.com/evil.css"></head>'
        '<body><p>Still rendered</p><img src="http://example.com/pixel.png">'
        '<img src="file:///etc/passwd"></body></html>'
    )
    data = html_to_pdf(html)
    assert "Still rendered" in pdf_pages(data)[0]
    assert set(refused) == {
        "https://example.com/evil.css",
        "http://example.com/pixel.png",
        "file:///etc/passwd",
    }
    assert set(asked) - set(refused) == {(static_root() / "documents.css").as_uri()}


# ---------------------------------------------------------------- the job


def generated(client_id: int) -> list[ClientDocument]:
    return db.session.scalars(
        select(ClientDocument)
        .where(ClientDocument.client_id == client_id)
        .order_by(ClientDocument.id)
    ).all()


def test_the_job_stores_the_pdf_as_one_client_document(ctx, upload_folder):
    client = ClientFactory(name="Meridian Foods")
    db.session.commit()
    document_id = enqueue_document(KIND, client.id)  # inline: no REDIS_URL in the suite
    [document] = generated(client.id)
    assert document.id == document_id
    assert (document.type, document.title, document.original_filename) == (
        "report",
        "Summary of Meridian Foods",
        f"summary-{client.id}.pdf",
    )
    assert document.source == source_of(KIND, client.id)
    assert document.content_type == "application/pdf" and not document.visible_to_client
    text = "\n".join(pdf_pages(Path(document.path).read_bytes()))
    assert "Meridian Foods" in text and f"CS-{client.id:05d}" in text and "7,500.00" in text
    assert db.session.scalar(
        select(Activity.summary).where(Activity.kind == "document")
    ).startswith("Document generated: Summary of Meridian Foods")


def test_running_the_job_twice_stores_nothing_new(ctx, upload_folder):
    client = ClientFactory()
    db.session.commit()
    first = render_document_job(KIND, client.id)
    assert render_document_job(KIND, client.id) is None
    assert [d.id for d in generated(client.id)] == [first]
    assert len(list((upload_folder / "documents").iterdir())) == 1


def test_a_changed_record_is_rendered_again_and_replaces_the_earlier_document(ctx, upload_folder):
    client = ClientFactory(name="Old Name Ltd")
    db.session.commit()
    first = render_document_job(KIND, client.id)
    client.name = "New Name Ltd"
    db.session.commit()
    second = render_document_job(KIND, client.id)
    old, new = generated(client.id)
    assert (old.id, new.id) == (first, second)
    assert old.archived_at is not None and new.archived_at is None
    assert old.path.exists()  # documents are archived, never deleted
    assert "New Name Ltd" in "\n".join(pdf_pages(new.path.read_bytes()))
    assert render_document_job(KIND, client.id) is None


def test_a_record_gone_since_it_was_queued_is_nothing_to_render(ctx, upload_folder):
    assert render_document_job(KIND, 999_999) is None
    assert db.session.scalar(select(func.count(ClientDocument.id))) == 0


def test_an_unregistered_kind_is_refused_when_queued(ctx):
    with pytest.raises(KeyError):
        enqueue_document("no_such_kind", 1)
