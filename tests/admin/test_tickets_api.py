"""The tickets API: list with its filters and paging, read with comments (public and internal),
events, deadlines and breach flags; staff logging a ticket; PATCH; each action through the
tickets' commit point (comment, acknowledge, resolve, approve and reopen on the client's
behalf, rate, close); another client's ticket is a 404; bad JSON, a wrong type or an unknown
field a 400 naming it; an unknown status a 422; a step the status refuses a 409."""

from __future__ import annotations

from datetime import timedelta

import pytest

from extensions import db
from models import Client, ClientTeamMember, Ticket, TicketComment
from models.base import utcnow
from tests.conftest import api_for, api_token
from tests.factories import (
    ClientContactFactory,
    ClientFactory,
    ContactFactory,
    make_portal_user,
    make_user,
)

API = "/api/v1/tickets/"


@pytest.fixture
def desk(app):
    """Bayanihan (Maria its contact) with a new high ticket and an old critical one never
    answered (breached); Zenith, which the manager may not see, with its own ticket."""
    with app.app_context():
        manager = make_user("Account Manager")
        client = ClientFactory(name="Bayanihan Foods", owner=manager)
        maria = ClientContactFactory(
            client=client, role="primary", contact=ContactFactory(first_name="Maria")
        ).contact
        fresh = Ticket.action_raise(client, "Portal login fails", priority="high", contact=maria)
        late = Ticket.action_raise(
            client, "Payroll export", priority="critical", contact=maria,
            at=utcnow() - timedelta(days=2),
        )  # fmt: skip
        other = ClientFactory(name="Zenith Foods")
        zoe = ClientContactFactory(client=other, role="primary").contact
        theirs = Ticket.action_raise(other, "Zenith secret", contact=zoe)
        db.session.commit()
        return {
            "manager": manager.username,
            "manager_id": manager.id,
            "client": client.id,
            "contact": maria.id,
            "fresh": fresh.id,
            "late": late.id,
            "other_client": other.id,
            "other_contact": zoe.id,
            "theirs": theirs.id,
        }


@pytest.fixture
def api(app, desk):
    return api_for(app, desk["manager"])


def url(ticket_id, action=""):
    return f"{API}{ticket_id}" + (f"/{action}" if action else "")


def test_the_list_shows_the_visible_tickets_with_deadlines_and_breach_flags(api, desk):
    answer = api("GET", API).get_json()
    assert sorted(answer["ids"]) == [desk["fresh"], desk["late"]]  # not Zenith's
    assert "Zenith" not in str(answer) and "comments" not in answer["result"][0]
    late = next(row for row in answer["result"] if row["id"] == desk["late"])
    assert late["reference"] == f"T-{desk['late']:05d}" and late["responseBreached"] is True
    assert late["responseDueAt"] and late["clientName"] == "Bayanihan Foods"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("priority=critical", ["late"]),
        ("status=new", ["fresh", "late"]),
        ("status=closed", []),
        ("breached=true", ["late"]),
        ("breached=false", ["fresh"]),
        ("client_id={client}", ["fresh", "late"]),
        ("client_id={other_client}", []),
    ],
)
def test_the_list_filters(api, desk, query, expected):
    answer = api("GET", f"{API}?{query.format(**desk)}").get_json()
    assert sorted(answer["ids"]) == sorted(desk[name] for name in expected)


def test_the_list_filters_by_assignee_and_pages(api, desk):
    api("PATCH", url(desk["late"]), json={"assigneeId": desk["manager_id"]})
    assert api("GET", f"{API}?assignee_id={desk['manager_id']}").get_json()["ids"] == [desk["late"]]
    page = api("GET", f"{API}?q=(page:0,page_size:1)").get_json()
    assert page["count"] == 2 and len(page["ids"]) == 1


@pytest.mark.parametrize("query", ["status=lost", "priority=urgent", "breached=maybe",
                                   "client_id=abc", "assignee_id=0"])  # fmt: skip
def test_a_bad_filter_is_a_400_naming_it(api, query):
    answer = api("GET", f"{API}?{query}")
    assert answer.status_code == 400 and query.split("=")[0] in answer.get_json()["message"]


def test_reading_a_ticket_gives_comments_public_and_internal_and_events(app, api, desk):
    api("POST", url(desk["fresh"], "comment"), json={"body": "Looking into it"})
    api("POST", url(desk["fresh"], "comment"), json={"body": "Their SSO again", "internal": True})
    result = api("GET", url(desk["fresh"])).get_json()["result"]
    assert [(c["body"], c["internal"], c["side"]) for c in result["comments"]] == [
        ("Looking into it", False, "staff"),
        ("Their SSO again", True, "staff"),
    ]
    assert [e["kind"] for e in result["events"]][0] == "raised"
    # The public comment was the first response: acknowledged, within the 24 h target.
    assert result["status"] == "acknowledged" and result["firstResponseAt"]
    assert result["responseBreached"] is False and result["resolutionBreached"] is False


