"""Hiring data for the portal tests: a company's search with candidates at every kind of stage.

``make_search`` builds, for one company, a project with milestones and an open job order whose
pipeline holds two candidates the client must never see (sourced, screened) and two presented
ones (submitted to client, client interview with an interview scheduled). It hands back plain
values (ids and names), like the other portal fixtures.
"""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace

import pytest

from extensions import db
from models import Client, Interview, JobOrder, utcnow
from tests.factories import (
    CandidateFactory,
    JobOrderFactory,
    MilestoneFactory,
    ProjectFactory,
    add_candidate,
    make_user,
    open_job_order,
)


def make_search(company_id: int, people: str, criteria: str | None = None) -> SimpleNamespace:
    """A project, an open job order and its pipeline for the company (call in a context)."""
    client = db.session.get(Client, company_id)
    staff = make_user("Recruiter", first_name="Rita", last_name=f"{people}-Recruiter")
    project = ProjectFactory(client=client, name=f"{people} engineering build-out")
    MilestoneFactory(
        project=project, name=f"{people} kick-off", completed_on=date.today() - timedelta(days=3)
    )
    MilestoneFactory(
        project=project,
        name=f"{people} first shortlist",
        due_date=date.today() + timedelta(days=9),
    )
    job = open_job_order(
        JobOrderFactory(
            client=client,
            project=project,
            title=f"{people} Platform Lead",
            timeline_days=45,
            evaluation_criteria=criteria,
        ),
        recruiter=staff,
    )
    hidden = [
        add_candidate(job, stage, CandidateFactory(first_name=f"{people}{stage.title()}"), by=staff)
        for stage in ("sourced", "screened")
    ]
    shown = []
    for stage, first in (("submitted", "Sub"), ("client_interview", "Int")):
        application = add_candidate(
            job, stage, CandidateFactory(first_name=f"{people}{first}", last_name="Presented")
        )
        application.pitch = f"{people} pitch: led a platform team of twelve."
        shown.append(application)
    db.session.add(
        Interview(
            application=shown[1],
            client_id=company_id,
            scheduled_at=utcnow() + timedelta(days=2),
            format="video",
        )
    )
    db.session.commit()
    return SimpleNamespace(
        project_id=project.id,
        project_name=project.name,
        job_id=job.id,
        job_title=job.title,
        job_reference=job.reference,
        hidden_ids=[a.id for a in hidden],
        hidden_names=[a.candidate.full_name for a in hidden],
        shown_ids=[a.id for a in shown],
        shown_names=[a.candidate.full_name for a in shown],
        pitch=shown[0].pitch,
    )


def job_status(app, job_id: int) -> str:
    with app.app_context():
        return db.session.get(JobOrder, job_id).status


@pytest.fixture
def search(app, company):
    """Acme's open search with hidden (sourced, screened) and presented candidates."""
    with app.app_context():
        return make_search(company.id, "Acme")


@pytest.fixture
def other_search(app, other_company):
    """Zenith's search: nothing of it may show in Acme's portal."""
    with app.app_context():
        return make_search(other_company.id, "Zenith")
