"""What the portal's hiring pages show, read through the access helper in a fixed number of queries.

The dashboard's figures are grouped queries (never one query per project, job or candidate), so
a client with 500 applications costs the same number of queries as one with 5. The client
only ever sees the pipeline from the moment a candidate was presented to them
(``Application.shown_to_client``); the activity feed follows the same rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask import abort
from sqlalchemy import and_, func, or_
from sqlalchemy.orm import aliased, selectinload

from extensions import db
from models import Activity, Application, Interview, JobOrder, Milestone, Project
from models.candidates import EXITS, PRESENTED_STAGES, STAGE_LABELS
from models.evaluations import summarise
from models.recruiting import ACTIVE_STATUSES, LIVE_STATUSES

from .access import client_query

# Projects the client still follows on the dashboard.
OPEN_PROJECT_STATUSES = ("planning", "active", "on_hold")
# The pipeline the dashboard counts: candidates of searches running or just filled.
COUNTED_JOB_STATUSES = (*LIVE_STATUSES, "filled")
# How a job order's status reads to the client.
CLIENT_STATUS_LABELS = {
    "draft": "Draft",
    "submitted": "Awaiting approval",
    "approved": "Approved",
    "rejected": "Not accepted",
    "open": "Search open",
    "on_hold": "On hold",
    "filled": "Filled",
    "cancelled": "Cancelled",
    "closed": "Closed",
}
# How a candidate's move reads to the client, by the stage reached.
CLIENT_MOVE_LABELS = {
    "submitted": "Presented to you",
    "client_interview": "Moved to client interview",
    "offer": "Moved to offer",
    "placed": "Placed",
    "rejected": "Not selected",
    "withdrawn": "Withdrew from the process",
}
FEED_LENGTH = 10
DEADLINES_SHOWN = 8


# ---------------------------------------------------------------- dashboard


@dataclass
class ProjectProgress:
    project: Project
    done: int
    total: int
    jobs: int

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


@dataclass
class Deadline:
    on: date
    kind: str  # "milestone" or "target"
    title: str
    context: str
    job_id: int | None = None

    @property
    def overdue(self) -> bool:
        return self.on < date.today()


@dataclass
class FeedItem:
    at: datetime
    kind: str
    title: str
    detail: str
    job_id: int | None = None


@dataclass
class JobTarget:
    """One job order's time open so far against the agreed timeline."""

    job: JobOrder
    presented: int = 0

    @property
    def days_open(self) -> int | None:
        return self.job.days_open

    @property
    def timeline_days(self) -> int | None:
        return self.job.timeline_days

    @property
    def percent(self) -> int:
        if not self.timeline_days or self.days_open is None:
            return 0
        return min(100, round(100 * self.days_open / self.timeline_days))

    @property
    def over_target(self) -> bool:
        return bool(
            self.timeline_days
            and self.days_open is not None
            and self.days_open > self.timeline_days
        )

    @property
    def days_left(self) -> int | None:
        if not self.timeline_days or self.days_open is None:
            return None
        return self.timeline_days - self.days_open


@dataclass
class HiringOverview:
    projects: list[ProjectProgress]
    stages: list[tuple[str, str, int]]  # (stage, label, candidates)
    deadlines: list[Deadline]
    feed: list[FeedItem]
    targets: list[JobTarget]
    awaiting_approval: int

    @property
    def stage_max(self) -> int:
        return max((count for _stage, _label, count in self.stages), default=0)


def hiring_overview() -> HiringOverview:
    """The dashboard's hiring figures for the signed-in client (a fixed number of queries)."""
    projects = db.session.scalars(
        client_query(Project)
        .where(Project.status.in_(OPEN_PROJECT_STATUSES))
        .order_by(Project.target_end_date.asc().nulls_last(), Project.name)
    ).all()
    progress = _progress(project.id for project in projects)
    jobs_per_project = _count_by(
        client_query(JobOrder).with_only_columns(JobOrder.project_id, func.count(JobOrder.id)),
        JobOrder.project_id,
        [project.id for project in projects],
    )
    active_jobs = db.session.scalars(
        client_query(JobOrder)
        .where(JobOrder.status.in_(ACTIVE_STATUSES))
        .order_by(JobOrder.opened_at.asc().nulls_last(), JobOrder.id)
    ).all()
    presented = presented_counts()
    live = [job for job in active_jobs if job.status in LIVE_STATUSES]
    targets = [JobTarget(job, presented.get(job.id, 0)) for job in live]
    targets.sort(key=lambda t: (not t.over_target, -t.percent, t.job.id))
    return HiringOverview(
        projects=[
            ProjectProgress(p, *progress.get(p.id, (0, 0)), jobs_per_project.get(p.id, 0))
            for p in projects
        ],
        stages=_stage_counts(),
        deadlines=_deadlines(live),
        feed=activity_feed(),
        targets=targets,
        awaiting_approval=sum(1 for job in active_jobs if job.status in ("submitted", "approved")),
    )


def _progress(project_ids) -> dict[int, tuple[int, int]]:
    """{project id: (milestones done, milestones)} in one grouped query, scoped to the client."""
    query = (
        client_query(Milestone, Project.client_id)
        .with_only_columns(
            Milestone.project_id,
            func.count(Milestone.completed_on),
            func.count(Milestone.id),
        )
        .select_from(Milestone)
        .join(Project, Milestone.project_id == Project.id)
        .where(Milestone.project_id.in_(list(project_ids)))
        .group_by(Milestone.project_id)
    )
    return {pid: (int(done), int(total)) for pid, done, total in db.session.execute(query)}


def _count_by(query, column, keys) -> dict[int, int]:
    """Run a ``(key, count)`` query grouped by ``column``, limited to ``keys``."""
    if not keys:
        return {}
    rows = db.session.execute(query.where(column.in_(keys)).group_by(column))
    return {key: int(count) for key, count in rows}


