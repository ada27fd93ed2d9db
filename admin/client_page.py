"""The client page: its header (status, tags, ownership), the Summary and Jobs tabs, and the
Activity and Notes tabs. The rules are the models' verbs; these are declarations and routes
that parse, call a verb and answer."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import ModelView, expose
from flask_appbuilder.actions import action
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import has_access, permission_name
from flask_appbuilder.security.sqla.models import Role, User
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from sqlalchemy import select
from wtforms import SelectField

from extensions import db
from models import Activity, Client, DomainError, Note, Tag, client_visibility
from models.access import STAFF_ROLES
from models.audit import label
from models.clients import CLIENT_STATUSES

from .base import READ_WRITE, RulesModelView, apply_to_selected, run_verb
from .formats import when
from .health import health_tab
from .job_order_fields import status_badge
from .job_orders import client_jobs
from .onboarding import onboarding_tab
from .roles import RESOURCE_PERMISSIONS
from .visibility import acting_user, visible_to_user


class OrderedInterface(SQLAInterface):
    """A model interface with a fixed default order of several columns (FAB's ``base_order``
    takes one): used when the user has not clicked a column to sort by."""

    def __init__(self, obj, default_order=(), session=None):
        super().__init__(obj, session=session)
        self.default_order = default_order

    def get_related_interface(self, col_name: str) -> SQLAInterface:
        return SQLAInterface(self.get_related_model(col_name))

    def apply_order_by(self, query, order_column, order_direction, *args, **kwargs):
        if not order_column and self.default_order:
            return query.order_by(*self.default_order)
        return super().apply_order_by(query, order_column, order_direction, *args, **kwargs)


def _person(user) -> str:
    if user is None:
        return "system"
    return f"{user.first_name or ''} {user.last_name or ''}".strip() or user.username


def _value(value) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


def changes_table(changes) -> Markup:
    """The audit trail's ``{field: [before, after]}`` (or ``{name: figure}``) as a table."""
    if not changes:
        return Markup("—")
    rows = "".join(
        f"<tr><th>{escape(label(field))}</th><td>{escape(_value(pair[0]))}</td>"
        f"<td>{escape(_value(pair[1]))}</td></tr>"
        if isinstance(pair, list | tuple) and len(pair) == 2
        # a merge or an import keeps figures, not a before and after
        else f"<tr><th>{escape(label(field))}</th><td colspan=2>{escape(_value(pair))}</td></tr>"
        for field, pair in changes.items()
    )
    return Markup(
        '<table class="table table-condensed table-bordered audit-changes">'
        f"<thead><tr><th>Field</th><th>Before</th><th>After</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
    )


# ---------------------------------------------------------------- Activity tab


class ActivityView(ModelView):
    """The client's timeline, newest first. Read-only: the trail is never edited here."""

    datamodel = OrderedInterface(Activity, (Activity.at.desc(), Activity.id.desc()))
    class_permission_name = "Client"
    base_permissions = RESOURCE_PERMISSIONS["Client"]
    method_permission_name = READ_WRITE
    include_route_methods = {"list", "show"}
    base_filters = [visible_to_user()]
    list_title = "Activity"
    show_title = "Activity"
    list_columns = ["at", "actor", "kind", "summary"]
    show_columns = ["at", "actor", "client", "kind", "summary", "changes"]
    search_columns = ["kind", "summary"]
    order_columns = ["at", "kind"]
    label_columns = {"at": "When", "actor": "Who", "changes": "Before and after"}
    formatters_columns = {"at": when, "actor": _person, "changes": changes_table}
    page_size = 20


# ---------------------------------------------------------------- Notes tab

PINNED = Markup('<i class="fa fa-thumb-tack"></i> Pinned')


