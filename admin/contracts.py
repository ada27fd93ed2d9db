"""Contracts on the staff side: the list, a new contract (blank, from a template, or converted
from an accepted quote), a draft's edit (each save a version), and the contract page with its
parties, term, value, lines, versions and their differences, approvals, performance and PDFs.

The workflow's buttons (submit, approve, send, sign, renew...) are ``contract_buttons``'s;
every rule is ``models.contracts``'. These routes parse, call a verb, commit, then have the
PDF re-rendered (``enqueue_document``) and say what happened.
"""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import ModelView, expose
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import has_access, permission_name
from sqlalchemy import select

from extensions import db
from jobs.contract_documents import convert_quote as convert_and_render
from jobs.documents import enqueue_document, source_of
from models import (
    Client,
    ClientDocument,
    Contract,
    ContractLine,
    DomainError,
    NotFoundError,
    Quote,
    visible_client_ids,
)
from models.contracts import (
    CONTRACT_STATUSES,
    CONTRACT_TYPES,
    STATUS_LABELS,
    approval_threshold,
)

from .base import READ_WRITE, RulesModelView, field_error, id_fits
from .contract_buttons import ContractWorkflow
from .contract_forms import (
    ADD_FIELDSETS,
    EDIT_FIELDSETS,
    ApproveForm,
    ContractAddForm,
    ContractEditForm,
    NoteForm,
    ReasonForm,
    SignForm,
    contacts_of,
)
from .documents import attachment
from .fields import choice
from .formats import day, when
from .quotes import LineForm
from .roles import RESOURCE_PERMISSIONS
from .visibility import acting_user, client_is_visible, staff_users, visible_to_user


def _money(amount) -> str:
    return "—" if amount is None else f"{amount:,.2f}"


