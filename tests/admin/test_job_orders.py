"""Job orders in the staff admin: the intake form in sections, the list's filters, the show page's
workflow buttons (each a model verb), approvals by role and level, stakeholders, 404 for another
team's client, the role matrix, and the client page's Jobs tab."""

from decimal import Decimal

import pytest
from flask_appbuilder.security.sqla.models import User
from sqlalchemy import event, select

from admin.job_orders import WORKFLOW_VERBS
from extensions import db
from models import Client, ClientTeamMember, JobOrder, JobOrderStakeholder
from tests.conftest import csrf_token, login_staff
from tests.factories import (
    ClientContactFactory,
    ClientFactory,
    JobOrderFactory,
    ProjectFactory,
    add_candidate,
    make_user,
    open_job_order,
)

ROLES = ["Admin", "Account Manager", "Recruiter", "Finance", "Client"]


def sign_in(app, role: str, **names):
    """A fresh test client signed in as a new user holding ``role``; (http, user id)."""
    http = app.test_client()
    with app.app_context():
        user = make_user(role, **names)
        username, user_id = user.username, user.id
    assert login_staff(http, username).status_code == 302
    return http, user_id


def on_team(app, user_id: int, client_id: int) -> None:
    with app.app_context():
        user = db.session.get(User, user_id)
        db.session.add(ClientTeamMember(client_id=client_id, user=user, role="recruiter"))
        db.session.commit()


def job_status(app, pk: int) -> str:
    with app.app_context():
        return db.session.get(JobOrder, pk).status


def post(http, url: str, **form):
    """POST ``form`` with a CSRF token taken from the user's own password page."""
    token = csrf_token(http, "/resetmypassword/form")
    return http.post(url, data={"csrf_token": token, **form})


def flashed(http) -> str:
    """The next page's text, where FAB shows the flashed messages."""
    return http.get("/joborderview/list/").get_data(as_text=True)


@pytest.fixture
def manager(app):
    """An Account Manager signed in, owning client Acme: (http, ids)."""
    http, user_id = sign_in(app, "Account Manager", first_name="Ana", last_name="Cruz")
    with app.app_context():
        acme = ClientFactory(name="Acme Manila", owner_id=user_id)
        ids = {"user": user_id, "client": acme.id}
    return http, ids


# ---------------------------------------------------------------- intake form

INTAKE = {
    "title": "VP of Engineering",
    "department": "Technology",
    "level": "executive",
    "description": "Lead engineering team of 50+ developers",
    "requirements": "10+ years experience\r\nTeam leadership\r\nStartup experience",
    "location": "San Francisco, CA",
    "work_type": "hybrid",
    "openings": "1",
    "salary_min": "250000",
    "salary_max": "300000",
    "currency": "USD",
    "fee_type": "fixed",
    "fee": "75000",
    "retainer_stages": "",
    "timeline_days": "60",
    "replacement_guarantee_days": "180",
    "guarantee_remedy": "pro_rata_credit",
    "payment_terms": "net_15",
    "urgency": "high",
    "quality_level": "premium",
    "cultural_fit": "critical",
    "success_criteria": "Hired within 60 days",
    "evaluation_criteria": "Leadership\r\nArchitecture",
}


def intake(http, client_id, **fields):
    url = f"/joborderview/add?client={client_id}"
    form = {**INTAKE, "client": str(client_id), "csrf_token": csrf_token(http, url), **fields}
    return http.post(url, data=form)


def test_the_intake_form_shows_its_four_sections_with_the_client_chosen(app, manager):
    http, ids = manager
    page = http.get(f"/joborderview/add?client={ids['client']}").get_data(as_text=True)
    for section in ("Job details", "Commercial terms", "Priorities", "Success"):
        assert section in page
    assert f'<option selected value="{ids["client"]}">Acme Manila</option>' in page
    assert "Percentage of first-year salary" in page  # the fee type's label


