"""Job orders in the staff admin: the intake form in sections, the list with its filters, and
the show page whose buttons call the workflow's verbs (submit, approve, open, hold...).

The workflow, the approval levels and every rule are ``models.recruiting``'s; these are
declarations and routes that parse, call a verb and answer.
"""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import expose, has_access
from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.sqla.models import Role, User
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from wtforms import SelectMultipleField, TextAreaField

from extensions import db
from models import Application, Client, Contact, DomainError, JobOrder, NotFoundError, Offer
from models.access import ROLE_RECRUITER
from models.candidates import STAGE_LABELS, STAGES
from models.recruiting import STAKEHOLDER_ROLES, status_label

from .base import READ_WRITE, RulesModelView
from .formats import when
from .job_order_fields import (
    JOB_ORDER_CHOICES,
    JOB_ORDER_DESCRIPTIONS,
    JOB_ORDER_FIELDSETS,
    JOB_ORDER_FORM_COLUMNS,
    JOB_ORDER_FORMATTERS,
    JOB_ORDER_LABELS,
    WORKFLOW_FIELDS,
    person,
    status_badge,
)
from .roles import RESOURCE_PERMISSIONS
from .visibility import (
    acting_user,
    client_is_visible,
    staff_users,
    visible_contact_condition,
    visible_to_user,
)

# ---------------------------------------------------------------- queries


class JobOrderInterface(SQLAInterface):
    """Loads a list page in a fixed number of queries: the client is joined by the model, the
    recruiters come in one ``IN`` query (not one query per row)."""

    def get_related_interface(self, col_name: str) -> SQLAInterface:
        return SQLAInterface(self.get_related_model(col_name))

    def apply_all(self, query, *args, **kwargs):
        query = super().apply_all(query, *args, **kwargs)
        return query.options(selectinload(JobOrder.recruiters))


class FilterProjectOfFormClient(BaseFilter):
    """Projects of the client the form is opened for: ``?client=`` on the add form, the
    order's own client on the edit form. A posted form keeps every visible project, so that
    a mismatch gets the model's message ("The project belongs to another client")."""

    name = "Of the form's client"
    arg_name = "formclient"

    def apply(self, query, value):
        client_id = None
        if request.method == "GET":
            client_id = request.args.get("client", type=int)
            pk = (request.view_args or {}).get("pk")
            if client_id is None and str(pk or "").isdigit():
                of_the_order = select(JobOrder.client_id).where(JobOrder.id == int(pk))
                client_id = db.session.scalar(of_the_order)
        return query if client_id is None else query.filter(self.model.client_id == client_id)


def _client_from_the_link(form_class):
    """The add form with the client of ``?client=`` chosen (the client page's "Add a job")."""

    class PresetClientForm(form_class):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            client_id = request.args.get("client", type=int)
            if request.method == "GET" and client_is_visible(client_id):
                self.client.data = db.session.get(Client, client_id)

    PresetClientForm.__name__ = form_class.__name__
    return PresetClientForm


def recruiter_users() -> list[User]:
    """Active users with the Recruiter role, by name: who may be assigned on approval."""
    query = (
        select(User)
        .join(User.roles)
        .where(Role.name == ROLE_RECRUITER, User.active.is_(True))
        .order_by(User.first_name, User.last_name)
        .distinct()
    )
    return list(db.session.scalars(query))


def stage_counts(job_id: int) -> list[tuple[str, int]]:
    """(stage label, applications at that stage) for one job order, in pipeline order."""
    counts = dict(
        db.session.execute(
            select(Application.stage, func.count())
            .where(Application.job_order_id == job_id)
            .group_by(Application.stage)
        ).all()
    )
    return [(STAGE_LABELS[stage], counts.get(stage, 0)) for stage in STAGES]


def job_offers(job_id: int) -> list[Offer]:
    """The job order page's Offers tab: its offers, newest first, with their rounds."""
    return list(
        db.session.scalars(
            select(Offer)
            .where(Offer.job_order_id == job_id)
            .options(selectinload(Offer.rounds))
            .order_by(Offer.id.desc())
        )
    )


def client_jobs(client_id: int) -> list[tuple[JobOrder, int]]:
    """The client page's Jobs tab: (job order, applications) newest first, in three queries."""
    jobs = db.session.scalars(
        select(JobOrder)
        .where(JobOrder.client_id == client_id)
        .options(selectinload(JobOrder.recruiters))
        .order_by(JobOrder.id.desc())
    ).all()
    counts = dict(
        db.session.execute(
            select(Application.job_order_id, func.count())
            .where(Application.job_order_id.in_([job.id for job in jobs]))
            .group_by(Application.job_order_id)
        ).all()
    )
    return [(job, counts.get(job.id, 0)) for job in jobs]


