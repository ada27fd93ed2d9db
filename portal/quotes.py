"""The employer's quotes: the list, the quote as a document, and the answer to it.

Everything here needs the ``signatory`` area and reads through the access helper; another
client's quote, and any draft (the client never sees one), answer 404. Opening a sent quote
marks it viewed. Accepting takes the typed full name (time and IP are kept as the acceptance
record); declining takes a reason. Both are plain forms; a refusal re-renders the quote with
the model's message beside the field (or as a banner for the quote's status) and 422.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask import abort, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from wtforms import StringField, TextAreaField

from admin.documents import attachment
from extensions import db
from jobs.documents import source_of
from models import ClientDocument, Quote, QuoteError
from models.commercial import OPEN_STATUSES

from . import bp
from .access import client_query, current_link, get_for_client, portal_login_required

STATUS_LABELS = {
    "sent": "Awaiting your answer",
    "viewed": "Awaiting your answer",
    "accepted": "Accepted",
    "declined": "Declined",
    "expired": "Expired",
}


@bp.app_template_filter("quantity")
def quantity(value: Decimal) -> str:
    """1.00 -> '1', 2.50 -> '2.5'."""
    text = f"{value:,.2f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


@bp.app_template_filter("amount")
def amount(value: Decimal) -> str:
    """A money amount already rounded to its currency's minor unit, with thousands separators."""
    return f"{value:,}"


@bp.app_template_filter("payment_terms")
def payment_terms(value: str | None) -> str:
    """'net_30' -> 'Net 30 days'; 'immediate' -> 'Due on receipt'."""
    if not value:
        return "Not set"
    if value == "immediate":
        return "Due on receipt"
    return f"Net {value.removeprefix('net_')} days"


class AcceptForm(FlaskForm):
    name = StringField("Your full name")


class DeclineForm(FlaskForm):
    reason = TextAreaField("Reason")


@dataclass
class QuoteRow:
    """One quote version as the client sees it, with the version that replaced it."""

    quote: Quote
    successor: Quote | None = None

    @property
    def status(self) -> str:
        """The badge's key: ``expired`` as soon as the date has passed, before the daily job."""
        return "expired" if self.quote.is_expired else self.quote.status

    @property
    def label(self) -> str:
        if self.quote.status == "revised":
            if self.successor is not None:
                return f"Replaced by v{self.successor.version}"
            return "New version in preparation"
        return STATUS_LABELS.get(self.status, self.status.capitalize())

    @property
    def awaiting(self) -> bool:
        return self.quote.status in OPEN_STATUSES and not self.quote.is_expired


# ---------------------------------------------------------------- queries


def _visible():
    """The client's quotes the client may see: every version except drafts."""
    return client_query(Quote).where(Quote.status != "draft")


def _visible_quote(quote_id: int) -> Quote:
    """:raise 404: for another client's quote, a missing one, or a draft."""
    quote = get_for_client(Quote, quote_id)
    if quote.status == "draft":
        abort(404)
    return quote


def _rows(quotes: list[Quote]) -> list[QuoteRow]:
    """Rows with each revised version's successor (among the visible versions)."""
    by_previous = {quote.previous_id: quote for quote in quotes if quote.previous_id}
    return [QuoteRow(quote, by_previous.get(quote.id)) for quote in quotes]


def _versions(quote: Quote) -> list[QuoteRow]:
    """Every visible version of ``quote``'s number, latest first."""
    versions = db.session.scalars(
        _visible().where(Quote.number == quote.number).order_by(Quote.version.desc())
    ).all()
    return _rows(list(versions))


def awaiting_answer(limit: int = 5) -> tuple[int, list[Quote]]:
    """How many of the client's quotes await an answer, and the first ``limit`` by date.

    Two queries, whatever the number of quotes (the dashboard card).
    """
    query = client_query(Quote).where(
        Quote.status.in_(OPEN_STATUSES), Quote.valid_until >= date.today()
    )
    count = db.session.scalar(select(func.count()).select_from(query.subquery()))
    first = db.session.scalars(query.order_by(Quote.valid_until, Quote.id).limit(limit)).all()
    return count or 0, list(first)


