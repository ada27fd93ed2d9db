"""Quotes on the staff side: the list, a new quote (numbered by ``Quote.action_create``), a
draft's edit, and the quote page with its lines and totals, lines added and removed while
it is a draft, Send, Revise, every version of its number, and once accepted the button that
converts it to a contract (``ContractView.from_quote``) or the link to that contract."""

from __future__ import annotations

from decimal import Decimal

from flask import abort, flash, redirect, url_for
from flask_appbuilder import expose
from flask_appbuilder.security.decorators import has_access, permission_name
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms import DecimalField, StringField
from wtforms.validators import InputRequired

from extensions import db
from jobs.quote_documents import send_quote as send_and_render
from models import DomainError, NotFoundError, Quote, QuoteLine, visible_client_ids
from models.commercial import SERVICE_TYPES
from models.recruiting import PAYMENT_TERMS

from .base import READ_WRITE, RulesModelView, field_error, id_fits
from .fields import choice
from .formats import day
from .projects import EagerInterface
from .roles import RESOURCE_PERMISSIONS
from .visibility import acting_user, client_is_visible, visible_to_user

REVISABLE = ("sent", "viewed", "declined", "expired")


def _money(amount: Decimal | None) -> str:
    return "—" if amount is None else f"{amount:,}"


class LineForm(FlaskForm):
    service_type = choice("Service type", SERVICE_TYPES, blank=None)
    description = StringField("Description")
    quantity = DecimalField("Quantity", default=Decimal(1), validators=[InputRequired()])
    rate = DecimalField("Rate", validators=[InputRequired()])