class ContractView(ContractWorkflow, RulesModelView):
    """Contracts of the clients the user works on."""

    datamodel = SQLAInterface(Contract)  # the client is joined by the model
    class_permission_name = "Contract"
    base_permissions = RESOURCE_PERMISSIONS["Contract"]
    method_permission_name = {
        **READ_WRITE,
        "add_line": "write",
        "remove_line": "write",
        "version": "read",
        "compare": "read",
        "document": "read",
        "from_quote": "write",
        **ContractWorkflow.permissions,
    }
    base_filters = [visible_to_user()]
    exclude_route_methods = {"delete"}  # a contract is cancelled or terminated, and kept
    search_form_query_rel_fields = {"client": [visible_to_user("id")], "owner": [staff_users()]}
    add_form = ContractAddForm
    edit_form = ContractEditForm
    show_template = "admin/contract_show.html"

    list_title = "Contracts"
    add_title = "New contract"
    edit_title = "Edit draft contract"
    show_title = "Contract"
    list_columns = [
        "number",
        "client",
        "title",
        "contract_type",
        "status",
        "value_label",
        "start_date",
        "end_date",
        "renewal_date",
    ]
    search_columns = ["client", "status", "contract_type", "owner", "number", "title"]
    order_columns = ["number", "title", "status", "start_date", "end_date", "renewal_date"]
    base_order = ("id", "desc")
    add_columns = [field for _, fieldset in ADD_FIELDSETS for field in fieldset["fields"]]
    edit_columns = [field for _, fieldset in EDIT_FIELDSETS for field in fieldset["fields"]]
    add_fieldsets = ADD_FIELDSETS
    edit_fieldsets = EDIT_FIELDSETS
    label_columns = {
        "contract_type": "Type",
        "value_label": "Value",
        "start_date": "Start",
        "end_date": "End",
        "renewal_date": "Renewal date",
    }
    formatters_columns = {
        "status": lambda status: STATUS_LABELS.get(status, status),
        "start_date": day,
        "end_date": day,
        "renewal_date": day,
    }

    search_form_extra_fields = {
        "status": choice("Status", CONTRACT_STATUSES, labels=STATUS_LABELS),
        "contract_type": choice("Type", CONTRACT_TYPES),
    }

    def _init_forms(self):
        # The forms call the model's verbs, which validate (a template fills blank fields),
        # so they skip the scratch-object check of ``RulesModelView``.
        ModelView._init_forms(self)

    # ------------------------------------------------------------ new and edit

    @expose("/add", methods=["GET", "POST"])
    @has_access
    def add(self):
        """A new draft through ``Contract.action_create`` (or ``_from_template``), which numbers
        it and records version 1; a refusal re-renders the form with the message on its field."""
        form = self.add_form.refresh()
        client_id = request.args.get("client", type=int)
        if request.method == "GET" and client_id and client_is_visible(client_id):
            form.client.data = db.session.get(Client, client_id)
            form.client_signatory.query_func = lambda: contacts_of(client_id)
        if form.is_submitted() and form.validate():
            try:
                contract = self._create(form)
                db.session.commit()
            except DomainError as error:
                db.session.rollback()
                field_error(form, error)
            else:
                enqueue_document("contract", contract.id)
                flash(f"Contract {contract.number} drafted (version 1).", "success")
                return redirect(url_for(".show", pk=contract.id))
        widget = self._get_add_widget(form=form)
        page = self.render_template(self.add_template, title=self.add_title, widgets=widget)
        return page, 422 if form.errors or any(f.errors for f in form) else 200

    @staticmethod
    def _create(form: ContractAddForm) -> Contract:
        client, template = form.client.data, form.template.data
        if client is None or not client_is_visible(client.id):
            raise NotFoundError("Choose a client you work on.", "client")
        fields = form.content(keep_blank=False)
        if template is not None:
            return Contract.action_create_from_template(template, client, acting_user(), **fields)
        return Contract.action_create(client, acting_user(), **fields)

    @expose("/edit/<pk>", methods=["GET", "POST"])
    @has_access
    def edit(self, pk):
        """A draft's content through ``action_update``: each save that changes it is a new
        version. A contract past draft is refused with the model's message."""
        contract = self._contract_or_404(pk)
        if request.method == "GET" and "edit" not in contract.allowed_actions:
            flash(
                f"{contract.number} is {contract.status_label.lower()}: reopen it as a draft "
                "to change it (its versions so far stay as they are).",
                "warning",
            )
            return redirect(url_for(".show", pk=contract.id))
        form = self.edit_form.refresh(obj=contract)
        form.client_signatory.query_func = lambda: contacts_of(contract.client_id)
        if form.is_submitted() and form.validate():
            try:
                changed = contract.action_update(
                    acting_user(), form.note.data, **form.content(keep_blank=True)
                )
                db.session.commit()
            except DomainError as error:
                db.session.rollback()
                if error.field == "status":
                    flash(error.message, "danger")
                    return redirect(url_for(".show", pk=contract.id))
                field_error(form, error)
            else:
                enqueue_document("contract", contract.id)
                flash(
                    f"Saved as version {contract.version}."
                    if changed
                    else "Nothing in the content changed: no new version.",
                    "success" if changed else "info",
                )
                return redirect(url_for(".show", pk=contract.id))
        widget = self._get_edit_widget(form=form)
        page = self.render_template(
            self.edit_template, title=self.edit_title, widgets=widget, related_views=[]
        )
        return page, 422 if any(f.errors for f in form) else 200

    @expose("/from_quote/<int:quote_id>", methods=["POST"])
    @has_access
    @permission_name("write")
    def from_quote(self, quote_id):
        """Convert an accepted quote (one of the user's clients') into a draft contract."""
        quote = id_fits(quote_id) and db.session.scalar(
            select(Quote).where(
                Quote.id == quote_id, Quote.client_id.in_(visible_client_ids(acting_user()))
            )
        )
        if not quote:
            abort(404)
        try:
            contract = convert_and_render(quote, acting_user())
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "danger")
            return redirect(url_for("QuoteView.show", pk=quote_id))
        flash(
            f"Quote {quote.reference} converted to contract {contract.number} (version 1).",
            "success",
        )
        return redirect(url_for(".show", pk=contract.id))

    # ------------------------------------------------------------ the contract page

    def _contract_or_404(self, pk) -> Contract:
        """:raise 404: for a contract that does not exist or whose client is not yours."""
        contract = self.datamodel.get(pk, self._base_filters) if id_fits(pk) else None
        if contract is None:
            abort(404)
        return contract

    @expose("/show/<pk>", methods=["GET"])
    @has_access
    def show(self, pk):
        """The contract: parties, term, value, lines, actions, approvals, versions with their
        differences, performance, the quote it came from and its PDFs."""
        return self._page(self._contract_or_404(pk), LineForm(formdata=None))

    def _page(self, contract: Contract, line_form: LineForm, status: int = 200):
        sm = self.appbuilder.sm
        documents = db.session.scalars(
            select(ClientDocument)
            .where(ClientDocument.source == source_of("contract", contract.id))
            .order_by(ClientDocument.id.desc())
        ).all()
        page = self.render_template(
            self.show_template,
            title=f"{contract.number} {contract.title}",
            contract=contract,
            actions=contract.allowed_actions,
            threshold=approval_threshold(),
            versions=contract.versions,
            performance=contract.performance(),
            documents=documents,
            line_form=line_form,
            approve_form=ApproveForm(formdata=None),
            reason_form=ReasonForm(formdata=None),
            sign_form=SignForm(formdata=None),
            note_form=NoteForm(formdata=None),
            may={
                action: sm.has_access(f"can_{action}", self.class_permission_name)
                for action in ("write", "send", "approve")
            },
            money=_money,
            day=day,
            when=when,
        )
        return page, status

    @expose("/lines/<int:pk>/add", methods=["POST"])
    @has_access
    @permission_name("write")
    def add_line(self, pk):
        """Add a line to a draft and record the version; a refusal re-renders the page."""
        contract = self._contract_or_404(pk)
        form = LineForm()
        if form.validate():
            try:
                with db.session.no_autoflush:
                    line = contract.add_line(
                        form.service_type.data,
                        form.description.data,
                        form.quantity.data,
                        form.rate.data,
                    )
                contract.action_record_version(acting_user(), f"Line added: {line.description}")
                db.session.commit()
            except DomainError as error:
                db.session.rollback()
                field_error(form, error)
            else:
                enqueue_document("contract", contract.id)
                flash(f"Line '{line.description}' added: version {contract.version}.", "success")
                return redirect(url_for(".show", pk=pk))
        return self._page(self._contract_or_404(pk), form, 422)

    @expose("/lines/<int:lid>/remove", methods=["POST"])
    @has_access
    @permission_name("write")
    def remove_line(self, lid):
        """Remove a line of a draft and record the version."""
        line = id_fits(lid) and db.session.scalar(
            select(ContractLine)
            .join(ContractLine.contract)
            .where(
                ContractLine.id == lid,
                Contract.client_id.in_(visible_client_ids(acting_user())),
            )
        )
        if not line:
            abort(404)
        contract, description = line.contract, line.description
        try:
            contract.remove_line(line)
            contract.action_record_version(acting_user(), f"Line removed: {description}")
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "danger")
        else:
            enqueue_document("contract", contract.id)
            flash(f"Line '{description}' removed: version {contract.version}.", "success")
        return redirect(url_for(".show", pk=contract.id))

    # ------------------------------------------------------------ versions and documents

    def _version_or_404(self, contract: Contract, number):
        found = next((v for v in contract.versions if str(v.number) == str(number)), None)
        if found is None:
            abort(404)
        return found

    @expose("/version/<int:pk>/<int:number>", methods=["GET"])
    @has_access
    def version(self, pk, number):
        """One version's full content: its fields, lines and terms as they were."""
        contract = self._contract_or_404(pk)
        shown = self._version_or_404(contract, number)
        return self.render_template(
            "admin/contract_version.html",
            title=f"{contract.number} version {shown.number}",
            contract=contract,
            version=shown,
            money=_money,
            when=when,
        )

    @expose("/compare/<int:pk>", methods=["GET"])
    @has_access
    def compare(self, pk):
        """The difference between two chosen versions (``?a=`` the earlier, ``?b=`` the later)."""
        contract = self._contract_or_404(pk)
        a, b = request.args.get("a", type=int), request.args.get("b", type=int)
        numbers = [v.number for v in contract.versions]
        if a not in numbers or b not in numbers or a == b:
            flash(f"Choose two different versions of {contract.number} to compare.", "warning")
            return redirect(url_for(".show", pk=contract.id))
        older, newer = sorted((a, b))
        before, after = (self._version_or_404(contract, n) for n in (older, newer))
        return self.render_template(
            "admin/contract_compare.html",
            title=f"{contract.number}: version {older} and version {newer}",
            contract=contract,
            before=before,
            after=after,
            diff=after.diff(before),
            when=when,
        )

    @expose("/document/<int:pk>/<int:document_id>", methods=["GET"])
    @has_access
    def document(self, pk, document_id):
        """A PDF rendered from this contract (any version's), as a download."""
        contract = self._contract_or_404(pk)
        found = id_fits(document_id) and db.session.scalar(
            select(ClientDocument).where(
                ClientDocument.id == document_id,
                ClientDocument.source == source_of("contract", contract.id),
            )
        )
        if not found or not found.path.is_file():
            abort(404)
        return attachment(found)