def test_another_clients_ticket_is_a_404_for_every_route(api, desk):
    theirs = desk["theirs"]
    assert api("GET", url(theirs)).status_code == 404
    assert api("PATCH", url(theirs), json={"priority": "low"}).status_code == 404
    for action, body in [
        ("comment", {"body": "Hi"}),
        ("acknowledge", None),
        ("resolve", {"note": "Done"}),
        ("approve", {"contactId": desk["other_contact"]}),
        ("reopen", {"contactId": desk["other_contact"], "comment": "No"}),
        ("rate", {"contactId": desk["other_contact"], "rating": 5}),
        ("close", None),
    ]:
        answer = api("POST", url(theirs, action), json=body)
        assert answer.status_code == 404, action
        assert answer.is_json
    assert api("GET", url(999999)).status_code == 404
    assert api("GET", url(2**40)).status_code == 404


def test_staff_log_a_phone_call(api, desk):
    answer = api(
        "POST",
        API,
        json={
            "clientId": desk["client"],
            "contactId": desk["contact"],
            "channel": "phone",
            "category": "billing",
            "priority": "critical",
            "subject": "Invoice  total wrong",
            "description": "Called at 9:10.",
        },
    )
    assert answer.status_code == 201, answer.get_json()
    result = answer.get_json()["result"]
    assert (result["subject"], result["channel"], result["priority"]) == (
        "Invoice total wrong", "phone", "critical"
    )  # fmt: skip
    assert result["contact"]["id"] == desk["contact"] and result["loggedBy"]["id"]
    assert result["status"] == "new" and result["escalationLevel"] == 0


def test_a_ticket_logged_as_a_crisis_is_flagged_and_escalated_to_level_three(api, desk):
    answer = api("POST", API, json={"clientId": desk["client"], "subject": "All down",
                                    "priority": "critical", "crisis": True})  # fmt: skip
    assert answer.status_code == 201, answer.get_json()
    result = answer.get_json()["result"]
    assert result["crisis"] is True
    # a crisis goes straight to level 3 (seed 003's crisis management)
    assert [e["kind"] for e in result["events"]] == ["raised", "crisis", "escalated"]
    assert result["escalationLevel"] == 3


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"subject": "No client"}, 422, "clientId"),
        ({"clientId": "1", "subject": "x"}, 400, "clientId"),
        ({"clientId": 1, "subject": 5}, 400, "subject"),
        ({"clientId": 1, "subject": "x", "crisis": "yes"}, 400, "crisis"),
        ({"clientId": 1, "subject": "x", "owner": 3}, 400, "owner"),
        ({"clientId": 1, "subject": "x", "priority": "urgent"}, 422, "priority"),
        ({"clientId": 1, "subject": "   "}, 422, "subject"),
    ],
)
def test_a_bad_ticket_is_refused_naming_the_field(api, desk, body, status, field):
    body = {**body, "clientId": desk["client"]} if body.get("clientId") == 1 else body
    answer = api("POST", API, json=body)
    assert answer.status_code == status, answer.get_json()
    assert field in answer.get_json()["message"]


def test_logging_for_a_hidden_client_or_with_their_contact_is_refused(api, desk):
    hidden = api("POST", API, json={"clientId": desk["other_client"], "subject": "Hi"})
    assert hidden.status_code == 404 and "clientId" in hidden.get_json()["message"]
    foreign = api("POST", API, json={"clientId": desk["client"], "subject": "Hi",
                                     "contactId": desk["other_contact"]})  # fmt: skip
    assert foreign.status_code == 422 and "contactId" in foreign.get_json()["message"]
    missing = api("POST", API, json={"clientId": desk["client"], "subject": "Hi",
                                     "contactId": 99999})  # fmt: skip
    assert missing.status_code == 422 and "contactId" in missing.get_json()["message"]


def test_malformed_json_is_a_400(app, desk):
    http = app.test_client()
    headers = {**api_token(app, desk["manager"]), "Content-Type": "application/json"}
    for method, path in [("POST", API), ("PATCH", url(desk["fresh"])),
                         ("POST", url(desk["fresh"], "comment"))]:  # fmt: skip
        answer = http.open(path, method=method, data="{not json", headers=headers)
        assert answer.status_code == 400 and answer.is_json, path
    listed = http.open(url(desk["fresh"], "resolve"), method="POST", data="[1]", headers=headers)
    assert listed.status_code == 400