def test_the_intake_form_creates_a_draft_with_every_section_by_the_user(app, manager):
    http, ids = manager
    response = intake(http, ids["client"])
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        job = db.session.scalar(select(JobOrder))
        assert (job.status, job.client_id, job.created_by_id) == (
            "draft",
            ids["client"],
            ids["user"],
        )
        assert job.requirement_list == [
            "10+ years experience",
            "Team leadership",
            "Startup experience",
        ]
        assert (job.level, job.work_type, job.salary_max) == (
            "executive",
            "hybrid",
            Decimal("300000"),
        )
        assert (job.fee_type, job.fee, job.timeline_days) == ("fixed", Decimal("75000"), 60)
        assert (job.replacement_guarantee_days, job.payment_terms) == (180, "net_15")
        assert job.guarantee_remedy == "pro_rata_credit"
        assert (job.urgency, job.quality_level, job.cultural_fit) == ("high", "premium", "critical")
        assert job.success_criteria == "Hired within 60 days"
        assert job.criteria == ["Leadership", "Architecture"]


def test_a_broken_rule_re_renders_the_form_with_the_message_and_the_users_values(app, manager):
    http, ids = manager
    response = intake(http, ids["client"], salary_min="400000", title="Head of Data")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Salary max must be at least the salary min." in body
    assert 'value="Head of Data"' in body and 'value="400000"' in body
    with app.app_context():
        assert db.session.scalar(select(JobOrder)) is None


def test_a_project_of_another_client_is_refused_beside_the_project(app, manager):
    http, ids = manager
    with app.app_context():
        other = ClientFactory(owner_id=ids["user"])
        project = ProjectFactory(client=other).id
    body = intake(http, ids["client"], project=str(project)).get_data(as_text=True)
    assert "The project belongs to another client." in body
    with app.app_context():
        assert db.session.scalar(select(JobOrder)) is None


def test_the_add_form_offers_the_projects_of_the_client_it_is_opened_for(app, manager):
    http, ids = manager
    with app.app_context():
        ProjectFactory(client=db.session.get(Client, ids["client"]), name="Acme build-out")
        ProjectFactory(client=ClientFactory(owner_id=ids["user"]), name="Other build-out")
    page = http.get(f"/joborderview/add?client={ids['client']}").get_data(as_text=True)
    assert "Acme build-out" in page and "Other build-out" not in page


def test_the_intake_form_offers_only_the_clients_the_user_may_see(app, manager):
    http, ids = manager
    with app.app_context():
        hidden = ClientFactory(name="Someone Else's Client").id
    page = http.get("/joborderview/add").get_data(as_text=True)
    assert "Acme Manila" in page and "Someone Else&#39;s Client" not in page
    response = intake(http, hidden)
    assert response.status_code == 200 and "This field is required." in response.get_data(True)
    with app.app_context():
        assert db.session.scalar(select(JobOrder)) is None


def test_editing_keeps_the_sections_and_the_model_rules(app, manager):
    http, ids = manager
    with app.app_context():
        pk = JobOrderFactory(client=db.session.get(Client, ids["client"])).id
    url = f"/joborderview/edit/{pk}"
    page = http.get(url).get_data(as_text=True)
    assert "Commercial terms" in page and 'value="San Francisco, CA"' in page
    form = {**INTAKE, "client": str(ids["client"]), "csrf_token": csrf_token(http, url)}
    body = http.post(url, data={**form, "fee_type": "percentage", "fee": "120"}).get_data(True)
    assert "A percentage fee must be between 0 and 100." in body and 'value="120"' in body
    assert http.post(url, data={**form, "title": "CTO"}).status_code == 302
    with app.app_context():
        assert db.session.get(JobOrder, pk).title == "CTO"


# ---------------------------------------------------------------- list


@pytest.fixture
def three_jobs(app, manager):
    """Acme's open high-urgency job, its draft low one, and Beta's open one: (http, ids)."""
    http, ids = manager
    with app.app_context():
        acme = db.session.get(Client, ids["client"])
        beta = ClientFactory(name="Beta Foods", owner_id=ids["user"])
        recruiter = make_user("Recruiter", first_name="Rita", last_name="Ramos")
        approver = db.session.get(User, ids["user"])
        open_job_order(
            client=acme,
            title="Data Engineer",
            urgency="high",
            recruiter=recruiter,
            approver=approver,
        )
        JobOrderFactory(client=acme, title="Office Manager", urgency="low")
        open_job_order(client=beta, title="Head Chef", urgency="medium", approver=approver)
        ids.update(beta=beta.id, recruiter=recruiter.id)
    return http, ids


