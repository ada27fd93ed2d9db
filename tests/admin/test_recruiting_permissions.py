"""The permission matrix for the project, candidate and pipeline pages, role by role."""

from __future__ import annotations

import pytest

from extensions import db
from models import Application
from tests.admin.test_permissions import signed_in
from tests.conftest import csrf_token
from tests.factories import (
    CandidateFactory,
    MilestoneFactory,
    ProjectFactory,
    add_candidate,
    open_job_order,
)

ROLES = ["Admin", "Account Manager", "Recruiter", "Finance", "Client"]
READERS = {"Admin", "Account Manager", "Recruiter", "Finance"}
WRITERS = {"Admin", "Account Manager", "Recruiter"}

PAGES = {
    "/projectview/list/": READERS,
    "/projectview/show/{project}": READERS,
    "/projectview/add": WRITERS,
    "/projectview/edit/{project}": WRITERS,
    "/projectview/milestones/{milestone}/edit": WRITERS,
    "/candidateview/list/": READERS,
    "/candidateview/show/{candidate}": READERS,
    "/candidateview/add": WRITERS,
    "/candidateview/edit/{candidate}": WRITERS,
    "/pipeline/{job}": READERS,
    "/pipeline/{job}/application/{application}": READERS,
}


@pytest.fixture
def records(app):
    with app.app_context():
        job = open_job_order()
        project = ProjectFactory(client=job.client)
        application = add_candidate(job, "screened", candidate=CandidateFactory())
        return {
            "client": job.client_id,
            "job": job.id,
            "project": project.id,
            "milestone": MilestoneFactory(project=project).id,
            "candidate": application.candidate_id,
            "application": application.id,
        }


def _denied(http, response, role):
    if role == "Client":
        return response.status_code in (400, 403)
    if response.status_code == 403:
        return True
    follow = http.get(response.headers["Location"]) if response.status_code == 302 else None
    return follow is not None and "Access is Denied" in follow.get_data(as_text=True)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", PAGES)
def test_recruiting_pages_follow_the_matrix(app, records, role, page):
    http, _ = signed_in(app, role, records["client"])
    response = http.get(page.format(**records))
    if role in PAGES[page]:
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
    else:
        assert _denied(http, response, role)


@pytest.mark.parametrize("role", ROLES)
def test_moving_a_candidate_on_the_board_needs_pipeline_write(app, records, role):
    http, _ = signed_in(app, role, records["client"])
    token = csrf_token(http, "/resetmypassword/form") if role != "Client" else ""
    response = http.post(
        f"/pipeline/{records['job']}/move/{records['application']}",
        data={"stage": "submitted", "csrf_token": token},
        headers={"HX-Request": "true"},
    )
    with app.app_context():
        stage = db.session.get(Application, records["application"]).stage
    if role in WRITERS:
        assert response.status_code == 200 and stage == "submitted"
    else:
        assert _denied(http, response, role) and stage == "screened"


@pytest.mark.parametrize("role", sorted(READERS))
def test_projects_and_candidates_are_in_the_recruiting_menu_of_readers(app, records, role):
    http, _ = signed_in(app, role, records["client"])
    page = http.get(f"/projectview/show/{records['project']}").get_data(as_text=True)
    assert "Recruiting" in page and "/projectview/list/" in page and "/candidateview/list/" in page