def test_patch_changes_priority_assignee_and_status(app, api, desk):
    answer = api("PATCH", url(desk["fresh"]), json={
        "priority": "critical", "assigneeId": desk["manager_id"], "status": "in_progress",
    })  # fmt: skip
    assert answer.status_code == 200, answer.get_json()
    result = answer.get_json()["result"]
    assert (result["priority"], result["status"]) == ("critical", "in_progress")
    assert result["assignee"]["id"] == desk["manager_id"]
    unassigned = api("PATCH", url(desk["fresh"]), json={"assigneeId": None}).get_json()
    assert unassigned["result"]["assignee"] is None


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"status": "closed"}, 422, "status"),  # its own action
        ({"status": "lost"}, 422, "status"),
        ({"status": 3}, 400, "status"),
        ({"priority": ["high"]}, 400, "priority"),
        ({"assigneeId": "me"}, 400, "assigneeId"),
        ({"assigneeId": 99999}, 422, "assigneeId"),
        ({"crisis": False}, 422, "crisis"),
        ({"colour": "red"}, 400, "colour"),
    ],
)
def test_a_bad_patch_is_refused_naming_the_field(api, desk, body, status, field):
    answer = api("PATCH", url(desk["fresh"]), json=body)
    assert answer.status_code == status, answer.get_json()
    assert field in answer.get_json()["message"]


def test_acknowledge_then_a_second_time_is_a_409(api, desk):
    first = api("POST", url(desk["fresh"], "acknowledge"))
    assert first.status_code == 200 and first.get_json()["result"]["status"] == "acknowledged"
    again = api("POST", url(desk["fresh"], "acknowledge"))
    assert again.status_code == 409 and "status" in again.get_json()["message"]


def test_a_comment_is_201_with_the_comment(api, desk):
    answer = api("POST", url(desk["fresh"], "comment"), json={"body": "On it", "internal": True})
    assert answer.status_code == 201
    comment = answer.get_json()["result"]
    assert comment["internal"] is True and comment["authorUser"]["id"] == desk["manager_id"]
    assert comment["channel"] == "api"
    empty = api("POST", url(desk["fresh"], "comment"), json={"body": "  "})
    assert empty.status_code == 422 and "body" in empty.get_json()["message"]
    typed = api("POST", url(desk["fresh"], "comment"), json={"body": "x", "internal": "no"})
    assert typed.status_code == 400 and "internal" in typed.get_json()["message"]


def test_resolve_reopen_on_the_clients_behalf_resolve_approve_and_rate(app, api, desk):
    ticket = url(desk["fresh"])
    no_note = api("POST", f"{ticket}/resolve", json={"note": " "})
    assert no_note.status_code == 422 and "note" in no_note.get_json()["message"]
    resolved = api("POST", f"{ticket}/resolve", json={"note": "Reset the SSO link"})
    assert resolved.get_json()["result"]["status"] == "resolved"
    # Maria phoned: still broken. Staff record her answer.
    still = {"contactId": desk["contact"], "comment": "Still fails on mobile"}
    reopened = api("POST", f"{ticket}/reopen", json=still)
    assert reopened.status_code == 200, reopened.get_json()
    result = reopened.get_json()["result"]
    assert (result["status"], result["reopenedCount"]) == ("in_progress", 1)
    assert result["comments"][-1]["authorContact"]["id"] == desk["contact"]
    api("POST", f"{ticket}/resolve", json={"note": "Mobile fixed too"})
    approved = api("POST", f"{ticket}/approve", json={"contactId": desk["contact"]})
    assert approved.get_json()["result"]["status"] == "closed"
    rated = api("POST", f"{ticket}/rate",
                json={"contactId": desk["contact"], "rating": 4, "remark": "Quick"})  # fmt: skip
    assert rated.status_code == 200
    assert (rated.get_json()["result"]["rating"], rated.get_json()["result"]["ratingComment"]) == (
        4, "Quick"
    )  # fmt: skip
    twice = api("POST", f"{ticket}/rate", json={"contactId": desk["contact"], "rating": 5})
    assert twice.status_code == 409 and "rating" in twice.get_json()["message"]
    closed_comment = api("POST", f"{ticket}/comment", json={"body": "One more thing"})
    assert closed_comment.status_code == 409
    with app.app_context():
        assert db.session.get(Ticket, desk["fresh"]).rating == 4


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({}, 422, "contactId"),
        ({"contactId": "7"}, 400, "contactId"),
        ({"contactId": 99999}, 422, "contactId"),
        ("other", 422, "contactId"),  # a contact of another client
    ],
)
def test_approving_needs_one_of_the_clients_contacts(api, desk, body, status, field):
    api("POST", url(desk["fresh"], "resolve"), json={"note": "Done"})
    body = {"contactId": desk["other_contact"]} if body == "other" else body
    answer = api("POST", url(desk["fresh"], "approve"), json=body)
    assert answer.status_code == status, answer.get_json()
    assert field in answer.get_json()["message"]


