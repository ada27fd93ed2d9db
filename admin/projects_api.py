"""Recruitment projects in the REST API: a client's job orders grouped, with recruiters, a
budget and milestones, and the progress the specification's project tracking shows
(``GET /<id>/progress``). Milestones are completed and reopened through their model verbs.
"""

from __future__ import annotations

from flask_appbuilder.api import expose, protect, safe
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import permission_name
from marshmallow import Schema, fields
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from extensions import db
from models import Application, Client, JobOrder, Milestone, NotFoundError, Project, ProjectError
from models.candidates import STAGES
from models.projects import PROJECT_STATUSES

from .base import READ_WRITE
from .roles import RESOURCE_PERMISSIONS
from .shaped_api import Choice, Id, Money, Person, ShapedApi, Text, db_id, one_of, staff_by_ids
from .visibility import acting_user


class MilestoneShape(Schema):
    id = fields.Integer(dump_only=True)
    name = Text(191, required=True)
    due_date = fields.Date(data_key="dueDate", allow_none=True)
    billing_amount = Money(data_key="billingAmount")
    completed_on = fields.Date(data_key="completedOn", dump_only=True)
    is_overdue = fields.Boolean(data_key="overdue", dump_only=True)


class JobOrderRef(Schema):
    id = fields.Integer()
    reference = fields.String()
    title = fields.String()
    status = fields.String()


class ProjectShape(Schema):
    id = fields.Integer(dump_only=True)
    client_id = Id(data_key="clientId", required=True)
    client_name = fields.Function(
        lambda project: project.client.name, data_key="clientName", dump_only=True
    )
    name = Text(191, required=True)
    description = Text(20000)
    status = Choice(PROJECT_STATUSES, allow_none=False)
    start_date = fields.Date(data_key="startDate", allow_none=True)
    target_end_date = fields.Date(data_key="targetEndDate", allow_none=True)
    budget = Money()
    currency = fields.String()
    recruiter_ids = fields.List(Id(), data_key="recruiterIds", load_only=True)
    recruiters = fields.List(fields.Nested(Person), dump_only=True)
    job_order_ids = fields.List(Id(), data_key="jobOrderIds", load_only=True)
    job_orders = fields.List(fields.Nested(JobOrderRef), data_key="jobOrders", dump_only=True)
    milestones = fields.List(fields.Nested(MilestoneShape))
    progress = fields.Integer(dump_only=True)
    created_at = fields.DateTime(data_key="createdAt", dump_only=True)
    updated_at = fields.DateTime(data_key="updatedAt", dump_only=True)


class CompleteMilestone(Schema):
    on = fields.Date(allow_none=True)


COLUMNS = (
    "client_id",
    "name",
    "description",
    "status",
    "start_date",
    "target_end_date",
    "budget",
    "currency",
)


def apply_project(project: Project, data: dict) -> None:
    """Copy the loaded shape onto ``project``.

    :raise ProjectError: for a job order or a recruiter that cannot be added.
    """
    for column in COLUMNS:
        if column in data:
            setattr(project, column, data[column])
    if "recruiter_ids" in data:
        project.recruiters = staff_by_ids(data["recruiter_ids"], "recruiterIds")
    if "job_order_ids" in data:
        project.job_orders = _job_orders_of(project.client_id, data["job_order_ids"])
    for entry in data.get("milestones", []):
        project.milestones.append(
            Milestone(
                name=entry["name"],
                due_date=entry.get("due_date"),
                billing_amount=entry.get("billing_amount"),
            )
        )


def _job_orders_of(client_id: int, ids: list[int]) -> list[JobOrder]:
    """:raise ProjectError: naming the ids that are not job orders of this client."""
    jobs = db.session.scalars(
        select(JobOrder).where(JobOrder.id.in_(ids), JobOrder.client_id == client_id)
    ).all()
    missing = sorted(set(ids) - {job.id for job in jobs})
    if missing:
        raise ProjectError(
            f"No job order {', '.join(map(str, missing))} of this client.", "jobOrderIds"
        )
    return list(jobs)


def progress_json(project: Project) -> dict:
    """Milestones done, each job order with its candidates per stage, and the totals: one
    grouped query for the candidates."""
    milestones = project.milestones
    done = sum(1 for m in milestones if m.completed_on is not None)
    per_job: dict[int, dict[str, int]] = {job.id: {} for job in project.job_orders}
    rows = db.session.execute(
        select(Application.job_order_id, Application.stage, func.count(Application.id))
        .where(Application.job_order_id.in_(list(per_job)))
        .group_by(Application.job_order_id, Application.stage)
    )
    totals = dict.fromkeys(STAGES, 0)
    for job_id, stage, count in rows:
        per_job[job_id][stage] = count
        totals[stage] += count
    upcoming = project.next_milestone
    return {
        "projectId": project.id,
        "name": project.name,
        "status": project.status,
        "progress": project.progress,
        "milestones": {
            "done": done,
            "total": len(milestones),
            "overdue": sum(1 for m in milestones if m.is_overdue),
            "next": MilestoneShape().dump(upcoming) if upcoming else None,
        },
        "jobOrders": [
            {
                **JobOrderRef().dump(job),
                "openings": job.openings,
                "targetFillDate": _iso(job.target_fill_date),
                "daysOpen": job.days_open,
                "candidatesPerStage": {s: per_job[job.id].get(s, 0) for s in STAGES},
            }
            for job in project.job_orders
        ],
        "candidatesPerStage": totals,
    }


