"""Recruitment projects: the list with progress, and a project page with its milestones (add,
edit, complete, reopen, remove), job orders, recruiters and budget. Progress is the model's."""

from __future__ import annotations

from decimal import Decimal

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import expose
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import has_access, permission_name
from flask_wtf import FlaskForm
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms import DateField, StringField
from wtforms.validators import Optional

from extensions import db
from models import DomainError, JobOrder, Milestone, NotFoundError, Project, visible_client_ids
from models.projects import PROJECT_STATUSES

from .base import READ_WRITE, RulesModelView, field_error
from .fields import choice
from .invoice_forms import NumberField
from .roles import RESOURCE_PERMISSIONS
from .visibility import acting_user, client_is_visible, staff_users, visible_to_user


class EagerInterface(SQLAInterface):
    """A model interface whose list query loads the given relationships up front, so that a
    column derived from them (a project's progress) costs no query per row."""

    def __init__(self, obj, loaders=(), session=None):
        super().__init__(obj, session=session)
        self.loaders = loaders

    def apply_all(self, query, *args, **kwargs):
        return super().apply_all(query, *args, **kwargs).options(*self.loaders)


def progress_bar(percent: int) -> Markup:
    """A Bootstrap progress bar labelled with its percentage."""
    return Markup(
        '<div class="progress" style="margin:0;min-width:8em" title="{0}% of milestones done">'
        '<div class="progress-bar" role="progressbar" aria-valuenow="{0}" aria-valuemin="0" '
        'aria-valuemax="100" style="width:{0}%">{0}%</div></div>'
    ).format(int(percent or 0))


def _money(amount: Decimal | None) -> str:
    return "—" if amount is None else f"{amount:,.2f}"


def _next_due(milestone: Milestone | None) -> str:
    if milestone is None:
        return "—"
    due = f"due {milestone.due_date:%d %b %Y}" if milestone.due_date else "no due date"
    return f"{milestone.name} ({due}{', overdue' if milestone.is_overdue else ''})"


class MilestoneForm(FlaskForm):
    name = StringField("Milestone")
    due_date = DateField("Due date", validators=[Optional()])
    billing_amount = NumberField(
        "Billing amount",
        example="5000.00",
        description="Blank: not billed. Set: completing it proposes a draft invoice of it.",
    )


MILESTONE_VERBS = {
    "complete": ("action_complete", "completed"),
    "reopen": ("action_reopen", "reopened"),
    "remove": ("action_remove", "removed"),
}