def listing(http, query="") -> str:
    response = http.get(f"/joborderview/list/?{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_list_shows_each_order_with_its_client_status_and_recruiters(three_jobs):
    http, _ = three_jobs
    page = listing(http)
    for text in ("JO-00001", "Data Engineer", "Acme Manila", "Beta Foods", "Rita Ramos"):
        assert text in page
    assert 'class="label label-success job-status">open<' in page


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ("_flt_3_status=open", {"Data Engineer", "Head Chef"}, {"Office Manager"}),
        ("_flt_3_status=draft", {"Office Manager"}, {"Data Engineer", "Head Chef"}),
        ("_flt_3_urgency=high", {"Data Engineer"}, {"Office Manager", "Head Chef"}),
        ("_flt_0_client={client}", {"Data Engineer", "Office Manager"}, {"Head Chef"}),
        ("_flt_0_recruiters={recruiter}", {"Data Engineer"}, {"Office Manager", "Head Chef"}),
    ],
)
def test_the_list_filters_by_status_urgency_client_and_recruiter(three_jobs, query, shown, hidden):
    http, ids = three_jobs
    page = listing(http, query.format(**ids))
    assert all(title in page for title in shown)
    assert not any(title in page for title in hidden)


@pytest.mark.parametrize("column", ["opened_at", "created_at", "submitted_at"])
def test_a_date_filter_in_the_url_is_ignored_not_a_500(manager, column):
    http, _ = manager
    assert http.get(f"/joborderview/list/?_flt_1_{column}=2026-01-01 00:00:00").status_code == 200


def test_the_list_runs_as_many_queries_for_many_orders_as_for_one(app, manager):
    http, ids = manager

    def queries_for_the_list() -> int:
        with app.app_context():
            engine = db.engine
        count = [0]

        def counter(*args):
            count[0] += 1

        event.listen(engine, "before_cursor_execute", counter)
        try:
            listing(http)
        finally:
            event.remove(engine, "before_cursor_execute", counter)
        return count[0]

    with app.app_context():
        acme = db.session.get(Client, ids["client"])
        recruiters = [make_user("Recruiter") for _ in range(3)]
        job = JobOrderFactory(client=acme)
        job.recruiters.append(recruiters[0])
        db.session.commit()
    one = queries_for_the_list()
    with app.app_context():
        acme = db.session.get(Client, ids["client"])
        for n in range(12):
            job = JobOrderFactory(client=ClientFactory(owner_id=ids["user"]) if n % 2 else acme)
            job.recruiters.extend(recruiters[: 1 + n % 3])
        db.session.commit()
    assert queries_for_the_list() == one


# ---------------------------------------------------------------- show page and workflow


@pytest.fixture
def draft(app, manager):
    """Acme's draft job order (a fixed fee of 25,000: one approval level) and a recruiter."""
    http, ids = manager
    with app.app_context():
        job = JobOrderFactory(client=db.session.get(Client, ids["client"]), title="Data Engineer")
        recruiter = make_user("Recruiter", first_name="Rita", last_name="Ramos")
        ids.update(job=job.id, recruiter=recruiter.id)
    return http, ids


def test_the_show_page_reads_the_order_in_sections_with_its_status_and_links(app, draft):
    http, ids = draft
    with app.app_context():
        job = db.session.get(JobOrder, ids["job"])
        add_candidate(open_job_order(job), stage="screened")
    page = http.get(f"/joborderview/show/{ids['job']}").get_data(as_text=True)
    for section in ("Job details", "Commercial terms", "Priorities", "Success", "Workflow"):
        assert section in page
    assert "JO-00001 Data Engineer" in page and "Fixed fee" in page
    assert 'class="label label-success job-status">open<' in page
    assert f'href="/pipeline/{ids["job"]}"' in page
    assert "Screened: 1" in page and "Sourced: 0" in page
    assert 'data-verb="hold"' in page and 'data-verb="close"' not in page


# The happy path: (verb route, form, status after).
WORKFLOW = [
    ("workflow/{job}/submit", {}, "submitted"),
    ("approve/{job}", {"recruiters": "{recruiter}", "comment": "Go"}, "approved"),
    ("workflow/{job}/open", {}, "open"),
    ("workflow/{job}/hold", {"reason": "Budget review"}, "on_hold"),
    ("workflow/{job}/resume", {}, "open"),
    ("workflow/{job}/fill", {}, "filled"),
    ("workflow/{job}/close", {}, "closed"),
]


