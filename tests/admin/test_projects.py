"""The project pages: list with progress, the project page, milestones added, edited,
completed, reopened and removed, and another client's project answering 404."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from extensions import db
from models import Milestone, Project
from tests.admin.test_permissions import staff_on_team
from tests.conftest import csrf_token, login_staff
from tests.factories import JobOrderFactory, MilestoneFactory, ProjectFactory, make_user


@pytest.fixture
def desk(app):
    """A recruiter on the team of a client with a project of two milestones and a job order."""
    with app.app_context():
        project = ProjectFactory(name="Engineering build-out", budget=Decimal("120000"))
        user = staff_on_team("Recruiter", project.client_id)
        project.recruiters.append(user)
        late = MilestoneFactory(
            project=project, name="Shortlist", due_date=date.today() - timedelta(days=3)
        )
        later = MilestoneFactory(
            project=project, name="Offers out", due_date=date.today() + timedelta(days=30)
        )
        JobOrderFactory(client=project.client, project=project, title="Platform lead")
        db.session.commit()
        ids = {"project": project.id, "late": late.id, "later": later.id, "user": user.username}
    http = app.test_client()
    assert login_staff(http, ids["user"]).status_code == 302
    ids["http"] = http
    ids["token"] = csrf_token(http, f"/projectview/show/{ids['project']}")
    return ids


def _post(desk, path, **data):
    return desk["http"].post(path, data={**data, "csrf_token": desk["token"]})


def _project(pk) -> Project:
    db.session.remove()
    return db.session.get(Project, pk)


def test_the_list_shows_progress_budget_and_the_next_milestone_due(app, desk):
    page = desk["http"].get("/projectview/list/").get_data(as_text=True)
    assert "Engineering build-out" in page and "120,000.00" in page
    assert 'aria-valuenow="0"' in page and "Shortlist (due" in page and "overdue" in page


def test_the_project_page_shows_milestones_jobs_recruiters_and_budget(app, desk):
    page = desk["http"].get(f"/projectview/show/{desk['project']}").get_data(as_text=True)
    late_row = page.split(f'id="milestone-{desk["late"]}"')[1].split("</tr>")[0]
    assert "overdue" in late_row and "Complete" in late_row
    assert "Platform lead" in page and "draft" in page and "Pipeline board" in page
    assert "Recruiter User" in page and "120,000.00 USD" in page


def test_completing_a_milestone_updates_progress_and_reopening_takes_it_back(app, desk):
    response = _post(desk, f"/projectview/milestones/{desk['late']}/complete")
    assert response.status_code == 302
    with app.app_context():
        assert _project(desk["project"]).progress == 50
    page = desk["http"].get(f"/projectview/show/{desk['project']}").get_data(as_text=True)
    assert 'aria-valuenow="50"' in page
    _post(desk, f"/projectview/milestones/{desk['late']}/reopen")
    with app.app_context():
        assert _project(desk["project"]).progress == 0


def test_completing_a_completed_milestone_says_when_it_was_completed(app, desk):
    _post(desk, f"/projectview/milestones/{desk['late']}/complete")
    _post(desk, f"/projectview/milestones/{desk['late']}/complete")
    page = desk["http"].get(f"/projectview/show/{desk['project']}").get_data(as_text=True)
    assert f"Milestone &#39;Shortlist&#39; was completed on {date.today()}." in page


def test_a_milestone_is_added_and_a_nameless_one_is_refused_with_the_values_kept(app, desk):
    path = f"/projectview/milestones/{desk['project']}/add"
    response = _post(desk, path, name="  ", due_date="2030-01-31")
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "Milestone name is required." in body and 'value="2030-01-31"' in body
    assert _post(desk, path, name="Contracts signed", due_date="2030-01-31").status_code == 302
    with app.app_context():
        names = [m.name for m in _project(desk["project"]).milestones]
        assert "Contracts signed" in names and len(names) == 3


def test_a_milestone_is_renamed_and_removed(app, desk):
    path = f"/projectview/milestones/{desk['later']}/edit"
    assert 'value="Offers out"' in desk["http"].get(path).get_data(as_text=True)
    assert _post(desk, path, name="Offers signed", due_date="").status_code == 302
    with app.app_context():
        milestone = db.session.get(Milestone, desk["later"])
        assert milestone.name == "Offers signed" and milestone.due_date is None
    _post(desk, f"/projectview/milestones/{desk['late']}/complete")
    _post(desk, f"/projectview/milestones/{desk['later']}/remove")
    with app.app_context():
        assert db.session.get(Milestone, desk["later"]) is None
        assert _project(desk["project"]).progress == 100


def test_another_clients_project_and_its_milestones_are_404(app, desk):
    with app.app_context():
        other = ProjectFactory(name="Secret expansion")
        milestone = MilestoneFactory(project=other)
        ids = (other.id, milestone.id)
    assert desk["http"].get(f"/projectview/show/{ids[0]}").status_code == 404
    assert "Secret expansion" not in desk["http"].get("/projectview/list/").get_data(as_text=True)
    for path in (
        f"/projectview/milestones/{ids[1]}/complete",
        f"/projectview/milestones/{ids[1]}/remove",
        f"/projectview/milestones/{ids[0]}/add",
        f"/projectview/milestones/{ids[1]}/edit",
    ):
        assert _post(desk, path, name="x").status_code == 404, path
    with app.app_context():
        assert db.session.get(Milestone, ids[1]).completed_on is None


def test_a_project_is_created_for_a_visible_client(app, desk):
    with app.app_context():
        client_id = _project(desk["project"]).client_id
        recruiter = make_user("Recruiter")
        rid = recruiter.id
    response = _post(
        desk,
        "/projectview/add",
        client=str(client_id),
        name="Sales hiring",
        status="planning",
        budget="5000",
        currency="USD",
        recruiters=str(rid),
    )
    assert response.status_code == 302
    with app.app_context():
        project = db.session.query(Project).filter_by(name="Sales hiring").one()
        assert project.status == "planning" and [u.id for u in project.recruiters] == [rid]


def _list_queries(app, desk, count: int) -> int:
    from sqlalchemy import event

    with app.app_context():
        client = _project(desk["project"]).client
        for _ in range(count):
            MilestoneFactory(project=ProjectFactory(client=client))
        engine = db.engine
    statements = []

    def count_statement(*args):
        statements.append(args[2])

    event.listen(engine, "before_cursor_execute", count_statement)
    try:
        response = desk["http"].get("/projectview/list/?psize_ProjectView=100")
    finally:
        event.remove(engine, "before_cursor_execute", count_statement)
    assert response.get_data(as_text=True).count('role="progressbar"') > count
    return len(statements)


def test_the_project_lists_query_count_does_not_grow_with_projects(app, desk):
    assert _list_queries(app, desk, 3) == _list_queries(app, desk, 27)


def test_a_milestones_billing_amount_is_set_on_its_edit_form(app, desk):
    path = f"/projectview/milestones/{desk['later']}/edit"
    assert "Billing amount" in desk["http"].get(path).get_data(as_text=True)
    for typed, message in [
        ("lots", "must be a number"),
        ("-5", "billing amount"),
        ("NaN", "billing amount"),
    ]:
        refused = _post(desk, path, name="Offers out", billing_amount=typed)
        assert refused.status_code == 422, typed
        body = refused.get_data(as_text=True)
        assert message in body.lower() and f'value="{typed}"' in body
    assert _post(desk, path, name="Offers out", billing_amount="5,000.50").status_code == 302
    with app.app_context():
        assert db.session.get(Milestone, desk["later"]).billing_amount == Decimal("5000.50")
    assert _post(desk, path, name="Offers out", billing_amount="").status_code == 302
    with app.app_context():
        assert db.session.get(Milestone, desk["later"]).billing_amount is None