class QuoteView(RulesModelView):
    """Quotes of the clients the user works on."""

    datamodel = EagerInterface(Quote, (selectinload(Quote.lines),))
    class_permission_name = "Quote"
    base_permissions = RESOURCE_PERMISSIONS["Quote"]
    method_permission_name = {
        **READ_WRITE,
        "add_line": "write",
        "remove_line": "write",
        "revise_quote": "write",
        "send_quote": "send",
    }
    base_filters = [visible_to_user()]
    exclude_route_methods = {"delete"}  # a quote is kept: declined, expired or revised
    add_form_query_rel_fields = {"client": [visible_to_user("id")]}
    search_form_query_rel_fields = {"client": [visible_to_user("id")]}
    show_template = "admin/quote_show.html"

    list_title = "Quotes"
    add_title = "New quote"
    edit_title = "Edit draft quote"
    show_title = "Quote"
    list_columns = ["reference", "title", "client", "status", "total", "valid_until", "sent_at"]
    search_columns = ["number", "title", "client", "status", "valid_until"]
    order_columns = ["title", "status", "valid_until", "sent_at"]
    base_order = ("id", "desc")
    add_columns = [
        "client",
        "title",
        "currency",
        "discount_percent",
        "tax_rate",
        "payment_terms",
        "replacement_guarantee_days",
        "start_within_days",
        "valid_until",
        "terms",
    ]
    edit_columns = add_columns[1:]  # a quote stays with its client
    label_columns = {
        "reference": "Reference",
        "total": "Total",
        "valid_until": "Valid until",
        "sent_at": "Sent",
        "discount_percent": "Discount %",
        "tax_rate": "Tax %",
        "replacement_guarantee_days": "Replacement guarantee (days)",
        "start_within_days": "Start within (days)",
    }
    formatters_columns = {"total": _money, "sent_at": day}
    add_form_extra_fields = edit_form_extra_fields = {
        "payment_terms": choice("Payment terms", PAYMENT_TERMS, default="net_30"),
    }

    # ------------------------------------------------------------ new and edit

    @expose("/add", methods=["GET", "POST"])
    @has_access
    def add(self):
        """A new draft through ``Quote.action_create`` (which numbers it); a refused rule
        re-renders the form with the user's values and the message on its field."""
        form = self.add_form.refresh()
        if form.is_submitted() and form.validate():
            fields = {name: form[name].data for name in self.add_columns[1:]}
            client = form.client.data
            try:
                if client is None or not client_is_visible(client.id):
                    raise NotFoundError("Choose a client you work on.", "client")
                quote = Quote.action_create(client, acting_user(), **fields)
                db.session.commit()
            except DomainError as error:
                db.session.rollback()
                field_error(form, error)
            else:
                flash(f"Quote {quote.reference} drafted: add its lines.", "success")
                return redirect(url_for(".show", pk=quote.id))
        widget = self._get_add_widget(form=form)
        page = self.render_template(self.add_template, title=self.add_title, widgets=widget)
        return page, 422 if form.errors or any(f.errors for f in form) else 200

    @expose("/edit/<pk>", methods=["GET", "POST"])
    @has_access
    def edit(self, pk):
        """Only a draft is edited; a sent quote changes by revising it."""
        quote = self._quote_or_404(pk)
        if quote.status != "draft":
            flash(
                f"{quote.reference} is {quote.status}: revise it to change it "
                "(the sent version stays as it is).",
                "warning",
            )
            return redirect(url_for(".show", pk=quote.id))
        return super().edit(pk)

    # ------------------------------------------------------------ the quote page

    def _quote_or_404(self, pk) -> Quote:
        """:raise 404: for a quote that does not exist or whose client is not yours."""
        quote = self.datamodel.get(pk, self._base_filters) if id_fits(pk) else None
        if quote is None:
            abort(404)
        return quote

    @expose("/show/<pk>", methods=["GET"])
    @has_access
    def show(self, pk):
        """The quote: terms, lines, totals, actions, and every version of its number."""
        return self._page(self._quote_or_404(pk), LineForm(formdata=None))

    def _page(self, quote: Quote, form: LineForm, status: int = 200):
        versions = db.session.scalars(
            select(Quote)
            .where(
                Quote.number == quote.number,
                Quote.client_id.in_(visible_client_ids(acting_user())),
            )
            .order_by(Quote.version)
        ).all()
        sm = self.appbuilder.sm
        page = self.render_template(
            self.show_template,
            quote=quote,
            versions=versions,
            form=form,
            may_write=sm.has_access("can_write", self.class_permission_name),
            may_send=sm.has_access("can_send", self.class_permission_name),
            # Converting makes a contract: the Contract resource's write, not the quote's.
            may_convert=sm.has_access("can_write", "Contract"),
            may_read_contract=sm.has_access("can_read", "Contract"),
            revisable=quote.status in REVISABLE,
            money=_money,
            when=day,
            title=quote.reference,
        )
        return page, status

    @expose("/lines/<int:pk>/add", methods=["POST"])
    @has_access
    @permission_name("write")
    def add_line(self, pk):
        """Add a line to a draft; a refusal re-renders the page with the values."""
        quote = self._quote_or_404(pk)
        form = LineForm()
        if form.validate():
            try:
                with db.session.no_autoflush:
                    line = quote.add_line(
                        form.service_type.data,
                        form.description.data,
                        form.quantity.data,
                        form.rate.data,
                    )
                db.session.commit()
            except DomainError as error:
                db.session.rollback()
                field_error(form, error)
            else:
                flash(f"Line '{line.description}' added.", "success")
                return redirect(url_for(".show", pk=pk))
        return self._page(self._quote_or_404(pk), form, 422)

    @expose("/lines/<int:lid>/remove", methods=["POST"])
    @has_access
    @permission_name("write")
    def remove_line(self, lid):
        """Remove a line of a draft."""
        line = id_fits(lid) and db.session.scalar(
            select(QuoteLine)
            .join(QuoteLine.quote)
            .where(
                QuoteLine.id == lid,
                Quote.client_id.in_(visible_client_ids(acting_user())),
            )
        )
        if line is None:
            abort(404)
        quote, description = line.quote, line.description
        try:
            quote.remove_line(line)
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "danger")
        else:
            flash(f"Line '{description}' removed.", "success")
        return redirect(url_for(".show", pk=quote.id))

    @expose("/send/<int:pk>", methods=["POST"])
    @has_access
    @permission_name("send")
    def send_quote(self, pk):
        """Send a draft to the client (it then shows in their portal)."""
        quote = self._quote_or_404(pk)
        try:
            send_and_render(quote, acting_user())
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "danger")
        else:
            flash(f"Quote {quote.reference} sent.", "success")
        return redirect(url_for(".show", pk=pk))

    @expose("/revise/<int:pk>", methods=["POST"])
    @has_access
    @permission_name("write")
    def revise_quote(self, pk):
        """Draft the next version (this one is kept, unchanged) and open it."""
        quote = self._quote_or_404(pk)
        try:
            revision = quote.action_revise(acting_user())
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "danger")
            return redirect(url_for(".show", pk=pk))
        flash(f"Version {revision.version} drafted from {quote.reference}.", "success")
        return redirect(url_for(".show", pk=revision.id))