# ---------------------------------------------------------------- workflow


class ApproveForm(FlaskForm):
    recruiters = SelectMultipleField("Recruiters", coerce=int)
    comment = TextAreaField("Comment")

    def fill(self, users) -> ApproveForm:
        self.recruiters.choices = [(user.id, person(user)) for user in users]
        return self


# The verbs a button may call by POST /workflow/<pk>/<verb>, and whether they take a reason.
# (Approve and reject have their own routes: they need the ``approve`` permission.)
WORKFLOW_VERBS = {
    "submit": False,
    "open": False,
    "hold": True,
    "resume": False,
    "fill": False,
    "cancel": True,
    "close": False,
    "redraft": False,
}
# The button that leads to each status; an order on hold is resumed rather than opened.
VERB_FOR_STATUS = {
    "draft": ("redraft", "Back to draft"),
    "submitted": ("submit", "Submit for approval"),
    "approved": ("approve", "Approve"),
    "rejected": ("reject", "Reject"),
    "open": ("open", "Open"),
    "on_hold": ("hold", "Put on hold"),
    "filled": ("fill", "Mark filled"),
    "cancelled": ("cancel", "Cancel"),
    "closed": ("close", "Close"),
}


def next_steps(job: JobOrder) -> list[dict]:
    """The show page's buttons: one per status the workflow allows next."""
    steps = []
    for status in job.allowed_next:
        verb, label = VERB_FOR_STATUS[status]
        if status == "open" and job.status == "on_hold":
            verb, label = "resume", "Resume"
        steps.append({"verb": verb, "label": label, "reason": WORKFLOW_VERBS.get(verb, False)})
    return steps


# ---------------------------------------------------------------- the view


