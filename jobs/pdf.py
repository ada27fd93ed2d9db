"""Documents rendered from Jinja templates: as HTML for a preview, through WeasyPrint for a PDF.

One template per document type (under ``templates/documents/``, extending
``documents/base.html``) serves both. Templates link their files with ``asset("name")``: in
HTML it is the app's ``/static/name``; in a PDF it is a path relative to ``base_url``, the
app's static folder, read by ``StaticFilesFetcher``, which serves files under ``static/`` and
``data:`` URLs and refuses everything else (http, https, ftp, files elsewhere), so a document
can never make the worker fetch from the network or read the disk.

Rendering a PDF is slow (tens of milliseconds a page): do it in a job (``jobs.documents``),
never in a request. Font set-up dominates small documents, so one ``FontConfiguration`` is made
per process, on first use.

The letterhead reads ``AGENCY_NAME`` (default "Northstar Talent Partners"), and, when set,
``AGENCY_ADDRESS``, ``AGENCY_EMAIL``, ``AGENCY_PHONE`` and ``AGENCY_WEBSITE`` from the config.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from flask import current_app, has_request_context, render_template, request
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse, path2url

DEFAULT_AGENCY_NAME = "Northstar Talent Partners"
AGENCY_FIELDS = ("address", "email", "phone", "website")

_font_config: FontConfiguration | None = None


class URLRefusedError(ValueError):
    """A document asked for a URL outside the app's static files."""


def font_config() -> FontConfiguration:
    """The process's one ``FontConfiguration``, made on first use."""
    global _font_config
    if _font_config is None:
        _font_config = FontConfiguration()
    return _font_config


class StaticFilesFetcher(URLFetcher):
    """WeasyPrint's URL fetcher for documents: ``data:`` URLs and files under ``root`` only."""

    def __init__(self, root: str | Path):
        super().__init__(allowed_protocols=("data",))
        self.root = Path(root).resolve()

    def fetch(self, url, headers=None):
        """The resource at ``url``.

        :raise URLRefusedError: for any URL but ``data:`` and an existing file under ``root``.
        """
        scheme = urlsplit(url).scheme.lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme != "file":
            raise URLRefusedError(f"Documents may not fetch {url}: only the app's static files.")
        path = Path(url2pathname(urlsplit(url).path)).resolve()
        if not path.is_relative_to(self.root) or not path.is_file():
            raise URLRefusedError(f"Documents may not read {url}: only the app's static files.")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(
            path2url(str(path)), path.read_bytes(), {"Content-Type": content_type}
        )


def static_root() -> Path:
    return Path(current_app.static_folder).resolve()


def agency() -> dict:
    """The agency's letterhead details from the config."""
    config = current_app.config
    details = {"name": config.get("AGENCY_NAME") or DEFAULT_AGENCY_NAME}
    for field in AGENCY_FIELDS:
        details[field] = config.get(f"AGENCY_{field.upper()}") or None
    return details


def _static_url(filename: str) -> str:
    prefix = request.script_root if has_request_context() else ""
    return f"{prefix}{current_app.static_url_path}/{filename}"


def render_html(template_name: str, *, pdf: bool = False, **context) -> str:
    """The document ``template_name`` as HTML: for the browser, or (``pdf``) for WeasyPrint,
    whose asset links are relative to the static folder."""
    return render_template(
        template_name,
        agency=agency(),
        asset=(lambda filename: filename) if pdf else _static_url,
        pdf=pdf,
        **context,
    )


def html_to_pdf(html: str) -> bytes:
    """The PDF of a document's HTML (made by ``render_html(..., pdf=True)``)."""
    root = static_root()
    document = HTML(
        string=html,
        base_url=path2url(str(root)),  # a folder: ends in "/"
        url_fetcher=StaticFilesFetcher(root),
    )
    return document.write_pdf(font_config=font_config())


def render_pdf(template_name: str, **context) -> bytes:
    """The document ``template_name`` as a PDF (slow: call it from a job)."""
    return html_to_pdf(render_html(template_name, pdf=True, **context))
