"""The demo agency's recruiting work: projects, job orders in every part of the workflow,
candidates in their pipelines, interviews, a placement and the clients' evaluations.

Called by ``load_demo()`` (admin/demo.py) inside its transaction; like it, safe to run again:
a project is found by (client, name), a job order by (client, title), a candidate by email,
and nothing that exists is changed. Everything goes through the model verbs, then the dates
are spread over the past weeks so that the dashboards read like a working desk.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from extensions import db
from models import (
    Activity,
    Application,
    Candidate,
    Client,
    Evaluation,
    Interview,
    JobOrder,
    Milestone,
    Project,
    utcnow,
)

# fmt: off
# (client, project name, budget, [(milestone, due in days from today, done days ago or None)])
PROJECTS = (
    ("BAYANIHAN", "Cabuyao plant expansion", "1800000", (
        ("Kick-off and role profiles", -40, 38),
        ("Shortlists for leadership roles", -10, 9),
        ("Line supervisors hired", 20, None),
        ("Plant fully staffed", 75, None),
    )),
    ("MERLION", "Manila hub opening", "240000", (
        ("Hub leadership brief", -30, 28),
        ("Operations manager shortlisted", 5, None),
        ("Team onboarded", 60, None),
    )),
)

# (client, project or None, title, level, work type, fee type, fee, salary max, currency,
#  urgency, status, days open, [(candidate email, stage)])
JOBS = (
    ("BAYANIHAN", "Cabuyao plant expansion", "Plant Operations Manager", "manager", "onsite",
     "percentage", "20", "2400000", "PHP", "high", "open", 34, (
         ("ana.villar@people.example", "client_interview"),
         ("rodel.pascual@people.example", "submitted"),
         ("grace.lim@people.example", "submitted"),
         ("noel.bautista@people.example", "screened"),
         ("ivy.castro@people.example", "sourced"),
     )),
    ("BAYANIHAN", "Cabuyao plant expansion", "Quality Assurance Lead", "lead", "onsite",
     "percentage", "18", "1500000", "PHP", "medium", "open", 12, (
         ("mark.delacruz@people.example", "submitted"),
         ("joy.tolentino@people.example", "screened"),
     )),
    ("BAYANIHAN", None, "Finance Business Partner", "senior", "hybrid",
     "fixed", "180000", None, "PHP", "low", "submitted", 0, ()),
    ("MERLION", "Manila hub opening", "Hub Operations Manager", "manager", "hybrid",
     "fixed", "38000", "150000", "SGD", "critical", "open", 21, (
         ("kevin.ong@people.example", "offer"),
         ("farah.ismail@people.example", "submitted"),
         ("daniel.reyes@people.example", "screened"),
     )),
    ("KALAYAAN", None, "Workforce Management Analyst", "mid", "remote",
     "percentage", "15", "900000", "USD", "medium", "filled", 48, (
         ("paolo.santiago@people.example", "rejected"),
         ("lara.gomez@people.example", "placed"),
     )),
    ("HARBOURSIDE", None, "VP of Engineering", "executive", "hybrid",
     "retained", "75000", "210000", "GBP", "high", "open", 16, (
         ("tom.ashby@people.example", "submitted"),
         ("nadia.rahman@people.example", "screened"),
     )),
    ("MAHARLIKA", None, "Chief Risk Officer", "executive", "onsite",
     "retained", "95000", None, "PHP", "high", "draft", 0, ()),
)

# fmt: on

CRITERIA_SCORES = {"Skills": 4, "Experience": 5, "Cultural fit": 4, "Communication": 4}


def load_recruiting(staff: dict, count) -> None:
    """Add the demo's recruiting records that are missing (the caller commits)."""
    manager, recruiter = staff["Account Manager"], staff["Recruiter"]
    clients = {c.short_name: c for c in db.session.scalars(select(Client)).unique()}
    projects = {}
    for short, name, budget, milestones in PROJECTS:
        projects[name] = _project(clients[short], name, budget, milestones, recruiter, count)
    for row in JOBS:
        short, project, title = row[0], row[1], row[2]
        client = clients[short]
        exists = db.session.scalar(
            select(JobOrder.id).where(JobOrder.client_id == client.id, JobOrder.title == title)
        )
        if exists is None:
            _job(client, projects.get(project), row, manager, staff["Admin"], recruiter)
            count("job orders")


def _project(client: Client, name: str, budget: str, milestones, recruiter, count) -> Project:
    project = db.session.scalar(
        select(Project).where(Project.client_id == client.id, Project.name == name)
    )
    if project is not None:
        return project
    today = date.today()
    project = Project(
        client=client,
        name=name,
        status="active",
        budget=Decimal(budget),
        currency=client.currency or "USD",
        start_date=today - timedelta(days=45),
        target_end_date=today + timedelta(days=90),
        recruiters=[recruiter],
    )
    for title, due_in, done_ago in milestones:
        project.milestones.append(
            Milestone(
                name=title,
                due_date=today + timedelta(days=due_in),
                completed_on=today - timedelta(days=done_ago) if done_ago is not None else None,
            )
        )
    db.session.add(project)
    count("projects")
    return project