class NoteView(RulesModelView):
    """The client's notes, pinned first then newest; add, edit, pin and unpin."""

    datamodel = OrderedInterface(Note, (Note.pinned.desc(), Note.created_at.desc(), Note.id.desc()))
    class_permission_name = "Client"
    base_permissions = RESOURCE_PERMISSIONS["Client"]
    method_permission_name = {**READ_WRITE, "pin": "write", "unpin": "write"}
    exclude_route_methods = {"delete"}  # a note stays on the record; edit it instead
    base_filters = [visible_to_user()]
    add_form_query_rel_fields = {"client": [visible_to_user("id")]}
    list_title = "Notes"
    show_title = "Note"
    add_title = "New note"
    edit_title = "Edit note"
    list_columns = ["pinned", "body", "author", "created_at"]
    add_columns = ["client", "body"]
    edit_columns = ["body"]
    show_columns = ["client", "body", "pinned", "author", "created_at", "updated_at"]
    search_columns = ["body", "pinned"]
    order_columns = ["created_at"]
    label_columns = {"body": "Note", "created_at": "Written", "updated_at": "Last edited"}
    formatters_columns = {
        "pinned": lambda pinned: (
            Markup('<i class="fa fa-thumb-tack"></i> Pinned') if pinned else ""
        ),
        "author": _person,
        "created_at": when,
        "updated_at": when,
    }
    page_size = 20

    def pre_add(self, item):
        item.author = acting_user()

    @action("pin", "Pin", "Pin the selected notes to the top?", "fa-thumb-tack", single=False)
    def pin(self, items):
        return apply_to_selected(items, Note.action_pin, "pinned", self)

    @action("unpin", "Unpin", "Unpin the selected notes?", "fa-thumb-tack", single=False)
    def unpin(self, items):
        return apply_to_selected(items, Note.action_unpin, "unpinned", self)


# ---------------------------------------------------------------- the page and its header


def staff_users() -> list[User]:
    """Active staff users, by name: who may own or manage a client."""
    query = (
        select(User)
        .join(User.roles)
        .where(Role.name.in_(STAFF_ROLES), User.active.is_(True))
        .order_by(User.first_name, User.last_name)
        .distinct()
    )
    return list(db.session.scalars(query))


class OwnershipForm(FlaskForm):
    owner = SelectField("Owner", coerce=int)
    engagement_manager = SelectField("Engagement manager", coerce=int)

    def fill(self, users) -> OwnershipForm:
        choices = [(0, "— nobody —")] + [(user.id, _person(user)) for user in users]
        self.owner.choices = self.engagement_manager.choices = choices
        return self