def test_every_workflow_button_calls_its_verb_and_the_history_keeps_each_move(app, draft):
    http, ids = draft
    for route, form, status in WORKFLOW:
        data = {key: value.format(**ids) for key, value in form.items()}
        response = post(http, f"/joborderview/{route.format(**ids)}", **data)
        assert response.status_code == 302
        assert response.headers["Location"].endswith(f"/joborderview/show/{ids['job']}")
        assert job_status(app, ids["job"]) == status, flashed(http)
    with app.app_context():
        job = db.session.get(JobOrder, ids["job"])
        assert [c.to_status for c in job.status_changes] == [s for _, _, s in WORKFLOW]
        assert job.status_changes[3].note == "Budget review"
        assert [u.id for u in job.recruiters] == [ids["recruiter"]]
        assert job.approvals[0].comment == "Go"
    page = http.get(f"/joborderview/show/{ids['job']}").get_data(as_text=True)
    assert "Budget review" in page and "None: the order is closed." in page


def test_a_transition_the_workflow_refuses_is_flashed_naming_both_statuses(app, draft):
    http, ids = draft
    with app.app_context():
        open_job_order(db.session.get(JobOrder, ids["job"]))
    response = post(http, f"/joborderview/workflow/{ids['job']}/close")
    assert response.status_code == 302
    page = http.get(response.headers["Location"]).get_data(as_text=True)
    assert "A job order that is open cannot become closed" in page
    assert job_status(app, ids["job"]) == "open"
    with app.app_context():
        assert len(db.session.get(JobOrder, ids["job"]).status_changes) == 3


def test_an_unknown_verb_is_not_found(app, draft):
    http, ids = draft
    assert post(http, f"/joborderview/workflow/{ids['job']}/delete").status_code == 404


def test_a_rejection_needs_a_reason_and_keeps_it(app, draft):
    http, ids = draft
    post(http, f"/joborderview/workflow/{ids['job']}/submit")
    post(http, f"/joborderview/reject/{ids['job']}", reason="  ")
    assert "Give a reason for the rejection." in flashed(http)
    assert job_status(app, ids["job"]) == "submitted"
    post(http, f"/joborderview/reject/{ids['job']}", reason="Fee too low")
    assert job_status(app, ids["job"]) == "rejected"
    post(http, f"/joborderview/workflow/{ids['job']}/redraft")
    assert job_status(app, ids["job"]) == "draft"


def test_approval_without_a_recruiter_is_refused_with_the_models_message(app, draft):
    http, ids = draft
    post(http, f"/joborderview/workflow/{ids['job']}/submit")
    post(http, f"/joborderview/approve/{ids['job']}", comment="ok")
    assert "Assign at least one recruiter to approve this job order." in flashed(http)
    assert job_status(app, ids["job"]) == "submitted"


def test_the_approve_form_offers_only_recruiters(app, draft):
    http, ids = draft
    post(http, f"/joborderview/workflow/{ids['job']}/submit")
    page = http.get(f"/joborderview/show/{ids['job']}").get_data(as_text=True)
    form = page[page.index('id="approve-form"') : page.index('id="reject-form"')]
    assert f'value="{ids["recruiter"]}">Rita Ramos<' in form
    assert "Ana Cruz" not in form  # the account manager is staff, not a recruiter
    assert "level 1 of" not in form  # one level below the threshold


def test_a_recruiter_may_not_approve(app, draft):
    http, ids = draft
    post(http, f"/joborderview/workflow/{ids['job']}/submit")
    recruiter, user_id = sign_in(app, "Recruiter")
    on_team(app, user_id, ids["client"])
    assert 'data-verb="approve"' not in recruiter.get(f"/joborderview/show/{ids['job']}").text
    response = post(recruiter, f"/joborderview/approve/{ids['job']}", recruiters=user_id)
    assert response.status_code == 403
    assert post(recruiter, f"/joborderview/reject/{ids['job']}", reason="No").status_code == 403
    assert job_status(app, ids["job"]) == "submitted"