def _job(client, project, row, manager, admin, recruiter) -> JobOrder:
    (
        _short,
        _project,
        title,
        level,
        work_type,
        fee_type,
        fee,
        salary_max,
        currency,
        urgency,
        status,
        days_open,
        pipeline,
    ) = row
    job = JobOrder(
        client=client,
        project=project,
        title=title,
        level=level,
        work_type=work_type,
        department="Operations" if "Operations" in title else None,
        description=f"{client.name} is hiring a {title} to join a growing team.",
        requirements="5+ years in a similar role\nTeam leadership\nStrong stakeholder management",
        location=client.locations[0].city if client.locations else None,
        fee_type=fee_type,
        # the fixed-fee roles are sold as contract staffing; the others follow their fee type
        service_type="contract staffing" if fee_type == "fixed" else None,
        fee=Decimal(fee),
        currency=currency,
        salary_max=Decimal(salary_max) if salary_max else None,
        timeline_days=45,
        replacement_guarantee_days=90,
        payment_terms="net_30",
        urgency=urgency,
        quality_level="premium",
        cultural_fit="important",
        success_criteria="Offer accepted within the timeline; the hire stays past the guarantee.",
    )
    db.session.add(job)
    primary = next((lk.contact for lk in client.contact_links if lk.role == "primary"), None)
    if primary is not None:
        job.add_stakeholder(primary, "hiring manager")
    if status == "draft":
        return job
    job.action_submit()
    if status == "submitted":
        return job
    if not job.action_approve(manager, recruiters=[recruiter]):
        job.action_approve(admin, recruiters=[recruiter])  # above the second-level threshold
    job.action_open(manager)
    _backdate(job, days_open)
    for email, stage in pipeline:
        _application(job, email, stage, recruiter, primary, days_open)
    _align_timeline(job)
    return job


def _application(job, email, stage, recruiter, evaluator, days_open: int) -> None:
    candidate = db.session.scalar(select(Candidate).where(Candidate.email == email))
    if candidate is None:
        first, last = email.split("@")[0].split(".")
        candidate = Candidate(
            first_name=first.capitalize(),
            last_name=last.capitalize(),
            email=email,
            current_title=f"Senior {job.title.split()[-1]}",
            location=job.location,
        )
        db.session.add(candidate)
    path = {
        "sourced": (),
        "screened": ("screened",),
        "submitted": ("screened", "submitted"),
        "client_interview": ("screened", "submitted", "client_interview"),
        "offer": ("screened", "submitted", "client_interview", "offer"),
        "placed": ("screened", "submitted", "client_interview", "offer"),
        "rejected": ("screened", "submitted", "rejected"),
    }[stage]
    application = Application.action_add(job, candidate, by=recruiter, source="LinkedIn")
    application.pitch = f"{candidate.first_name} has led similar teams and is open to a move."
    for step in path:
        application.action_move(step, recruiter)
    # The moves happened over the weeks the order has been open, not all just now.
    gap = timedelta(days=days_open / (len(path) + 2))
    for number, change in enumerate(application.stage_changes):
        change.at = job.opened_at + gap * (number + 1)
    application.stage_changed_at = application.stage_changes[-1].at
    if application.presented_at is not None:
        application.presented_at = application.entered("submitted")
    if "client_interview" in path:
        db.session.add(
            Interview(
                application=application,
                client_id=job.client_id,
                format="video",
                scheduled_at=utcnow() + timedelta(days=3),
                duration_minutes=60,
                interviewers=[evaluator] if evaluator else [],
            )
        )
    if stage == "placed":
        application.action_place(date.today() + timedelta(days=14), Decimal("880000"), recruiter)
    if evaluator is not None and stage in ("client_interview", "offer"):
        Evaluation.action_submit(application, evaluator, "advance", CRITERIA_SCORES, "Strong fit.")


def _backdate(job: JobOrder, days: int) -> None:
    """Spread the workflow's dates over the past ``days`` so the dashboards have history."""
    then = utcnow() - timedelta(days=days)
    for stamp in ("submitted_at", "approved_at", "opened_at"):
        setattr(job, stamp, then)
    for change in job.status_changes:
        change.at = then


def _align_timeline(job: JobOrder) -> None:
    """Give the timeline events of ``job`` and its candidates the dates of the moves they
    record (the moves were spread over the past weeks after they happened)."""
    db.session.flush()
    moves = {("job_order", job.id): {c.to_status: c.at for c in job.status_changes}}
    for application in job.applications:
        moves[("application", application.id)] = {
            c.to_stage: c.at for c in application.stage_changes
        }
    events = db.session.scalars(
        select(Activity).where(
            Activity.client_id == job.client_id,
            Activity.subject_type.in_(("job_order", "application")),
        )
    )
    for event in events:
        dates = moves.get((event.subject_type, event.subject_id))
        if not dates:
            continue
        after = next(iter((event.changes or {}).values()), [None, None])[1]
        event.at = dates.get(after) or min(dates.values())