class ClientPage:
    """The client page's show view and header routes, mixed into ``ClientView``."""

    show_template = "admin/client_show.html"

    def _client_or_404(self, pk):
        """:raise 404: for a client that does not exist, is archived or is not yours to see."""
        client = self.datamodel.get(pk, self._base_filters)
        if client is None:
            abort(404)
        return client

    @expose("/show/<pk>", methods=["GET"])
    @has_access
    def show(self, pk):
        """The client page: header, Summary and Jobs tabs, then the related tabs."""
        pk = self._deserialize_pk_if_composite(pk)
        client = self._client_or_404(pk)
        widgets = self._show(pk)
        may_write = self.appbuilder.sm.has_access("can_write", self.class_permission_name)
        return self.render_template(
            self.show_template,
            pk=pk,
            title=self.show_title,
            widgets=widgets,
            related_views=self._related_views,
            client=client,
            statuses=CLIENT_STATUSES,
            all_tags=db.session.scalars(select(Tag).order_by(Tag.name)).all(),
            emails=_emails(client),
            may_write=may_write,
            group=self._group(client),
            jobs=client_jobs(client.id),
            job_badge=status_badge,
            may_add_job=self.appbuilder.sm.has_access("can_write", "JobOrder"),
            **self._billing(client),
            **health_tab(self.appbuilder.sm, client),
            **self._performance(client),
            **onboarding_tab(self.appbuilder.sm, client),
            **self._tickets(client),
        )

    def _performance(self, client) -> dict:
        """The Performance tab (KPIs and benchmarks, loaded when opened: KpiView.client_tab),
        for users who may read KPIs."""
        return {"performance": self.appbuilder.sm.has_access("can_read", "Kpi")}

    def _tickets(self, client) -> dict:
        """The Tickets tab (service desk), for users who may read tickets."""
        from .tickets import tickets_tab

        return tickets_tab(self.appbuilder.sm, client)

    def _billing(self, client) -> dict:
        """The Billing tab's figures, for users who may read invoices (none for the others)."""
        sm = self.appbuilder.sm
        if not sm.has_access("can_read", "Invoice"):
            return {}
        from .formats import day
        from .statements import billing_summary

        return {
            "billing": billing_summary(client),
            "billing_money": lambda amount: "—" if amount is None else f"{amount:,.2f}",
            "billing_day": day,
            "may_billing": {
                "new_invoice": sm.has_access("can_write", "Invoice"),
                "payments": sm.has_access("can_read", "Payment"),
            },
        }

    def _group(self, client) -> dict:
        """The parent and live children this user may see (others are only counted)."""
        related = [c for c in [client.parent, *client.children] if c is not None]
        visible = set(
            db.session.scalars(
                select(Client.id).where(
                    Client.id.in_([c.id for c in related]), client_visibility(acting_user())
                )
            )
        )
        children = [c for c in client.children if not c.archived]
        return {
            "parent": client.parent if client.parent and client.parent.id in visible else None,
            "parent_hidden": client.parent is not None and client.parent.id not in visible,
            "children": [c for c in children if c.id in visible],
            "children_hidden": sum(1 for c in children if c.id not in visible),
        }

    @expose("/status/<int:pk>", methods=["POST"])
    @has_access
    @permission_name("write")
    def change_status(self, pk):
        """Change the client's status from its page (logged on the timeline)."""
        client = self._client_or_404(pk)
        return self._verb(
            client,
            lambda: client.action_change_status(request.form.get("status", ""), acting_user()),
            f"Status of {client.name} changed to {request.form.get('status')}.",
        )

    @expose("/tag/<int:pk>/<int:tag_id>", methods=["POST"])
    @has_access
    @permission_name("write")
    def toggle_tag(self, pk, tag_id):
        """Switch one tag on or off for the client."""
        client = self._client_or_404(pk)
        tag = db.session.get(Tag, tag_id) or abort(404)
        state = {}
        done = self._verb(
            client,
            lambda: state.setdefault("on", client.action_toggle_tag(tag, acting_user())),
            None,
        )
        if "on" in state:
            flash(f"Tag {tag.name} {'added' if state['on'] else 'removed'}.", "success")
        return done

    @expose("/ownership/<int:pk>", methods=["GET", "POST"])
    @has_access
    @permission_name("write")
    def ownership(self, pk):
        """Edit ownership: the client's owner and engagement manager, nothing else."""
        client = self._client_or_404(pk)
        users = staff_users()
        form = OwnershipForm(
            formdata=request.form if request.method == "POST" else None,
            data={
                "owner": client.owner_id or 0,
                "engagement_manager": client.engagement_manager_id or 0,
            },
        ).fill(users)
        if request.method == "POST" and form.validate():
            by_id = {user.id: user for user in users}
            try:
                client.action_set_ownership(
                    by_id.get(form.owner.data),
                    by_id.get(form.engagement_manager.data),
                    by=acting_user(),
                )
                db.session.commit()
            except DomainError as error:
                db.session.rollback()
                getattr(form, error.field or "", form.owner).errors.append(error.message)
            else:
                flash(f"Ownership of {client.name} saved.", "success")
                return redirect(url_for(".show", pk=pk))
        return self.render_template(
            "admin/client_ownership.html", client=client, form=form, title="Edit ownership"
        )

    def _verb(self, client, call, done: str | None):
        run_verb(call, done)
        return redirect(url_for(".show", pk=client.id))


def _emails(client) -> list[tuple[str, str]]:
    """(who, email) for the Summary tab: the client's own address, then its contacts'."""
    found = [("Client", client.email)] if client.email else []
    found += [
        (f"{link.contact} ({link.role})", link.contact.email)
        for link in sorted(client.contact_links, key=lambda lk: str(lk.contact))
        if link.contact.email
    ]
    return found