class ProjectView(RulesModelView):
    """Recruitment projects of the clients the user works on."""

    datamodel = EagerInterface(Project, (selectinload(Project.milestones),))
    class_permission_name = "Project"
    base_permissions = RESOURCE_PERMISSIONS["Project"]
    method_permission_name = {
        **READ_WRITE,
        "add_milestone": "write",
        "edit_milestone": "write",
        "milestone_verb": "write",
    }
    base_filters = [visible_to_user()]
    exclude_route_methods = {"delete"}  # a project ends as completed or cancelled, never deleted
    add_form_query_rel_fields = {
        "client": [visible_to_user("id")],
        "recruiters": [staff_users()],
        "job_orders": [visible_to_user()],
    }
    edit_form_query_rel_fields = {
        "recruiters": [staff_users()],
        "job_orders": [visible_to_user()],
    }
    search_form_query_rel_fields = {"client": [visible_to_user("id")]}
    show_template = "admin/project_show.html"

    list_title = "Projects"
    add_title = "New recruitment project"
    edit_title = "Edit project"
    show_title = "Project"
    list_columns = ["name", "client", "status", "progress", "budget", "next_milestone"]
    search_columns = ["name", "client", "status"]
    order_columns = ["name", "status", "budget"]
    add_columns = [
        "client",
        "name",
        "description",
        "status",
        "start_date",
        "target_end_date",
        "budget",
        "currency",
        "recruiters",
        "job_orders",
    ]
    edit_columns = add_columns[1:]  # a project stays with its client
    label_columns = {
        "progress": "Progress",
        "next_milestone": "Next milestone due",
        "target_end_date": "Target end date",
        "job_orders": "Job orders",
    }
    description_columns = {"job_orders": "Job orders of the same client."}
    formatters_columns = {"progress": progress_bar, "budget": _money, "next_milestone": _next_due}
    add_form_extra_fields = edit_form_extra_fields = {
        "status": choice("Status", PROJECT_STATUSES, blank=None, default="active"),
    }

    def pre_add(self, item):
        with db.session.no_autoflush:  # ``item`` joins the session only after this check
            if item.client is None or not client_is_visible(item.client.id):
                raise NotFoundError("No such client.")

    # ------------------------------------------------------------ the project page

    def _project_or_404(self, pk) -> Project:
        """:raise 404: for a project that does not exist or whose client is not yours."""
        project = self.datamodel.get(pk, self._base_filters)
        if project is None:
            abort(404)
        return project

    def _milestone_or_404(self, mid) -> Milestone:
        """:raise 404: for a milestone of a project whose client is not yours."""
        milestone = db.session.scalar(
            select(Milestone)
            .join(Milestone.project)
            .where(
                Milestone.id == mid,
                Project.client_id.in_(visible_client_ids(acting_user())),
            )
        )
        if milestone is None:
            abort(404)
        return milestone

    @expose("/show/<pk>", methods=["GET"])
    @has_access
    def show(self, pk):
        """The project page: progress, milestones, job orders, recruiters and budget."""
        project = self._project_or_404(self._deserialize_pk_if_composite(pk))
        return self._page(project, MilestoneForm(formdata=None))

    def _page(self, project: Project, form: MilestoneForm, status: int = 200):
        jobs = db.session.scalars(
            select(JobOrder)
            .where(JobOrder.project_id == project.id)
            .order_by(JobOrder.id)
            .options(selectinload(JobOrder.recruiters))
        ).all()
        may_write = self.appbuilder.sm.has_access("can_write", self.class_permission_name)
        page = self.render_template(
            self.show_template,
            project=project,
            jobs=jobs,
            form=form,
            may_write=may_write,
            progress_bar=progress_bar,
            money=_money,
            title=project.name,
        )
        return page, status

    @expose("/milestones/<int:pk>/add", methods=["POST"])
    @has_access
    @permission_name("write")
    def add_milestone(self, pk):
        """Add a milestone to the project; a refusal re-renders the page with the values."""
        project = self._project_or_404(pk)
        form = MilestoneForm()
        if form.validate():
            milestone = Milestone(
                name=form.name.data,
                due_date=form.due_date.data,
                billing_amount=form.billing_amount.data,
            )
            try:
                with db.session.no_autoflush:
                    project.milestones.append(milestone)
                    milestone.validate()
                db.session.commit()
            except DomainError as error:
                db.session.rollback()
                field_error(form, error)
            else:
                flash(f"Milestone '{milestone.name}' added.", "success")
                return redirect(url_for(".show", pk=pk))
        return self._page(self._project_or_404(pk), form, 422)

    @expose("/milestones/<int:mid>/edit", methods=["GET", "POST"])
    @has_access
    @permission_name("write")
    def edit_milestone(self, mid):
        """Rename a milestone or change its due date or its billing amount."""
        milestone = self._milestone_or_404(mid)
        form = MilestoneForm(obj=milestone) if request.method == "GET" else MilestoneForm()
        if request.method == "POST" and form.validate():
            try:
                milestone.name, milestone.due_date = form.name.data, form.due_date.data
                milestone.billing_amount = form.billing_amount.data
                milestone.validate()
                db.session.commit()
            except DomainError as error:
                db.session.rollback()
                field_error(form, error)
            else:
                flash(f"Milestone '{milestone.name}' saved.", "success")
                return redirect(url_for(".show", pk=milestone.project_id))
        page = self.render_template(
            "admin/milestone_edit.html",
            form=form,
            project=self._milestone_or_404(mid).project,
            mid=mid,
            title="Edit milestone",
        )
        return page, 422 if any(field.errors for field in form) else 200

    @expose("/milestones/<int:mid>/<string:verb>", methods=["POST"])
    @has_access
    @permission_name("write")
    def milestone_verb(self, mid, verb):
        """Complete, reopen or remove a milestone (its verb logs it on the timeline)."""
        if verb not in MILESTONE_VERBS:
            abort(404)
        method, done = MILESTONE_VERBS[verb]
        milestone = self._milestone_or_404(mid)
        project_id, name = milestone.project_id, milestone.name
        try:
            getattr(milestone, method)(acting_user())
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "danger")
        else:
            flash(f"Milestone '{name}' {done}.", "success")
        return redirect(url_for(".show", pk=project_id))