def test_above_the_fee_threshold_an_account_manager_then_an_admin_approve(app, draft):
    http, ids = draft
    with app.app_context():
        db.session.get(JobOrder, ids["job"]).fee = Decimal("75000")  # threshold: 50,000
        db.session.commit()
    post(http, f"/joborderview/workflow/{ids['job']}/submit")
    assert "level 1 of 2" in http.get(f"/joborderview/show/{ids['job']}").text
    post(http, f"/joborderview/approve/{ids['job']}", comment="Fine by me")
    assert "waits for the next level" in flashed(http)
    assert job_status(app, ids["job"]) == "submitted"
    post(http, f"/joborderview/approve/{ids['job']}", recruiters=ids["recruiter"])
    assert "This approval needs an Admin (second level)." in flashed(http)
    admin, _ = sign_in(app, "Admin")
    assert "level 2 of 2" in admin.get(f"/joborderview/show/{ids['job']}").text
    post(admin, f"/joborderview/approve/{ids['job']}", recruiters=ids["recruiter"])
    assert job_status(app, ids["job"]) == "approved"
    with app.app_context():
        levels = [a.level for a in db.session.get(JobOrder, ids["job"]).approvals]
        assert levels == [1, 2]


# ---------------------------------------------------------------- stakeholders


def test_stakeholders_are_the_clients_contacts_added_and_removed(app, draft):
    http, ids = draft
    with app.app_context():
        acme = db.session.get(Client, ids["client"])
        maria = ClientContactFactory(client=acme).contact
        stranger = ClientContactFactory(client=ClientFactory(owner_id=ids["user"])).contact
        maria_id, stranger_id = maria.id, stranger.id
        maria_name = str(maria)
    page = http.get(f"/joborderview/show/{ids['job']}").text
    form = page[page.index('id="stakeholder-form"') :]
    assert f'value="{maria_id}"' in form and f'value="{stranger_id}"' not in form
    post(http, f"/joborderview/stakeholder/{ids['job']}", contact=maria_id, role="hiring manager")
    post(http, f"/joborderview/stakeholder/{ids['job']}", contact=stranger_id, role="interviewer")
    assert "is not a contact of Acme Manila" in flashed(http)
    post(http, f"/joborderview/stakeholder/{ids['job']}", contact=maria_id, role="interviewer")
    assert f"{maria_name} is a stakeholder of this job order already." in flashed(http)
    with app.app_context():
        (stakeholder,) = db.session.scalars(select(JobOrderStakeholder)).all()
        assert (stakeholder.contact_id, stakeholder.role) == (maria_id, "hiring manager")
        sid = stakeholder.id
    post(http, f"/joborderview/stakeholder/{ids['job']}/{sid}/remove")
    with app.app_context():
        assert db.session.scalar(select(JobOrderStakeholder)) is None


# ---------------------------------------------------------------- another team's client: 404

OTHERS_PAGES = [
    ("GET", "/joborderview/show/{job}"),
    ("GET", "/joborderview/edit/{job}"),
    ("POST", "/joborderview/edit/{job}"),
    *[("POST", f"/joborderview/workflow/{{job}}/{verb}") for verb in WORKFLOW_VERBS],
    ("POST", "/joborderview/stakeholder/{job}"),
    ("POST", "/joborderview/stakeholder/{job}/{stakeholder}/remove"),
]
APPROVER_PAGES = [("POST", "/joborderview/approve/{job}"), ("POST", "/joborderview/reject/{job}")]


@pytest.fixture
def others_job(app):
    """A submitted job order of a client nobody signed in here works on, with a stakeholder."""
    with app.app_context():
        link = ClientContactFactory(client=ClientFactory(name="Secret Corp"))
        job = JobOrderFactory(client=link.client, title="Secret Role")
        job.add_stakeholder(link.contact, "hiring manager")
        job.action_submit()
        db.session.commit()
        return {"job": job.id, "stakeholder": job.stakeholders[0].id}


