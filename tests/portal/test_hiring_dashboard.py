"""The dashboard's hiring section: projects, the presented pipeline, targets, deadlines, activity,
in the same number of queries whatever the size of the client's pipeline."""

from datetime import date, timedelta
from itertools import cycle

import pytest
from sqlalchemy import event, insert, select

from extensions import db
from models import (
    Activity,
    Application,
    ApplicationStageChange,
    Candidate,
    Client,
    ClientContact,
    Evaluation,
    JobOrder,
    Project,
    utcnow,
)
from models.candidates import PRESENTED_STAGES, STAGES
from tests.factories import JobOrderFactory, MilestoneFactory, ProjectFactory, open_job_order

from .conftest import make_company, make_member, sign_in


@pytest.fixture
def page(client, member, search):
    sign_in(client, member.username)
    response = client.get("/portal/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def card(page: str, title_id: str) -> str:
    return page.split(f'id="{title_id}"')[1].split("</article>")[0]


def test_active_projects_show_their_progress(page, search):
    projects = card(page, "projects-title")
    assert search.project_name in projects
    assert 'aria-valuenow="50"' in projects
    assert "1 of 2 milestones done · 1 job order" in projects


def test_candidates_per_stage_count_only_presented_stages(page):
    stages = card(page, "stages-title")
    assert '<span class="funnel__count" data-stage="submitted">1</span>' in stages
    assert '<span class="funnel__count" data-stage="client_interview">1</span>' in stages
    assert '<span class="funnel__count" data-stage="offer">0</span>' in stages
    assert "Sourced" not in page
    assert "Screened" not in page


def test_upcoming_milestones_and_target_fill_dates_are_listed_soonest_first(
    app, client, member, search
):
    with app.app_context():
        target = db.session.get(JobOrder, search.job_id).target_fill_date
        MilestoneFactory(
            project=db.session.get(Project, search.project_id),
            name="Acme offer signed",
            due_date=date.today() - timedelta(days=1),
        )
    sign_in(client, member.username)
    deadlines = card(client.get("/portal/").get_data(as_text=True), "deadlines-title")
    overdue, shortlist, fill = deadlines.split('<li class="dates__item')[1:]
    assert "Acme offer signed" in overdue and "Overdue" in overdue
    assert "Acme first shortlist" in shortlist
    assert f"Target fill date · {search.job_reference} · {target:%d %b %Y}" in fill


def test_performance_shows_days_open_against_the_timeline(page, search):
    targets = card(page, "targets-title")
    assert f'href="/portal/jobs/{search.job_id}">{search.job_title}</a>' in targets
    assert "2 presented" in targets
    assert "<strong>Day 0</strong> of 45" in targets
    assert "45 days left" in targets


def test_a_search_past_its_timeline_is_flagged_over_target(app, client, member, search):
    with app.app_context():
        db.session.get(JobOrder, search.job_id).opened_at = utcnow() - timedelta(days=50)
        db.session.commit()
    sign_in(client, member.username)
    targets = card(client.get("/portal/").get_data(as_text=True), "targets-title")
    assert "rows__item--over" in targets
    assert "5 days over target" in targets
    assert 'aria-valuenow="100"' in targets


def test_recent_activity_shows_the_clients_hiring_events_newest_first(page, search):
    feed = card(page, "activity-title")
    items = feed.split('<li class="feed__item')[1:]
    assert search.shown_names[1] in items[0] and "Moved to client interview" in items[0]
    assert search.shown_names[0] in items[1] and "Presented to you" in items[1]
    assert "Approved → Search open" in items[2]
    assert "Draft → Awaiting approval" in items[-1]


def test_recent_activity_never_mentions_a_candidate_before_presentation(page, search):
    feed = card(page, "activity-title")
    for name in search.hidden_names:
        assert name not in feed
    assert "added to the pipeline" not in feed
    assert "Sourced →" not in feed


def test_contacts_without_the_hiring_area_see_the_dashboard_as_before(app, client, company, search):
    with app.app_context():
        billing = make_member(company.id, areas=("billing",), first_name="Bill")
    sign_in(client, billing.username)
    body = client.get("/portal/").get_data(as_text=True)
    assert company.name in body
    assert "Performance against targets" not in body
    assert search.job_title not in body
    assert 'href="/portal/jobs"' not in body


# ---------------------------------------------------------------- query count


def pipeline(company_id: int, size: int, contact_id: int) -> None:
    """Three open job orders of the company, a project, and ``size`` applications spread over
    every stage, with their stage changes, timeline events and evaluations, inserted in bulk."""
    client = db.session.get(Client, company_id)
    project = ProjectFactory(client=client)
    for days in (5, 10):
        MilestoneFactory(project=project, due_date=date.today() + timedelta(days=days))
    jobs = [open_job_order(JobOrderFactory(client=client, project=project)) for _ in range(3)]
    now = utcnow()
    candidate_ids = db.session.scalars(
        insert(Candidate).returning(Candidate.id, sort_by_parameter_order=True),
        [{"first_name": f"Bulk{i}", "last_name": "Candidate"} for i in range(size)],
    ).all()
    rows = [
        {
            "job_order_id": job.id,
            "candidate_id": candidate_id,
            "client_id": company_id,
            "stage": stage,
            "stage_changed_at": now,
            "presented_at": now if stage not in ("sourced", "screened") else None,
        }
        for candidate_id, job, stage in zip(candidate_ids, cycle(jobs), cycle(STAGES))
    ]
    application_ids = db.session.scalars(
        insert(Application).returning(Application.id, sort_by_parameter_order=True), rows
    ).all()
    db.session.execute(
        insert(ApplicationStageChange),
        [
            {"application_id": a, "from_stage": "screened", "to_stage": row["stage"], "at": now}
            for a, row in zip(application_ids, rows, strict=True)
        ],
    )
    db.session.execute(
        insert(Activity),
        [
            {
                "client_id": company_id,
                "kind": "candidate",
                "subject_type": "application",
                "subject_id": a,
                "summary": "moved",
                "changes": {"stage": ["screened", row["stage"]]},
                "at": now,
            }
            for a, row in zip(application_ids, rows, strict=True)
        ],
    )
    db.session.execute(
        insert(Evaluation),
        [
            {
                "application_id": a,
                "client_id": company_id,
                "contact_id": contact_id,
                "scores": {"Skills": 4},
                "decision": "advance",
            }
            for a, row in zip(application_ids, rows, strict=True)
            if row["stage"] in PRESENTED_STAGES
        ],
    )
    db.session.commit()


def count_dashboard_queries(app, client, username: str) -> tuple[int, str]:
    """The SQL statements one dashboard request runs (after a first, warming request)."""
    sign_in(client, username)
    client.get("/portal/")
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        response = client.get("/portal/")
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert response.status_code == 200
    return len(statements), response.get_data(as_text=True)


def test_the_dashboard_runs_as_many_queries_for_500_applications_as_for_5(app):
    counts = {}
    for size, short in ((5, "SMALL"), (500, "LARGE")):
        with app.app_context():
            company = make_company(f"{short} Holdings", short, short.title())
            person = make_member(company.id, first_name=short.title(), last_name="Member")
            contact_id = db.session.get(ClientContact, person.link_id).contact_id
            pipeline(company.id, size, contact_id)
            assert len(db.session.scalars(select(Application.id)).all()) >= size
        counts[size], body = count_dashboard_queries(app, app.test_client(), person.username)
        # The figures are the real ones: every eighth application is placed.
        placed = sum(1 for i in range(size) if STAGES[i % len(STAGES)] == "placed")
        assert f'data-stage="placed">{placed}<' in body
    assert counts[5] == counts[500], counts