def _iso(value) -> str | None:
    return None if value is None else value.isoformat()


class ProjectApi(ShapedApi):
    """Projects: list, read, create, change; milestones added, completed and reopened."""

    resource_name = "project"
    class_permission_name = "Project"
    base_permissions = RESOURCE_PERMISSIONS["Project"]
    method_permission_name = {
        **READ_WRITE,
        "progress": "read",
        "add_milestone": "write",
        "complete_milestone": "write",
        "reopen_milestone": "write",
    }
    include_route_methods = ShapedApi.include_route_methods | {
        "progress",
        "add_milestone",
        "complete_milestone",
        "reopen_milestone",
    }
    datamodel = SQLAInterface(Project)
    schema = ProjectShape
    update_exclude = ("client_id", "milestones")
    more_error_paths = {"completed_on": "completedOn", "job_orders": "jobOrderIds"}
    list_load_options = (
        selectinload(Project.recruiters),
        selectinload(Project.job_orders),
        selectinload(Project.milestones),
    )
    openapi_spec_component_schemas = (MilestoneShape, CompleteMilestone)
    search_columns = ["client", "status", "name"]
    order_columns = ["created_at", "name", "status", "target_end_date"]
    base_order = ("created_at", "desc")
    query_filters = {
        "client_id": (db_id, lambda value: Project.client_id == value),
        "status": (one_of(PROJECT_STATUSES), lambda value: Project.status == value),
    }

    def create(self, data: dict) -> Project:
        project = Project(client_id=data["client_id"])
        self._check_client(project)  # a client the user may not see: 404
        project.client = db.session.get(Client, project.client_id)
        apply_project(project, data)
        project.validate()
        db.session.add(project)
        return project

    def update(self, project: Project, data: dict) -> None:
        apply_project(project, data)
        project.validate()

    @expose("/<int:pk>/progress", methods=["GET"])
    @protect()
    @safe
    @permission_name("progress")
    def progress(self, pk: int):
        """Project tracking: progress, milestones, job orders and candidates per stage.
        ---
        get:
          parameters:
          - in: path
            schema: {type: integer}
            name: pk
          responses:
            200: {description: The project's progress}
            404: {$ref: '#/components/responses/404'}
        """
        project = self.visible(pk)
        if project is None:
            return self.response_404()
        return self.response(200, id=pk, result=progress_json(project))

    @expose("/<int:pk>/milestones", methods=["POST"])
    @protect()
    @safe
    @permission_name("add_milestone")
    def add_milestone(self, pk: int):
        """Add a milestone (name, dueDate, billingAmount) to a project.
        ---
        post:
          parameters:
          - in: path
            schema: {type: integer}
            name: pk
          requestBody:
            content:
              application/json:
                schema: {$ref: '#/components/schemas/MilestoneShape'}
          responses:
            200: {description: The project with its milestones}
            404: {$ref: '#/components/responses/404'}
            422: {$ref: '#/components/responses/422'}
        """

        def add(project, data):
            project.milestones.append(
                Milestone(
                    name=data["name"],
                    due_date=data.get("due_date"),
                    billing_amount=data.get("billing_amount"),
                )
            )

        return self.run_on(pk, add, MILESTONE)

    @expose("/<int:pk>/milestones/<int:mid>/complete", methods=["POST"])
    @protect()
    @safe
    @permission_name("complete_milestone")
    def complete_milestone(self, pk: int, mid: int):
        """Mark a milestone done (today, or ``on`` a past date).
        ---
        post:
          parameters:
          - in: path
            schema: {type: integer}
            name: pk
          - in: path
            schema: {type: integer}
            name: mid
          responses:
            200: {description: The project with its progress}
            404: {$ref: '#/components/responses/404'}
            422: {$ref: '#/components/responses/422'}
        """
        return self.run_on(
            pk,
            lambda project, data: _milestone(project, mid).action_complete(
                acting_user(), data.get("on")
            ),
            COMPLETE,
        )

    @expose("/<int:pk>/milestones/<int:mid>/reopen", methods=["POST"])
    @protect()
    @safe
    @permission_name("reopen_milestone")
    def reopen_milestone(self, pk: int, mid: int):
        """Reopen a completed milestone.
        ---
        post:
          parameters:
          - in: path
            schema: {type: integer}
            name: pk
          - in: path
            schema: {type: integer}
            name: mid
          responses:
            200: {description: The project with its progress}
            404: {$ref: '#/components/responses/404'}
            422: {$ref: '#/components/responses/422'}
        """
        return self.run_on(
            pk, lambda project, data: _milestone(project, mid).action_reopen(acting_user())
        )


MILESTONE = MilestoneShape()
COMPLETE = CompleteMilestone()


def _milestone(project: Project, milestone_id: int) -> Milestone:
    """:raise NotFoundError: unless the milestone is one of ``project``'s."""
    found = next((m for m in project.milestones if m.id == milestone_id), None)
    if found is None:
        raise NotFoundError("No such milestone in this project.", "milestone")
    return found