# ---------------------------------------------------------------- pages


@bp.route("/quotes")
@portal_login_required("signatory")
def quotes():
    """The client's quotes, grouped by number, the latest version first."""
    found = db.session.scalars(
        _visible()
        .options(selectinload(Quote.lines))
        .order_by(Quote.number.desc(), Quote.version.desc())
    ).all()
    rows = _rows(list(found))
    groups: dict[str, list[QuoteRow]] = {}
    for row in rows:
        groups.setdefault(row.quote.number, []).append(row)
    return render_template("portal/quotes.html", groups=list(groups.values()))


@bp.route("/quotes/<int:quote_id>")
@portal_login_required("signatory")
def quote(quote_id: int):
    """The quote as a document; opening a sent quote marks it viewed."""
    found = _visible_quote(quote_id)
    if found.status == "sent":
        found.action_mark_viewed()
        db.session.commit()
    return _render(found)


@bp.route("/quotes/<int:quote_id>.pdf")
@portal_login_required("signatory")
def quote_pdf(quote_id: int):
    """The quote's PDF, as rendered by the document job.

    :raise 404: for a quote that is not the client's (or a draft), or whose PDF is not ready.
    """
    found = _visible_quote(quote_id)
    document = db.session.scalar(
        client_query(ClientDocument).where(
            ClientDocument.source == source_of("quote", found.id),
            ClientDocument.visible_to_client.is_(True),
            ClientDocument.archived_at.is_(None),
        )
    )
    if document is None or not document.path.exists():
        abort(404)
    return attachment(document)


@bp.route("/quotes/<int:quote_id>/accept", methods=["POST"])
@portal_login_required("signatory")
def accept_quote(quote_id: int):
    """Accept with the typed full name; the time and the IP address are kept."""
    found = _visible_quote(quote_id)
    form = AcceptForm()
    try:
        found.action_accept(form.name.data, request.remote_addr, current_link().contact)
    except QuoteError as error:
        db.session.rollback()
        return _refused(found, error, accept_form=form)
    db.session.commit()
    flash(f"Thank you: quote {found.reference} is accepted.", "success")
    return redirect(url_for("portal.quote", quote_id=found.id), 303)


@bp.route("/quotes/<int:quote_id>/decline", methods=["POST"])
@portal_login_required("signatory")
def decline_quote(quote_id: int):
    """Decline with a reason (the account manager reads it)."""
    found = _visible_quote(quote_id)
    form = DeclineForm()
    try:
        found.action_decline(form.reason.data, current_link().contact)
    except QuoteError as error:
        db.session.rollback()
        return _refused(found, error, decline_form=form)
    db.session.commit()
    flash(f"Quote {found.reference} is declined. Your account manager will be in touch.", "info")
    return redirect(url_for("portal.quote", quote_id=found.id), 303)


# ---------------------------------------------------------------- helpers


def _render(quote: Quote, accept_form=None, decline_form=None, banner=None, status=200):
    versions = _versions(quote)
    row = next(row for row in versions if row.quote.id == quote.id)
    return (
        render_template(
            "portal/quote.html",
            quote=quote,
            row=row,
            versions=versions,
            current=versions[0].quote,
            accept_form=accept_form or AcceptForm(formdata=None),
            decline_form=decline_form or DeclineForm(formdata=None),
            banner=banner,
        ),
        status,
    )


def _refused(quote: Quote, error: QuoteError, accept_form=None, decline_form=None):
    """The quote again with the reason beside the field it names, or as a banner; 422."""
    form = accept_form or decline_form
    field = getattr(form, error.field or "", None) if form is not None else None
    if field is not None and error.field in ("name", "reason"):
        field.errors = [error.message]
        banner = None
    else:
        banner = error.message
    return _render(quote, accept_form, decline_form, banner=banner, status=422)
