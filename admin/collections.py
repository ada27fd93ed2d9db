"""Collection notices on the staff side (Finance › Collection notices): the list with the
seed's filters (business unit, project, client, status, level, days due) and the notice page
with its invoice's summary, notes, the client's response, pause/resume (dispute), close,
escalate now, uploaded documents and "Bill late charges".

Each button calls one verb of ``models.collections`` (or ``models.late_charges``), commits and
says what happened; a refusal re-renders the page with the user's values and the message
beside the field it names (422).
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import abort, current_app, flash, redirect, request, url_for
from flask_appbuilder import ModelView, expose
from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import has_access
from sqlalchemy import select

from extensions import db
from jobs.collections import send_notice
from models import (
    Client,
    ClientDocument,
    CollectionNotice,
    DomainError,
    Invoice,
    Project,
    visible_client_ids,
)
from models.collections import LEVELS, NOTICE_STATUSES
from models.documents import DOCUMENT_TYPES
from models.late_charges import bill_late_charges

from .base import READ_WRITE, id_fits
from .collections_query import CONDITIONS
from .formats import day, when
from .roles import RESOURCE_PERMISSIONS
from .visibility import acting_user, visible_to_user

ACTIONS = ("note", "respond", "pause", "resume", "close", "escalate", "upload", "bill")
FILTER_LABELS = {
    "business_unit": "Business unit",
    "project_id": "Project",
    "client_id": "Client",
    "status": "Status",
    "level": "Level",
    "days_due": "Days due",
}


def list_filter_errors() -> dict[str, str]:
    """A message per list filter given a value it cannot take (named by its label)."""
    errors = {}
    for name, (parse, _) in CONDITIONS.items():
        raw = request.args.get(name, "")
        if raw == "":
            continue
        try:
            parse(raw)
        except (TypeError, ValueError):
            errors[name] = f"{FILTER_LABELS[name]}: '{raw}' is not a value it can take."
    return errors


class FilterFromQueryString(BaseFilter):
    """The seed's filters, read from the list's query string (``?days_due=30&level=2``); a bad
    value filters nothing and is named above the list."""

    name = "Collection filters"
    arg_name = "coll"

    def apply(self, query, value):
        for name, (parse, condition) in CONDITIONS.items():
            raw = request.args.get(name, "")
            if raw == "":
                continue
            try:
                query = query.filter(condition(parse(raw)))
            except (TypeError, ValueError):
                continue
        return query


def _money(amount) -> str:
    return "—" if amount is None else f"{amount:,.2f}"


class CollectionNoticeView(ModelView):
    """Collection notices of the clients the user works on."""

    datamodel = SQLAInterface(CollectionNotice)
    class_permission_name = "CollectionNotice"
    base_permissions = RESOURCE_PERMISSIONS["CollectionNotice"]
    method_permission_name = {**READ_WRITE, **{name: "write" for name in ACTIONS}}
    base_filters = [visible_to_user(), ["id", FilterFromQueryString, None]]
    include_route_methods = {"list", "show", *ACTIONS}
    list_template = "admin/collection_notice_list.html"
    show_template = "admin/collection_notice_show.html"
    list_title = "Collection notices"
    list_columns = [
        "invoice",
        "client",
        "level_label",
        "status",
        "days_overdue_on",
        "sent_at",
        "response_at",
        "late_charge",
    ]
    order_columns = ["status", "sent_at", "response_at", "late_charge"]
    search_columns = ["client", "status", "level"]
    base_order = ("id", "desc")
    label_columns = {
        "level_label": "Level",
        "days_overdue_on": "Days overdue",
        "sent_at": "Sent",
        "response_at": "Response",
        "late_charge": "Late charge",
    }
    formatters_columns = {"sent_at": when, "response_at": when, "late_charge": _money}

    def render_template(self, template, **kwargs):
        if template == self.list_template:
            kwargs.update(
                filter_values={name: request.args.get(name, "") for name in CONDITIONS},
                filter_errors=list_filter_errors(),
                filter_choices=self._filter_choices(),
                levels=LEVELS,
                statuses=NOTICE_STATUSES,
            )
        return super().render_template(template, **kwargs)

    def _filter_choices(self) -> dict:
        """The clients and projects of the notices the user may see, and the business units."""
        visible = CollectionNotice.client_id.in_(visible_client_ids(acting_user()))
        clients = db.session.execute(
            select(Client.id, Client.name)
            .where(Client.id.in_(select(CollectionNotice.client_id).where(visible)))
            .order_by(Client.name)
        ).all()
        projects = db.session.execute(
            select(Project.id, Project.name)
            .where(
                Project.id.in_(
                    select(Invoice.project_id).where(
                        Invoice.id.in_(select(CollectionNotice.invoice_id).where(visible))
                    )
                )
            )
            .order_by(Project.name)
        ).all()
        units = current_app.config.get("BUSINESS_UNITS") or ()
        return {"client_id": clients, "project_id": projects, "business_unit": units}

    # ------------------------------------------------------------ the notice page

    def _notice_or_404(self, pk) -> CollectionNotice:
        notice = self.datamodel.get(pk, self._base_filters) if id_fits(pk) else None
        if notice is None:
            abort(404)
        return notice

    @expose("/show/<pk>", methods=["GET"])
    @has_access
    def show(self, pk):
        """The notice, its invoice, what was said and done, its documents and buttons."""
        return self._page(self._notice_or_404(pk))

    def _page(self, notice: CollectionNotice, errors=None, values=None, status: int = 200):
        documents = db.session.scalars(
            select(ClientDocument)
            .where(ClientDocument.source == notice.documents_source)
            .order_by(ClientDocument.id)
        ).all()
        sm = self.appbuilder.sm
        page = self.render_template(
            self.show_template,
            notice=notice,
            invoice=notice.invoice,
            documents=documents,
            errors=errors or {},
            values=values or {},
            document_types=DOCUMENT_TYPES,
            may_write=sm.has_access("can_write", self.class_permission_name),
            money=_money,
            day=day,
            when=when,
            title=str(notice),
        )
        return page, status

    def _act(self, pk, verb, done, after=None):
        """Run ``verb(notice)``, commit, and go back to the page with ``done``; a refusal
        re-renders the page with the form's values and the message on its field."""
        notice = self._notice_or_404(pk)
        try:
            result = verb(notice)
            db.session.flush()
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "danger")
            notice = self._notice_or_404(pk)
            return self._page(
                notice, {error.field or "_": error.message}, request.form.to_dict(), 422
            )
        if after is not None:
            after(result)
        flash(done(result) if callable(done) else done, "success")
        target = result if isinstance(result, CollectionNotice) else notice
        return redirect(url_for(".show", pk=target.id))

    @expose("/note/<int:pk>", methods=["POST"])
    @has_access
    def note(self, pk):
        """Add a dated, signed note."""
        text = request.form.get("note", "")
        return self._act(pk, lambda n: n.add_note(text, acting_user()), "Note added.")

    @expose("/respond/<int:pk>", methods=["POST"])
    @has_access
    def respond(self, pk):
        """Record the client's response (and when it came, now by default)."""
        text = request.form.get("response_note", "")
        raw_at = request.form.get("response_at", "").strip()

        def respond(notice):
            at = None
            if raw_at:
                try:
                    at = datetime.fromisoformat(raw_at).replace(tzinfo=UTC)
                except ValueError:
                    raise DomainError(
                        "Response date must be a date such as 2026-11-20.", "response_at"
                    ) from None
            notice.record_response(text, at, acting_user())

        return self._act(pk, respond, "Response recorded.")

    @expose("/pause/<int:pk>", methods=["POST"])
    @has_access
    def pause(self, pk):
        """The client disputes the invoice: its notices pause."""
        reason = request.form.get("dispute_reason", "")
        return self._act(
            pk,
            lambda n: n.pause(reason, acting_user()),
            "The invoice is disputed: its notices are paused.",
        )

    @expose("/resume/<int:pk>", methods=["POST"])
    @has_access
    def resume(self, pk):
        """The dispute is resolved: the notices go on."""
        return self._act(
            pk, lambda n: n.resume(acting_user()), "Dispute resolved: the notices go on."
        )

    @expose("/close/<int:pk>", methods=["POST"])
    @has_access
    def close(self, pk):
        """Close the notice with the reason."""
        reason = request.form.get("reason", "")
        return self._act(pk, lambda n: n.close(reason, acting_user()), "Notice closed.")

    @expose("/escalate/<int:pk>", methods=["POST"])
    @has_access
    def escalate(self, pk):
        """Open the next level now and email it."""
        return self._act(
            pk,
            lambda n: n.escalate(acting_user()),
            lambda new: f"{new} opened.",
            after=lambda new: send_notice(new.id),
        )

    @expose("/bill/<int:pk>", methods=["POST"])
    @has_access
    def bill(self, pk):
        """Draft an invoice of the late charges not billed yet."""
        drafts = []
        return self._act(
            pk,
            lambda n: drafts.append(bill_late_charges(n.invoice, acting_user())),
            lambda _: f"Late charges billed on {drafts[0]} (a draft: check it, then issue it).",
        )

    @expose("/upload/<int:pk>", methods=["POST"])
    @has_access
    def upload(self, pk):
        """Store a file as a document of the client, listed on this notice."""
        stored = []

        def store(notice):
            document = ClientDocument.action_store(
                notice.client,
                request.files.get("file"),
                request.form.get("title"),
                request.form.get("type") or "other",
                False,
                acting_user(),
            )
            stored.append(document)
            document.source = notice.documents_source
            return notice

        answer = self._act(pk, store, lambda n: f"{stored[0].title} uploaded.")
        if stored and isinstance(answer, tuple):  # refused after the file was written
            stored[0].discard()
        return answer
