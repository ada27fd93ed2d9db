"""Invoices on the staff side: the list (with "overdue" derived), a new draft for a client, a
draft's header edit, and the invoice page: header and amounts, lines added and removed while
it is a draft, Issue (``jobs.invoice_documents.issue_invoice``, the one way to issue), and the
buttons of an issued invoice (``invoice_buttons``). Payments are recorded by ``PaymentView``
(the Payment resource's write), whose refusals re-render this same page.

Every rule is ``models.billing``'s; these routes parse, call a verb, commit and say what
happened, or show the refusal beside its field with the user's values."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import expose
from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import has_access, permission_name
from markupsafe import Markup, escape
from sqlalchemy import not_, select

from extensions import db
from jobs.invoice_documents import issue_invoice
from models import (
    Activity,
    Client,
    ClientCredit,
    ClientDocument,
    CollectionNotice,
    DomainError,
    Invoice,
    InvoiceLine,
    NotFoundError,
    visible_client_ids,
)
from models.billing import INVOICE_KINDS, INVOICE_STATUSES, base_currency

from .base import READ_WRITE, RulesModelView, field_error, id_fits
from .documents import attachment
from .fields import choice
from .formats import day, when
from .invoice_buttons import InvoiceButtons
from .invoice_forms import InvoiceHeaderForm, LineForm, NewInvoiceForm, page_forms
from .roles import RESOURCE_PERMISSIONS
from .visibility import acting_user, client_is_visible, visible_to_user

STATUS_CSS = {
    "draft": "default",
    "issued": "info",
    "partially_paid": "warning",
    "paid": "success",
    "void": "default",
    "overdue": "danger",
}


def money(amount) -> str:
    return "—" if amount is None else f"{amount:,.2f}"


def status_badge(status: str) -> Markup:
    return Markup('<span class="label label-{}">{}</span>').format(
        STATUS_CSS.get(status, "default"), status.replace("_", " ")
    )


def overdue_condition(today: date | None = None):
    """SQL: an open invoice past its due date (what ``Invoice.is_overdue`` says of one)."""
    return Invoice.overdue_clause(today)


class FilterOverdue(BaseFilter):
    """Overdue or not (``y``/``n``): open, with a balance, past the due date."""

    name = "Overdue (y/n)"
    arg_name = "overdue"

    def apply(self, query, value):
        value = value[0] if isinstance(value, list | tuple) and value else value
        yes = str(value or "y").strip().lower() in ("y", "yes", "1", "true")
        return query.filter(overdue_condition() if yes else not_(overdue_condition()))


class InvoiceView(InvoiceButtons, RulesModelView):
    """Invoices and credit notes of the clients the user works on."""

    datamodel = SQLAInterface(Invoice)  # its client is joined by the model
    class_permission_name = "Invoice"
    base_permissions = RESOURCE_PERMISSIONS["Invoice"]
    method_permission_name = {
        **READ_WRITE,
        "add_line": "write",
        "remove_line": "write",
        "document": "read",
        **InvoiceButtons.permissions,
    }
    base_filters = [visible_to_user()]
    exclude_route_methods = {"delete"}  # an invoice is voided or credited, never deleted
    search_form_query_rel_fields = {"client": [visible_to_user("id")]}
    show_template = "admin/invoice_show.html"

    list_title = "Invoices"
    show_title = "Invoice"
    add_title = "New draft invoice"
    edit_title = "Edit draft invoice"
    list_columns = [
        "reference",
        "client",
        "display_status",
        "issue_date",
        "due_date",
        "currency",
        "total",
        "balance",
    ]
    search_columns = [
        "number",
        "client",
        "status",
        "kind",
        "currency",
        "business_unit",
        "issue_date",
        "due_date",
    ]
    order_columns = ["number", "issue_date", "due_date", "total", "balance"]
    add_columns = edit_columns = ["currency"]  # the forms are ``invoice_forms``'s
    base_order = ("id", "desc")
    label_columns = {
        "reference": "Number",
        "display_status": "Status",
        "issue_date": "Issue date",
        "due_date": "Due date",
        "business_unit": "Business unit",
    }
    formatters_columns = {
        "display_status": status_badge,
        "issue_date": day,
        "due_date": day,
        "total": money,
        "balance": money,
    }
    search_form_extra_fields = {
        "status": choice("Status", INVOICE_STATUSES),
        "kind": choice("Kind", INVOICE_KINDS),
    }

    def _init_properties(self):
        super()._init_properties()
        # "Overdue" is derived (open and past due): a filter of its own on the due date.
        overdue = FilterOverdue("due_date", self.datamodel)
        self._filters._search_filters["due_date"] = [
            *self._filters._search_filters["due_date"],
            overdue,
        ]
        self._filters._all_filters["due_date"] = [*self._filters._all_filters["due_date"], overdue]

    def _init_forms(self):
        # The forms here are this module's; the model's verbs validate.
        super(RulesModelView, self)._init_forms()

    # ------------------------------------------------------------ new and edit

    @expose("/add", methods=["GET", "POST"])
    @has_access
    def add(self):
        """A new draft for a client through ``Invoice.draft_for`` (its currency and tax
        defaults); a refusal re-renders the form with the message beside its field."""
        form = NewInvoiceForm()
        client_id = request.args.get("client", type=int)
        if request.method == "GET" and client_id and client_is_visible(client_id):
            form.client.data = db.session.get(Client, client_id)
        if form.validate_on_submit():
            try:
                client = form.client.data
                if client is None or not client_is_visible(client.id):
                    raise NotFoundError("Choose a client you work on.", "client")
                with db.session.no_autoflush:
                    invoice = Invoice.draft_for(client, acting_user(), **form.header(False))
                db.session.commit()
            except DomainError as error:
                db.session.rollback()
                field_error(form, error)
            else:
                flash(f"{invoice} drafted in {invoice.currency}: add its lines.", "success")
                return redirect(url_for(".show", pk=invoice.id))
        return self._form_page(form, self.add_title, url_for(".add"))

    @expose("/edit/<pk>", methods=["GET", "POST"])
    @has_access
    def edit(self, pk):
        """A draft's header; an issued invoice never changes (a credit note corrects it)."""
        invoice = self._invoice_or_404(pk)
        if not invoice.is_draft:
            flash(f"{invoice} is {invoice.status}: issue a credit note to correct it.", "warning")
            return redirect(url_for(".show", pk=invoice.id))
        form = InvoiceHeaderForm(obj=invoice)
        if form.validate_on_submit():
            try:
                # A draft always has a currency and a tax rate: blank keeps the one it has.
                header = {
                    name: value
                    for name, value in form.header(keep_blank=True).items()
                    if value is not None or name not in ("currency", "tax_rate")
                }
                with db.session.no_autoflush:
                    invoice.update_draft(acting_user(), **header)
                db.session.commit()
            except DomainError as error:
                db.session.rollback()
                field_error(form, error)
            else:
                flash(f"{invoice} saved.", "success")
                return redirect(url_for(".show", pk=invoice.id))
        return self._form_page(form, f"Edit {invoice}", url_for(".edit", pk=invoice.id), invoice)

    def _form_page(self, form, title: str, action: str, invoice: Invoice | None = None):
        failed = any(field.errors for field in form)
        page = self.render_template(
            "admin/invoice_form.html", form=form, title=title, action=action, invoice=invoice
        )
        return page, 422 if failed else 200

    # ------------------------------------------------------------ the invoice page

    def _invoice_or_404(self, pk) -> Invoice:
        """:raise 404: for an invoice that does not exist or whose client is not yours."""
        invoice = self.datamodel.get(pk, self._base_filters) if id_fits(pk) else None
        if invoice is None:
            abort(404)
        return invoice

    @expose("/show/<pk>", methods=["GET"])
    @has_access
    def show(self, pk):
        """The invoice: status and amounts, lines, the actions its status allows, payments,
        credit notes, collection notices, its PDF and its timeline."""
        return invoice_page(self, self._invoice_or_404(pk))

    @expose("/lines/<int:pk>/add", methods=["POST"])
    @has_access
    def add_line(self, pk):
        """Add a line to a draft; a refusal re-renders the page with the values."""
        invoice = self._invoice_or_404(pk)
        form = LineForm(prefix="line")
        if form.validate():
            try:
                with db.session.no_autoflush:
                    line = invoice.add_line(
                        form.description.data,
                        form.unit_price.data,
                        form.quantity.data,
                        form.kind.data,
                        form.percent.data,
                        form.taxable.data,
                    )
                db.session.commit()
            except DomainError as error:
                db.session.rollback()
                field_error(form, error)
            else:
                flash(f"Line '{line.description}' added.", "success")
                return redirect(url_for(".show", pk=pk))
        return invoice_page(self, self._invoice_or_404(pk), 422, line_form=form)

    @expose("/lines/<int:lid>/remove", methods=["POST"])
    @has_access
    def remove_line(self, lid):
        """Remove a line of a draft."""
        line = id_fits(lid) and db.session.scalar(
            select(InvoiceLine)
            .join(InvoiceLine.invoice)
            .where(
                InvoiceLine.id == lid,
                Invoice.client_id.in_(visible_client_ids(acting_user())),
            )
        )
        if not line:
            abort(404)
        invoice, description = line.invoice, line.description
        try:
            invoice.remove_line(line)
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "danger")
        else:
            flash(f"Line '{description}' removed.", "success")
        return redirect(url_for(".show", pk=invoice.id))

    @expose("/issue/<int:pk>", methods=["POST"])
    @has_access
    @permission_name("issue")
    def issue(self, pk):
        """Issue a draft (numbered, rate and due date captured) through ``issue_invoice``."""
        invoice = self._invoice_or_404(pk)
        try:
            issue_invoice(invoice, acting_user())
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "danger")
        else:
            flash(f"{invoice} issued, due {day(invoice.due_date)}.", "success")
        return redirect(url_for(".show", pk=pk))

    @expose("/document/<int:pk>", methods=["GET"])
    @has_access
    def document(self, pk):
        """The invoice's last rendered PDF, as a download."""
        invoice = self._invoice_or_404(pk)
        found = ClientDocument.latest_generated(f"invoice:{invoice.id}")
        if found is None or not found.path.is_file():
            abort(404)
        return attachment(found)