def test_rating_is_a_whole_number_from_1_to_5_on_a_closed_ticket(api, desk):
    ticket = url(desk["fresh"])
    open_one = api("POST", f"{ticket}/rate", json={"contactId": desk["contact"], "rating": 5})
    assert open_one.status_code == 409
    api("POST", f"{ticket}/resolve", json={"note": "Done"})
    api("POST", f"{ticket}/close")
    for rating, status in [(6, 422), ("5", 400), (4.5, 400)]:
        answer = api(
            "POST", f"{ticket}/rate", json={"contactId": desk["contact"], "rating": rating}
        )
        assert answer.status_code == status, (rating, answer.get_json())
        assert "rating" in answer.get_json()["message"]


def test_close_a_resolved_ticket_and_not_an_open_one(api, desk):
    early = api("POST", url(desk["fresh"], "close"))
    assert early.status_code == 409 and "status" in early.get_json()["message"]
    api("POST", url(desk["fresh"], "resolve"), json={"note": "Done"})
    closed = api("POST", url(desk["fresh"], "close"))
    assert closed.status_code == 200 and closed.get_json()["result"]["closedAt"]


def test_a_refused_step_saves_nothing(app, api, desk):
    api("POST", url(desk["fresh"], "resolve"), json={"note": "Done"})
    answer = api("PATCH", url(desk["fresh"]),
                 json={"priority": "low", "assigneeId": desk["manager_id"]})  # fmt: skip
    assert answer.status_code == 409
    with app.app_context():
        ticket = db.session.get(Ticket, desk["fresh"])
        assert (ticket.priority, ticket.assignee_id) == ("high", None)
        assert db.session.query(TicketComment).count() == 0


def test_a_recruiter_sees_only_the_tickets_of_their_clients(app, desk):
    with app.app_context():
        recruiter = make_user("Recruiter")
        db.session.add(
            ClientTeamMember(client_id=desk["other_client"], user=recruiter, role="recruiter")
        )
        db.session.commit()
        name = recruiter.username
    api = api_for(app, name)
    assert api("GET", API).get_json()["ids"] == [desk["theirs"]]
    assert api("GET", url(desk["fresh"])).status_code == 404


def test_portal_users_and_anonymous_callers_are_refused(app, desk):
    with app.app_context():
        link = ClientContactFactory(client=db.session.get(Client, desk["client"]))
        portal = make_portal_user(link).username
    assert api_for(app, portal)("GET", API).status_code in (401, 403)
    assert app.test_client().get(API).status_code == 401


def test_the_actions_are_in_the_openapi_document(api):
    paths = api("GET", "/api/v1/_openapi").get_json()["paths"]
    assert {"get", "patch"} <= set(paths["/api/v1/tickets/{pk}"])
    for action in ("comment", "acknowledge", "resolve", "approve", "reopen", "rate", "close"):
        assert "post" in paths[f"/api/v1/tickets/{{pk}}/{action}"], action
    rate = paths["/api/v1/tickets/{pk}/rate"]["post"]["responses"]
    assert rate["409"]["description"] == "The ticket is not closed, or is rated already"
    assert "get" in paths["/api/v1/service-reports/"]


@pytest.mark.parametrize("body", [None, "a string", 7, [], ["body"]])
def test_a_body_that_is_no_json_object_is_a_400(api, desk, body):
    answer = api("POST", url(desk["fresh"], "comment"), json=body)
    assert answer.status_code == 400 and answer.is_json


@pytest.mark.parametrize(
    ("body", "field"),
    [({"body": None}, "body"), ({"body": "x", "internal": None}, "internal"),
     ({"body": {"text": "x"}}, "body")],
)  # fmt: skip
def test_null_or_an_object_where_text_belongs_is_a_400_naming_it(api, desk, body, field):
    answer = api("POST", url(desk["fresh"], "comment"), json=body)
    assert answer.status_code == 400 and field in answer.get_json()["message"]