class JobOrderView(RulesModelView):
    """Job orders of the clients the user may see: intake, list, and the workflow."""

    datamodel = JobOrderInterface(JobOrder)
    class_permission_name = "JobOrder"
    base_permissions = RESOURCE_PERMISSIONS["JobOrder"]
    method_permission_name = {
        **READ_WRITE,
        "workflow": "write",
        "approve": "approve",
        "reject": "approve",
        "add_stakeholder": "write",
        "remove_stakeholder": "write",
    }
    base_filters = [visible_to_user()]
    exclude_route_methods = {"delete"}  # cancel and close instead: the history stays
    base_order = ("id", "desc")
    show_template = "admin/job_order_show.html"

    list_title = "Job orders"
    show_title = "Job order"
    add_title = "New job order"
    edit_title = "Edit job order"
    list_columns = [
        "reference",
        "title",
        "client",
        "status",
        "urgency",
        "recruiters",
        "opened_at",
        "target_fill_date",
    ]
    order_columns = ["title", "status", "urgency", "opened_at"]
    # No timestamp here: FAB sends a naive datetime, which the UTC columns refuse.
    search_columns = ["client", "status", "urgency", "recruiters", "title", "level", "location"]
    search_form_query_rel_fields = {
        "client": [visible_to_user("id")],
        "recruiters": [staff_users()],
    }
    add_columns = JOB_ORDER_FORM_COLUMNS
    add_fieldsets = [(name, {"fields": fields}) for name, fields in JOB_ORDER_FIELDSETS]
    # An order stays with its client: its stakeholders, candidates and history are the client's.
    edit_columns = [column for column in add_columns if column != "client"]
    edit_fieldsets = [
        (name, {"fields": [f for f in fields if f != "client"]})
        for name, fields in JOB_ORDER_FIELDSETS
    ]
    show_fieldsets = [*add_fieldsets, ("Workflow", {"fields": WORKFLOW_FIELDS})]
    add_form_extra_fields = edit_form_extra_fields = JOB_ORDER_CHOICES
    add_form_query_rel_fields = edit_form_query_rel_fields = {
        "client": [visible_to_user("id")],
        "project": [visible_to_user(), ["client_id", FilterProjectOfFormClient, None]],
    }
    label_columns = JOB_ORDER_LABELS
    description_columns = JOB_ORDER_DESCRIPTIONS
    formatters_columns = JOB_ORDER_FORMATTERS

    def _init_forms(self):
        super()._init_forms()
        self.add_form = _client_from_the_link(self.add_form)

    def pre_add(self, item):
        with db.session.no_autoflush:  # ``item`` joins the session only after this check
            if item.client is None or not client_is_visible(item.client.id):
                raise NotFoundError("No such client.")
        item.created_by = acting_user()

    def _job_or_404(self, pk) -> JobOrder:
        """:raise 404: for a job order that does not exist or is another team's client's."""
        job = self.datamodel.get(pk, self._base_filters)
        if job is None:
            abort(404)
        return job

    @expose("/show/<int:pk>", methods=["GET"])
    @has_access
    def show(self, pk):
        """The job order: its sections, status and next steps, approvals, history, people."""
        job = self._job_or_404(int(pk))
        sm = self.appbuilder.sm
        level = len(job.approvals) + 1
        return self.render_template(
            self.show_template,
            pk=job.id,
            title=f"{job.reference} {job.title}",
            widgets=self._show(job.id),
            job=job,
            badge=status_badge(job.status),
            steps=next_steps(job),
            may_write=sm.has_access("can_write", self.class_permission_name),
            may_approve=sm.has_access("can_approve", self.class_permission_name),
            approval={"level": level, "needed": job.approvals_needed},
            approve_form=ApproveForm(formdata=None).fill(recruiter_users()),
            contacts=[link.contact for link in job.client.contact_links],
            stakeholder_roles=STAKEHOLDER_ROLES,
            stages=stage_counts(job.id),
            offers=job_offers(job.id) if sm.has_access("can_read", "Offer") else None,
            may_offer=sm.has_access("can_write", "Offer"),
            person=person,
            when=when,
            status_label=status_label,
        )

    @expose("/workflow/<int:pk>/<verb>", methods=["POST"])
    @has_access
    def workflow(self, pk, verb):
        """Move the order with one of the workflow's verbs (submit, open, hold, resume...)."""
        job = self._job_or_404(pk)
        if verb not in WORKFLOW_VERBS:
            abort(404)
        action = getattr(job, f"action_{verb}")
        if WORKFLOW_VERBS[verb]:
            reason = request.form.get("reason", "").strip() or None
            return self._verb(job, lambda: action(acting_user(), reason))
        return self._verb(job, lambda: action(acting_user()))

    @expose("/approve/<int:pk>", methods=["POST"])
    @has_access
    def approve(self, pk):
        """Approve at the next level; the last level assigns the chosen recruiters."""
        job = self._job_or_404(pk)
        users = recruiter_users()
        form = ApproveForm().fill(users)
        if not form.validate():
            for errors in form.errors.values():
                flash(" ".join(str(error) for error in errors), "danger")
            return redirect(url_for(".show", pk=pk))
        by_id = {user.id: user for user in users}
        chosen = [by_id[user_id] for user_id in form.recruiters.data]
        return self._verb(
            job,
            lambda: job.action_approve(acting_user(), chosen, (form.comment.data or "").strip()),
        )

    @expose("/reject/<int:pk>", methods=["POST"])
    @has_access
    def reject(self, pk):
        """Refuse a submitted order, with the reason."""
        job = self._job_or_404(pk)
        return self._verb(
            job, lambda: job.action_reject(acting_user(), request.form.get("reason", ""))
        )

    @expose("/stakeholder/<int:pk>", methods=["POST"])
    @has_access
    def add_stakeholder(self, pk):
        """Add one of the client's contacts with their part in the hiring decision."""
        job = self._job_or_404(pk)
        contact_id = request.form.get("contact", type=int)
        contact = db.session.scalar(
            select(Contact).where(Contact.id == contact_id, visible_contact_condition(Contact.id))
        )
        if contact is None:
            flash("Choose one of the client's contacts.", "danger")
            return redirect(url_for(".show", pk=pk))
        role = request.form.get("role", "")
        return self._verb(
            job, lambda: job.add_stakeholder(contact, role), f"{contact} added as {role}."
        )

    @expose("/stakeholder/<int:pk>/<int:stakeholder_id>/remove", methods=["POST"])
    @has_access
    def remove_stakeholder(self, pk, stakeholder_id):
        """Take a stakeholder off the order."""
        job = self._job_or_404(pk)
        stakeholder = next((s for s in job.stakeholders if s.id == stakeholder_id), None)
        if stakeholder is None:
            abort(404)
        done = f"{stakeholder.contact} removed from the stakeholders."
        return self._verb(job, lambda: job.remove_stakeholder(stakeholder), done)

    def _verb(self, job: JobOrder, call, done: str | None = None):
        """Run a model verb, commit, and say what happened (the model's message if refused)."""
        before = job.status
        try:
            call()
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "danger")
        else:
            if done is None and job.status != before:
                done = f"{job.reference} is now {job.status_label}."
            elif done is None:  # the first of two approval levels
                done = f"{job.reference}: approval recorded; it waits for the next level."
            flash(done, "success")
        return redirect(url_for(".show", pk=job.id))
