"""Reports › Time entries (form errors, own entries), Import time entries (all or nothing,
row and field messages), Staff capacity, and the Utilization page with its CSV exports."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest

from extensions import db
from models import StaffCapacity, TimeEntry
from tests.conftest import csrf_token, login_staff
from tests.factories import ClientFactory, make_user, open_job_order

NOV = "start=2026-11-02&end=2026-11-15"  # the last day is inclusive


@pytest.fixture
def world(app):
    """A recruiter (40 h/week at 50/h) with 8 h billable on Acme's job order on 2 Nov and
    another recruiter's 4 h; a finance user and an account manager owning Acme."""
    with app.app_context():
        manager = make_user("Account Manager")
        finance = make_user("Finance")
        recruiter = make_user("Recruiter", first_name="Rita", last_name="Cruz")
        other = make_user("Recruiter", first_name="Otto", last_name="Lim")
        acme = ClientFactory(name="Acme", short_name="ACME", owner=manager)
        job = open_job_order(client=acme, recruiter=recruiter)
        db.session.add(
            StaffCapacity(user=recruiter, weekly_hours=Decimal(40), cost_rate=Decimal(50))
        )
        TimeEntry.log(recruiter, date(2026, 11, 2), "8", job_order=job)
        TimeEntry.log(other, date(2026, 11, 3), "4", client=acme, note="Otto's")
        db.session.commit()
        return {
            "manager": manager.username,
            "finance": finance.username,
            "recruiter": recruiter.username,
            "recruiter_id": recruiter.id,
            "other_id": other.id,
            "acme": acme.id,
            "job": job.id,
        }


def browser_for(app, username):
    browser = app.test_client()
    assert login_staff(browser, username).status_code == 302
    return browser


def test_the_utilization_page_shows_each_table(app, world):
    page = browser_for(app, world["finance"]).get(f"/utilization/?{NOV}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for table in ("utilization", "productivity", "clients", "services", "capacity"):
        assert f'id="{table}"' in html
    assert 'id="no-acquisition"' in html  # nobody was first billed in the period
    # Rita: 8 h / (40 × 10 / 5 = 80 h) = 10.0 %.
    assert "Rita Cruz" in html and "10.0" in html


def test_each_table_exports_to_csv(app, world):
    browser = browser_for(app, world["finance"])
    export = browser.get(f"/utilization/csv/utilization?{NOV}")
    assert export.status_code == 200 and export.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(export.get_data(as_text=True))))
    rita = next(row for row in rows if row["Recruiter"] == "Rita Cruz")
    assert (rita["Hours"], rita["Capacity hours"], rita["Utilization %"]) == (
        "8.00",
        "80.00",
        "10.0",
    )
    clients = list(
        csv.DictReader(
            io.StringIO(browser.get(f"/utilization/csv/clients?{NOV}").get_data(as_text=True))
        )
    )
    # Acme: no fees; cost 8 × 50 + 4 × 50 (Otto has no capacity row: DEFAULT_COST_RATE 50) = 600.
    assert clients == [{"Client": "Acme", "Fees billed": "0.00", "Cost of time": "600.00",
                        "Profit": "-600.00", "Margin %": "", "ROI %": "-100.0",
                        "Cost per hire": ""}]  # fmt: skip
    for table in ("productivity", "services", "capacity", "acquisition"):
        assert browser.get(f"/utilization/csv/{table}?{NOV}").status_code == 200
    assert browser.get(f"/utilization/csv/nothing?{NOV}").status_code == 404
    assert browser.get("/utilization/csv/clients?start=soon").status_code == 400


def test_a_bad_date_is_named_and_the_page_still_shows(app, world):
    page = browser_for(app, world["finance"]).get("/utilization/?start=2026-13-01")
    assert page.status_code == 200
    assert "Start must be a date as YYYY-MM-DD" in page.get_data(as_text=True)


def test_a_recruiter_cannot_open_the_report(app, world):
    browser = browser_for(app, world["recruiter"])
    assert browser.get("/utilization/").status_code in (302, 403)
    assert browser.get("/staffcapacityview/list/").status_code in (302, 403)


def _add_form(browser, **fields):
    token = csrf_token(browser, "/timeentryview/add")
    data = {"csrf_token": token, "billable": "y", "note": "", **fields}
    return browser.post("/timeentryview/add", data=data)


def test_the_form_names_the_field_and_keeps_the_values(app, world):
    browser = browser_for(app, world["manager"])
    response = _add_form(browser, user=world["recruiter_id"], day="2026-11-04", hours="25",
                         job_order=world["job"], note="Too long a day")  # fmt: skip
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Hours must be more than 0 and at most 24." in html
    assert "Too long a day" in html
    with app.app_context():
        assert db.session.query(TimeEntry).count() == 2