@pytest.mark.parametrize(
    ("role", "call"),
    [("Recruiter", call) for call in OTHERS_PAGES]
    + [("Account Manager", call) for call in OTHERS_PAGES + APPROVER_PAGES],
)
def test_another_teams_job_order_is_not_found(app, others_job, role, call):
    http, _ = sign_in(app, role)
    method, url = call
    url = url.format(**others_job)
    if method == "GET":
        response = http.get(url)
    else:
        response = post(http, url, reason="x", contact="1", role="interviewer", title="Mine")
    assert response.status_code == 404
    assert "Secret Role" not in response.get_data(as_text=True)
    assert job_status(app, others_job["job"]) == "submitted"
    with app.app_context():
        assert db.session.get(JobOrder, others_job["job"]).stakeholders


def test_another_teams_job_order_is_not_listed(app, others_job, manager):
    http, _ = manager
    assert "Secret Role" not in listing(http)


# ---------------------------------------------------------------- role matrix

STAFF = {"Admin", "Account Manager", "Recruiter", "Finance"}
WRITERS = {"Admin", "Account Manager", "Recruiter"}
APPROVERS = {"Admin", "Account Manager"}
# (method, url) -> the roles that may (all on the client's team; the order is a draft, or
# submitted for the approver's calls)
MATRIX_CALLS = {
    ("GET", "/joborderview/list/"): STAFF,
    ("GET", "/joborderview/show/{job}"): STAFF,
    ("GET", "/joborderview/add"): WRITERS,
    ("GET", "/joborderview/edit/{job}"): WRITERS,
    ("POST", "/joborderview/workflow/{job}/submit"): WRITERS,
    ("POST", "/joborderview/reject/{job}"): APPROVERS,
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("call", MATRIX_CALLS)
def test_job_order_pages_follow_the_matrix(app, role, call):
    with app.app_context():
        job = JobOrderFactory(title="Matrix Role")
        if "reject" in call[1]:
            job.action_submit()
            db.session.commit()
        ids = {"job": job.id, "client": job.client_id}
        before = job.status
    http, user_id = sign_in(app, role)
    if role != "Client":
        on_team(app, user_id, ids["client"])
    method, url = call
    url = url.format(**ids)
    if method == "GET":
        response = http.get(url)
    else:
        token = csrf_token(http, "/resetmypassword/form") if role != "Client" else ""
        response = http.post(url, data={"csrf_token": token, "reason": "No budget"})
    moved = job_status(app, ids["job"]) != before
    if role in MATRIX_CALLS[call]:
        assert response.status_code == (200 if method == "GET" else 302)
        assert moved == (method == "POST")
    elif role == "Client":  # no admin page gives them a CSRF token: 400, else 403
        assert response.status_code in (400, 403) and not moved
    else:
        assert response.status_code == 403 and not moved


@pytest.mark.parametrize("role", ROLES)
def test_the_recruiting_menu_shows_job_orders_to_staff(app, role):
    http, _ = sign_in(app, role)
    page = http.get("/clientview/list/").get_data(as_text=True)
    assert ("Job orders" in page) == (role in STAFF)


# ---------------------------------------------------------------- the client page's Jobs tab


def jobs_tab(http, client_id) -> str:
    page = http.get(f"/clientview/show/{client_id}").get_data(as_text=True)
    return page[page.index('<div id="Jobs"') : page.index('<div id="LocationView"')]


def test_the_jobs_tab_lists_the_clients_orders_and_only_those(app, three_jobs):
    http, ids = three_jobs
    with app.app_context():
        data_engineer = db.session.scalar(select(JobOrder).where(JobOrder.title == "Data Engineer"))
        add_candidate(data_engineer)
        add_candidate(data_engineer, stage="screened")
        pk = data_engineer.id
    tab = jobs_tab(http, ids["client"])
    assert "Data Engineer" in tab and "Office Manager" in tab and "Head Chef" not in tab
    assert f'href="/joborderview/show/{pk}"' in tab and "Rita Ramos" in tab
    row = tab[tab.index("Data Engineer") :]
    assert "<td>high</td>" in row and "<td>2</td>" in row.split("</tr>")[0]
    assert f'href="/joborderview/add?client={ids["client"]}"' in tab


def test_a_reader_sees_the_jobs_tab_without_add_a_job(app, three_jobs):
    _, ids = three_jobs
    finance, _ = sign_in(app, "Finance")
    tab = jobs_tab(finance, ids["client"])
    assert "Data Engineer" in tab and "Add a job" not in tab