def invoice_page(view, invoice: Invoice, status: int = 200, **forms):
    """Render the invoice page from ``view`` (this one, or ``PaymentView`` re-showing a refused
    payment); ``forms`` are the page's forms that keep the user's values and errors."""
    sm = view.appbuilder.sm
    timeline = db.session.scalars(
        select(Activity)
        .where(Activity.subject_type == "invoice", Activity.subject_id == invoice.id)
        .order_by(Activity.at.desc(), Activity.id.desc())
    ).all()
    notices = db.session.scalars(
        select(CollectionNotice)
        .where(CollectionNotice.invoice_id == invoice.id)
        .order_by(CollectionNotice.level)
    ).all()
    credit = (
        ClientCredit.balance(invoice.client, invoice.currency) if invoice.kind == "invoice" else 0
    )
    page = view.render_template(
        "admin/invoice_show.html",
        title=str(invoice),
        invoice=invoice,
        shown_status=invoice.display_status(),
        timeline=timeline,
        notices=notices,
        credit_available=credit,
        document=ClientDocument.latest_generated(f"invoice:{invoice.id}"),
        base=base_currency(),
        may={
            "write": sm.has_access("can_write", "Invoice"),
            "issue": sm.has_access("can_issue", "Invoice"),
            "pay": sm.has_access("can_write", "Payment"),
            "read_payments": sm.has_access("can_read", "Payment"),
        },
        money=money,
        badge=status_badge,
        day=day,
        when=when,
        escape=escape,
        **page_forms(**forms),
    )
    return page, status