def test_a_recruiter_sees_and_logs_only_their_own_time(app, world):
    browser = browser_for(app, world["recruiter"])
    listing = browser.get("/timeentryview/list/").get_data(as_text=True)
    assert "Otto&#39;s" not in listing and "Otto's" not in listing  # the other's entry
    assert "Record Count: 1" in listing or "Record Count:</strong> 1" in listing or ">1<" in listing
    # Naming another recruiter does not log their time: the entry is the recruiter's own.
    response = _add_form(browser, user=world["other_id"], day="2026-11-05", hours="2",
                         client=world["acme"])  # fmt: skip
    assert response.status_code == 302
    with app.app_context():
        entry = db.session.query(TimeEntry).filter_by(day=date(2026, 11, 5)).one()
        assert entry.user_id == world["recruiter_id"]
        assert entry.created_by_id == world["recruiter_id"]


GOOD = (
    "recruiter,day,hours,client,job_order,billable,note\n"
    "{user},2026-11-09,2.5,ACME,,no,Calls\n"
    "{user},2026-11-10,3,,JO-{job:05d},yes,\n"
)


def test_the_import_previews_then_imports_every_good_row(app, world):
    browser = browser_for(app, world["manager"])
    token = csrf_token(browser, "/time-import/")
    text = GOOD.format(user=world["recruiter"], job=world["job"])
    preview = browser.post(
        "/time-import/",
        data={"csrf_token": token, "file": (io.BytesIO(text.encode()), "hours.csv")},
        content_type="multipart/form-data",
    )
    assert preview.status_code == 200 and 'id="confirm-import"' in preview.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(TimeEntry).count() == 2  # a preview writes nothing
    done = browser.post("/time-import/", data={"csrf_token": token, "confirm": "1", "text": text})
    assert "2 time entries imported." in done.get_data(as_text=True)
    with app.app_context():
        entries = (
            db.session.query(TimeEntry)
            .filter(TimeEntry.day >= date(2026, 11, 9))
            .order_by(TimeEntry.day)
            .all()
        )
        assert [(e.hours, e.billable, e.client_id) for e in entries] == [
            (Decimal("2.50"), False, world["acme"]),
            (Decimal("3.00"), True, world["acme"]),  # the job order's client
        ]


def test_a_file_with_bad_rows_lists_each_by_line_and_field_and_writes_nothing(app, world):
    browser = browser_for(app, world["manager"])
    token = csrf_token(browser, "/time-import/")
    text = GOOD.format(user=world["recruiter"], job=world["job"]) + (
        "nobody,2026-11-11,1,ACME,,,\n"  # line 4: unknown recruiter
        f"{world['recruiter']},11/12/2026,30,ACME,,maybe,\n"  # line 5: day, billable
        f"{world['recruiter']},2026-11-12,30,ACME,,,\n"  # line 6: hours over 24
    )
    done = browser.post("/time-import/", data={"csrf_token": token, "confirm": "1", "text": text})
    html = done.get_data(as_text=True)
    assert 'id="import-refused"' in html
    assert "No staff user &#39;nobody&#39;." in html or "No staff user 'nobody'." in html
    assert "is not a date as YYYY-MM-DD" in html and "Billable must be yes or no." in html
    assert "Hours must be more than 0 and at most 24." in html
    with app.app_context():
        from models.time_import import check_time_entries

        report = check_time_entries(db.session, text)
        assert [(e.line, e.field) for e in report.errors] == [
            (4, "recruiter"), (5, "day"), (5, "billable"), (6, "hours"),
        ]  # fmt: skip
        assert db.session.query(TimeEntry).count() == 2  # all or nothing: none of the good rows


def test_a_recruiter_imports_only_their_own_time(app, world):
    browser = browser_for(app, world["recruiter"])
    token = csrf_token(browser, "/time-import/")
    text = f"recruiter,day,hours,client\n{world['manager']},2026-11-09,1,ACME\n"
    done = browser.post("/time-import/", data={"csrf_token": token, "confirm": "1", "text": text})
    assert "You may import only your own time." in done.get_data(as_text=True)


def test_finance_sets_staff_capacity(app, world):
    browser = browser_for(app, world["finance"])
    with app.app_context():
        otto = db.session.query(TimeEntry).filter_by(note="Otto's").one().user_id
    token = csrf_token(browser, "/staffcapacityview/add")
    refused = browser.post(
        "/staffcapacityview/add",
        data={"csrf_token": token, "user": otto, "weekly_hours": "200", "cost_rate": "40"},
    )
    assert "Weekly hours must be between 0 and 168." in refused.get_data(as_text=True)
    done = browser.post(
        "/staffcapacityview/add",
        data={"csrf_token": token, "user": otto, "weekly_hours": "30", "cost_rate": "40"},
    )
    assert done.status_code == 302
    again = browser.post(
        "/staffcapacityview/add",
        data={"csrf_token": token, "user": otto, "weekly_hours": "20", "cost_rate": "40"},
    )
    assert "This user has a capacity row already." in again.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(StaffCapacity).filter_by(
            user_id=otto
        ).one().weekly_hours == Decimal("30.00")