def presented_counts() -> dict[int, int]:
    """{job order id: candidates on its shortlist} for the client, in one grouped query."""
    query = (
        client_query(Application)
        .with_only_columns(Application.job_order_id, func.count(Application.id))
        .where(Application.shown_to_client())
        .group_by(Application.job_order_id)
    )
    return {job_id: int(count) for job_id, count in db.session.execute(query)}


def _stage_counts() -> list[tuple[str, str, int]]:
    """Candidates per presented stage across the client's running searches (never sourced or
    screened: those stages are not even asked for)."""
    query = (
        client_query(Application)
        .with_only_columns(Application.stage, func.count(Application.id))
        .join(JobOrder, Application.job_order_id == JobOrder.id)
        .where(
            Application.stage.in_(PRESENTED_STAGES),
            JobOrder.status.in_(COUNTED_JOB_STATUSES),
        )
        .group_by(Application.stage)
    )
    counts = dict(db.session.execute(query).all())
    return [(stage, STAGE_LABELS[stage], int(counts.get(stage, 0))) for stage in PRESENTED_STAGES]


def _deadlines(live_jobs: list[JobOrder]) -> list[Deadline]:
    """Open milestones with a due date and the target fill dates of running searches, soonest
    (or most overdue) first."""
    query = (
        client_query(Milestone, Project.client_id)
        .with_only_columns(Milestone.name, Milestone.due_date, Project.name)
        .select_from(Milestone)
        .join(Project, Milestone.project_id == Project.id)
        .where(
            Milestone.completed_on.is_(None),
            Milestone.due_date.is_not(None),
            Project.status.in_(OPEN_PROJECT_STATUSES),
        )
        .order_by(Milestone.due_date, Milestone.id)
        .limit(DEADLINES_SHOWN)
    )
    deadlines = [
        Deadline(due, "milestone", name, project)
        for name, due, project in db.session.execute(query)
    ]
    deadlines += [
        Deadline(job.target_fill_date, "target", job.title, job.reference, job.id)
        for job in live_jobs
        if job.target_fill_date is not None
    ]
    deadlines.sort(key=lambda d: d.on)
    return deadlines[:DEADLINES_SHOWN]


def activity_feed(limit: int = FEED_LENGTH) -> list[FeedItem]:
    """The client's hiring events, newest first, in one query.

    Status changes of their job orders, milestones of their projects, evaluations, and the
    moves of candidates from the moment they were presented (into a presented stage or out
    of the process); never an event about a sourced or screened candidate.
    """
    to_stage = Activity.changes[("stage", 1)].as_string()
    to_status = Activity.changes[("status", 1)].as_string()
    job = aliased(JobOrder)
    query = (
        client_query(Activity)
        .add_columns(Application, job)
        .outerjoin(
            Application,
            and_(
                Activity.kind == "candidate",
                Activity.subject_type == "application",
                Application.id == Activity.subject_id,
                Application.client_id == Activity.client_id,
            ),
        )
        .outerjoin(
            job,
            and_(
                Activity.kind == "job",
                Activity.subject_type == "job_order",
                job.id == Activity.subject_id,
                job.client_id == Activity.client_id,
            ),
        )
        .where(
            or_(
                Activity.kind.in_(("project", "evaluation")),
                and_(Activity.kind == "job", job.id.is_not(None), to_status.is_not(None)),
                and_(
                    Activity.kind == "candidate",
                    Application.presented_at.is_not(None),
                    Activity.at >= Application.presented_at,
                    to_stage.in_(PRESENTED_STAGES + EXITS),
                ),
            )
        )
        .order_by(Activity.at.desc(), Activity.id.desc())
        .limit(limit)
    )
    return [_feed_item(*row) for row in db.session.execute(query)]


def _feed_item(activity: Activity, application: Application | None, job: JobOrder | None):
    if activity.kind == "job":
        before, after = activity.changes["status"]
        detail = f"{CLIENT_STATUS_LABELS.get(before, before)} → {CLIENT_STATUS_LABELS[after]}"
        return FeedItem(activity.at, "job", f"{job.reference} {job.title}", detail, job.id)
    if activity.kind == "candidate":
        stage = activity.changes["stage"][1]
        order = application.job_order
        return FeedItem(
            activity.at,
            "candidate",
            application.candidate.full_name,
            f"{CLIENT_MOVE_LABELS[stage]} · {order.reference} {order.title}",
            order.id,
        )
    title = "Evaluation" if activity.kind == "evaluation" else "Project"
    return FeedItem(activity.at, activity.kind, title, activity.summary)


# ---------------------------------------------------------------- job pages


def shortlist(job: JobOrder) -> list[Application]:
    """The candidates presented for ``job``, with their interviews and the client's evaluations
    (loaded in a fixed number of queries)."""
    return list(
        db.session.scalars(
            client_query(Application)
            .where(Application.job_order_id == job.id, Application.shown_to_client())
            .options(
                selectinload(Application.evaluations),
                selectinload(Application.interviews).selectinload(Interview.interviewers),
            )
            .order_by(Application.presented_at.desc().nulls_last(), Application.id)
        )
    )


def presented_application(application_id: int) -> Application:
    """One application on the client's shortlist.

    :raise 404: when it does not exist, is another client's, or was never presented to them.
    """
    application = db.session.scalar(
        client_query(Application).where(
            Application.id == application_id, Application.shown_to_client()
        )
    )
    if application is None:
        abort(404)
    return application


def evaluation_summary(criteria: list[str], applications: list[Application]):
    """Per candidate of the shortlist: the average score per criterion and over all scores,
    and each person's decision (evaluations loaded with the applications)."""
    return summarise(applications, criteria)