def test_the_page_issues_the_same_queries_with_ten_times_the_data(app, world):
    """Ten more clients, job orders and recruiters with time: not one query more."""
    from sqlalchemy import event

    browser = browser_for(app, world["finance"])

    def queries() -> int:
        seen = []
        with app.app_context():
            engine = db.engine
        listener = lambda *args: seen.append(args[2])  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            assert browser.get(f"/utilization/?{NOV}").status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return len(seen)

    once = queries()
    with app.app_context():
        rita = db.session.query(TimeEntry).filter_by(user_id=world["recruiter_id"]).first().user
        for _ in range(10):
            client = ClientFactory()
            job = open_job_order(client=client, recruiter=rita)
            TimeEntry.log(rita, date(2026, 11, 4), "1", job_order=job)
            TimeEntry.log(make_user("Recruiter"), date(2026, 11, 5), "2", client=client)
        db.session.commit()
    assert queries() == once


@pytest.fixture
def hidden(app, world):
    """Hidra: a client with a project and an open job order, whose team the recruiter is not on
    (a recruiter sees only their teams' clients)."""
    from tests.factories import ProjectFactory

    with app.app_context():
        hidra = ClientFactory(name="Hidra", short_name="HIDRA")
        project = ProjectFactory(client=hidra)
        job = open_job_order(client=hidra)
        db.session.commit()
        return {"client": hidra.id, "project": project.id, "job": job.id}


def _select_options(html: str, name: str) -> set[str]:
    import re

    block = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert block, f"no {name} dropdown"
    return set(re.findall(r'<option[^>]*value="([^"]*)"', block.group(1)))


def test_the_import_refuses_a_client_or_job_order_the_user_may_not_see(app, world, hidden):
    browser = browser_for(app, world["recruiter"])
    token = csrf_token(browser, "/time-import/")
    text = (
        "recruiter,day,hours,client,job_order\n"
        f"{world['recruiter']},2026-11-09,1,HIDRA,\n"  # line 2: Hidra is hidden from Rita
        f"{world['recruiter']},2026-11-09,1,,JO-{hidden['job']:05d}\n"  # line 3: Hidra's order
    )
    done = browser.post("/time-import/", data={"csrf_token": token, "confirm": "1", "text": text})
    html = done.get_data(as_text=True)
    assert "client: no client you may see has the short name" in html
    with app.app_context():
        from flask_appbuilder.security.sqla.models import User

        from models.time_import import check_time_entries, import_time_entries

        rita = db.session.query(User).filter_by(username=world["recruiter"]).one()
        report = check_time_entries(db.session, text, only_user=rita)
        assert [(e.line, e.field) for e in report.errors] == [(2, "client"), (3, "job_order")]
        assert report.errors[0].message == (
            "client: no client you may see has the short name 'HIDRA'."
        )
        # A manager importing for Rita (``by``) sees only their own clients, Acme not Hidra.
        manager = db.session.query(User).filter_by(username=world["manager"]).one()
        report = import_time_entries(db.session, text, by=manager)
        assert [(e.line, e.field) for e in report.errors] == [(2, "client"), (3, "job_order")]
        # Nothing was written: the 2 entries of the fixture are all there are.
        assert db.session.query(TimeEntry).count() == 2
        # Without anyone to scope to (a script), every live client is found.
        assert check_time_entries(db.session, text).errors == []


def test_the_form_offers_only_visible_clients_job_orders_and_projects(app, world, hidden):
    browser = browser_for(app, world["recruiter"])
    html = browser.get("/timeentryview/add").get_data(as_text=True)
    assert str(hidden["client"]) not in _select_options(html, "client")
    assert str(world["acme"]) in _select_options(html, "client")  # Rita is on Acme's team
    assert str(hidden["job"]) not in _select_options(html, "job_order")
    assert str(world["job"]) in _select_options(html, "job_order")
    assert str(hidden["project"]) not in _select_options(html, "project")
    # Posting the hidden job order anyway is refused by the dropdown's own check.
    response = _add_form(browser, day="2026-11-06", hours="1", job_order=hidden["job"])
    assert response.status_code == 200
    with app.app_context():
        assert db.session.query(TimeEntry).filter_by(day=date(2026, 11, 6)).count() == 0
