"""The staff's offer pages: a new offer for an application, counter-offers kept in order with
what they changed, approval above the job order's budget, extend, accept, decline, withdraw,
refusals beside their field with the values kept, another client's offer 404, and the daily
expiry command."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest

from admin.commands import cli
from extensions import db
from models import Application, ClientDocument, ClientTeamMember, Offer
from tests.conftest import csrf_token, login_staff
from tests.factories import add_candidate, draft_offer, make_user, open_job_order

START = (date.today() + timedelta(days=45)).isoformat()
TERMS = {
    "base_salary": "110000",
    "bonus": "10000",
    "equity": "0.25% over 4 years",
    "currency": "USD",
    "benefits": "Health, dental, 25 days' leave",
    "start_date": START,
    "terms": "Subject to references.",
}


@dataclass
class Staff:
    """A signed-in staff user's browser."""

    http: object
    token: str

    def get(self, path):
        return self.http.get(path)

    def page(self, path) -> str:
        response = self.get(path)
        assert response.status_code == 200, response.status_code
        return response.get_data(as_text=True)

    def post(self, path, **data):
        return self.http.post(path, data={**data, "csrf_token": self.token})


def sign_in(app, username) -> Staff:
    http = app.test_client()
    assert login_staff(http, username).status_code == 302
    return Staff(http, csrf_token(http, "/offerview/add"))


@pytest.fixture
def desk(app):
    """An open job order paying 90,000 to 120,000 USD with a candidate at client interview; an
    Account Manager and a Recruiter on its client's team; an offer of another client."""
    with app.app_context():
        manager, recruiter = make_user("Account Manager"), make_user("Recruiter")
        job = open_job_order(
            recruiter=recruiter,  # joins the client's team
            approver=manager,
            salary_min=Decimal("90000"),
            salary_max=Decimal("120000"),
        )
        db.session.add(ClientTeamMember(client_id=job.client_id, user=manager, role="account lead"))
        application = add_candidate(job, "client_interview")
        hidden = draft_offer(open_job_order(recruiter=make_user("Recruiter"), approver=manager))
        return {
            "job": job.id,
            "application": application.id,
            "hidden": hidden.id,
            "hidden_number": hidden.number,
            "hidden_application": hidden.application_id,
            "manager": manager.username,
            "recruiter": recruiter.username,
        }


@pytest.fixture
def recruiter(app, desk) -> Staff:
    return sign_in(app, desk["recruiter"])


@pytest.fixture
def manager(app, desk) -> Staff:
    return sign_in(app, desk["manager"])


def _offer(pk) -> Offer:
    db.session.remove()
    return db.session.get(Offer, pk)


def new_offer(staff: Staff, application: int, **fields) -> int:
    response = staff.post(
        "/offerview/add", application=application, note="Opening offer", **{**TERMS, **fields}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def propose(staff: Staff, pk: int, proposed_by: str, note: str = "", **changes):
    """Post the counter-offer form as a browser does: every term, some of them changed."""
    fields = {**TERMS, **changes, "proposed_by": proposed_by, "note": note}
    return staff.post(f"/offerview/propose/{pk}", **{f"propose-{k}": v for k, v in fields.items()})


def act(staff: Staff, pk: int, action: str, **fields):
    return staff.post(
        f"/offerview/{action}/{pk}", **{f"{action}-{k}": v for k, v in fields.items()}
    )


def form_of(page: str, action: str) -> str:
    """The HTML of one action's form on the offer page (entities decoded)."""
    return html.unescape(page.split(f'id="{action}-form"')[1].split("</form>")[0])


# ---------------------------------------------------------------- a new offer


def test_make_offer_opens_the_form_for_the_application_in_the_job_orders_currency(
    app, desk, recruiter
):
    page = recruiter.page(f"/offerview/add?application={desk['application']}")
    assert re.search(rf'<option selected value="{desk["application"]}">', page)
    assert '<option selected value="USD">USD</option>' in page
    assert "USD 90,000.00" in page and "USD 120,000.00" in page  # the budget


def test_the_form_drafts_round_1_in_the_job_orders_currency_when_left_blank(app, desk, recruiter):
    pk = new_offer(recruiter, desk["application"], currency="")
    with app.app_context():
        offer = _offer(pk)
        assert offer.status == "draft" and offer.application_id == desk["application"]
        [first] = offer.rounds
        assert (first.base_salary, first.bonus, first.currency) == (
            Decimal("110000"),
            Decimal("10000"),
            "USD",
        )
        assert first.start_date.isoformat() == START and first.note == "Opening offer"
        assert first.recorded_by.username == desk["recruiter"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("base_salary", "lots", "Base salary must be an amount such as 85000."),
        ("base_salary", "", "Base salary must be more than 0"),
        ("bonus", "-5", "Bonus must be 0 to"),
        ("start_date", "31/12/2030", "Start date must be a date as YYYY-MM-DD."),
        ("currency", "XYZ1", "Currency must be an ISO 4217 code such as USD."),
    ],
)
def test_a_refused_new_offer_names_the_field_and_keeps_the_values(
    app, desk, recruiter, field, value, message
):
    data = {**TERMS, field: value, "equity": "Keep this equity"}
    response = recruiter.post("/offerview/add", application=desk["application"], **data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    row = page.split(f'id="{field}"')[1].split('<div class="form-group')[0]
    assert message in row  # beside its field
    assert 'value="Keep this equity"' in page
    assert f'<option selected value="{desk["application"]}">' in page
    with app.app_context():
        assert db.session.query(Offer).count() == 1  # the other client's only


def test_an_application_with_an_open_offer_gets_the_models_refusal(app, desk, recruiter):
    first = new_offer(recruiter, desk["application"])
    response = recruiter.post("/offerview/add", application=desk["application"], **TERMS)
    with app.app_context():
        number = _offer(first).number
    assert response.status_code == 422
    assert f"has offer {number} open already" in response.get_data(as_text=True)


def test_another_clients_application_cannot_be_offered(app, desk, recruiter):
    with app.app_context():
        hidden = db.session.get(Application, desk["hidden_application"])
        other = add_candidate(hidden.job_order, "client_interview")
        other_id = other.id
    page = recruiter.page("/offerview/add")
    assert f'value="{other_id}"' not in page
    response = recruiter.post("/offerview/add", application=other_id, **TERMS)
    assert response.status_code == 422
    assert "choose one of the applications listed" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(Offer).count() == 1


# ---------------------------------------------------------------- negotiation


def test_counter_offers_are_shown_in_order_with_who_proposed_what_and_what_changed(
    app, desk, recruiter
):
    pk = new_offer(recruiter, desk["application"])
    assert (
        propose(recruiter, pk, "candidate", "Wants more base", base_salary="118000").status_code
        == 302
    )
    assert (
        propose(
            recruiter, pk, "client", "Meet halfway", base_salary="115000", bonus="15000"
        ).status_code
        == 302
    )
    page = recruiter.page(f"/offerview/show/{pk}")
    history = page.split('id="rounds"')[1].split("</table>")[0]
    rows = [history.index(f'id="round-{n}"') for n in (1, 2, 3)]
    assert rows == sorted(rows)
    round_2 = history.split('id="round-2"')[1].split("</tr>")[0]
    assert "The candidate" in round_2 and "Wants more base" in round_2
    assert "<strong>Base salary</strong>: 110,000.00 → 118,000.00" in round_2
    round_3 = history.split('id="round-3"')[1].split("</tr>")[0]
    assert "The client" in round_3 and "Meet halfway" in round_3
    assert "<strong>Base salary</strong>: 118,000.00 → 115,000.00" in round_3
    assert "<strong>Bonus</strong>: 10,000.00 → 15,000.00" in round_3
    assert "Recruiter User" in round_3  # who recorded it
    current = page.split('id="current-terms"')[1].split("</dl>")[0]
    assert "USD 115,000.00" in current and "USD 130,000.00" in current  # total cash


def test_a_refused_counter_offer_keeps_the_values_beside_the_field(app, desk, recruiter):
    pk = new_offer(recruiter, desk["application"])
    response = propose(recruiter, pk, "candidate", "Keep my note", bonus="a lot")
    form = form_of(response.get_data(as_text=True), "propose")
    assert response.status_code == 422
    assert "Bonus must be an amount such as 85000." in form
    assert 'value="a lot"' in form and "Keep my note" in form
    unchanged = propose(recruiter, pk, "candidate")
    assert unchanged.status_code == 422
    assert "changes nothing" in form_of(unchanged.get_data(as_text=True), "propose")
    with app.app_context():
        assert len(_offer(pk).rounds) == 1


# ---------------------------------------------------------------- approval and extend


def test_above_the_budget_extending_is_refused_until_approved(app, desk, recruiter):
    pk = new_offer(recruiter, desk["application"], base_salary="125000")
    page = recruiter.page(f"/offerview/show/{pk}")
    assert 'id="over-budget"' in page and 'id="needs-approval"' in page
    assert 'id="approve-form"' not in page  # a recruiter has no approve permission
    response = act(recruiter, pk, "extend", expires_on="")
    assert response.status_code == 422
    assert "an Account Manager or an Admin must approve round 1" in response.get_data(as_text=True)
    with app.app_context():
        assert _offer(pk).status == "draft"


def test_a_recruiter_cannot_approve(app, desk, recruiter):
    pk = new_offer(recruiter, desk["application"], base_salary="125000")
    assert act(recruiter, pk, "approve", comment="Fine by me").status_code == 403
    with app.app_context():
        assert _offer(pk).approved_round is None


def test_an_account_manager_approves_and_the_offer_is_then_extended(app, desk, recruiter, manager):
    pk = new_offer(recruiter, desk["application"], base_salary="125000")
    form = form_of(manager.page(f"/offerview/show/{pk}"), "approve")
    assert "Approve round 1" in form
    assert act(manager, pk, "approve", comment="Strong candidate").status_code == 302
    page = recruiter.page(f"/offerview/show/{pk}")
    assert "Round 1 approved by Account User" in page and 'id="needs-approval"' not in page
    assert 'id="approve-form"' not in manager.page(f"/offerview/show/{pk}")
    assert act(recruiter, pk, "extend", expires_on="").status_code == 302
    with app.app_context():
        offer = _offer(pk)
        assert offer.status == "extended" and offer.approved_by.username == desk["manager"]


def test_extending_moves_the_application_to_offer_and_renders_the_letter(app, desk, recruiter):
    pk = new_offer(recruiter, desk["application"])
    until = (date.today() + timedelta(days=10)).isoformat()
    response = act(recruiter, pk, "extend", expires_on=until)
    assert response.status_code == 302
    with app.app_context():
        offer = _offer(pk)
        assert offer.status == "extended" and offer.expires_on.isoformat() == until
        assert db.session.get(Application, desk["application"]).stage == "offer"
        letter = db.session.scalar(
            db.select(ClientDocument)
            .where(ClientDocument.source == f"offer:{pk}", ClientDocument.archived_at.is_(None))
            .order_by(ClientDocument.id.desc())
        )
        assert letter is not None and not letter.visible_to_client
    page = recruiter.page(f"/offerview/show/{pk}")
    link = f"/offerview/letter/{pk}/{letter.id}"
    assert link in page
    download = recruiter.get(link)
    assert download.status_code == 200 and download.data.startswith(b"%PDF")
    assert "attachment" in download.headers["Content-Disposition"]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("next friday", "Expires on must be a date as YYYY-MM-DD."),
        ((date.today() - timedelta(days=1)).isoformat(), "Expires on must be today or later."),
    ],
)
def test_a_bad_expiry_date_is_refused_beside_the_field(app, desk, recruiter, value, message):
    pk = new_offer(recruiter, desk["application"])
    response = act(recruiter, pk, "extend", expires_on=value)
    form = form_of(response.get_data(as_text=True), "extend")
    assert response.status_code == 422
    assert message in form and f'value="{value}"' in form
    with app.app_context():
        assert _offer(pk).status == "draft"


# ---------------------------------------------------------------- the candidate's answer


def test_an_extended_offer_is_accepted_with_a_note(app, desk, recruiter):
    pk = new_offer(recruiter, desk["application"])
    act(recruiter, pk, "extend", expires_on="")
    assert act(recruiter, pk, "accept", note="Signed the letter").status_code == 302
    with app.app_context():
        offer = _offer(pk)
        assert offer.status == "accepted" and offer.decision_note == "Signed the letter"
    page = recruiter.page(f"/offerview/show/{pk}")
    assert "Signed the letter" in page and 'id="accept-form"' not in page


def test_a_draft_is_not_accepted_and_says_why(app, desk, recruiter):
    pk = new_offer(recruiter, desk["application"])
    assert 'id="accept-form"' not in recruiter.page(f"/offerview/show/{pk}")
    response = act(recruiter, pk, "accept", note="Too early")
    assert response.status_code == 422
    assert "only an extended offer can be accepted" in response.get_data(as_text=True)
    with app.app_context():
        assert _offer(pk).status == "draft"


def test_decline_needs_the_reason_beside_its_field(app, desk, recruiter):
    pk = new_offer(recruiter, desk["application"])
    act(recruiter, pk, "extend", expires_on="")
    refused = act(recruiter, pk, "decline", reason="  ")
    assert refused.status_code == 422
    assert "Give the candidate's reason for declining." in form_of(
        refused.get_data(as_text=True), "decline"
    )
    assert (
        act(recruiter, pk, "decline", reason="Counter-offer from her employer").status_code == 302
    )
    with app.app_context():
        offer = _offer(pk)
        assert offer.status == "declined"
        assert offer.decision_note == "Counter-offer from her employer"


def test_withdraw_needs_the_reason_and_closes_the_offer(app, desk, recruiter):
    pk = new_offer(recruiter, desk["application"])
    refused = act(recruiter, pk, "withdraw", reason="")
    assert refused.status_code == 422
    assert "Give the reason for withdrawing the offer." in form_of(
        refused.get_data(as_text=True), "withdraw"
    )
    assert act(recruiter, pk, "withdraw", reason="Role put on hold").status_code == 302
    page = recruiter.page(f"/offerview/show/{pk}")
    assert "Withdrawn" in page and "None: the offer is withdrawn." in page
    assert 'id="propose-form"' not in page


# ---------------------------------------------------------------- scoping and the list


@pytest.mark.parametrize(
    "path",
    [
        "/offerview/show/{pk}",
        "/offerview/letter/{pk}/1",
    ],
)
def test_another_clients_offer_is_404(app, desk, manager, path):
    assert manager.get(path.format(pk=desk["hidden"])).status_code == 404


@pytest.mark.parametrize(
    "action", ["propose", "approve", "extend", "accept", "decline", "withdraw"]
)
def test_another_clients_offer_cannot_be_acted_on(app, desk, manager, action):
    assert act(manager, desk["hidden"], action, reason="x").status_code == 404
    with app.app_context():
        assert _offer(desk["hidden"]).status == "draft"


def test_the_list_shows_only_visible_offers_with_their_current_base(app, desk, recruiter):
    pk = new_offer(recruiter, desk["application"])
    propose(recruiter, pk, "candidate", base_salary="118000")
    page = recruiter.page("/offerview/list/")
    with app.app_context():
        number = _offer(pk).number
    assert number in page and "USD 118,000.00" in page and "Draft" in page
    assert desk["hidden_number"] not in page


@pytest.mark.parametrize(
    "query",
    [
        "_flt_0_job_order={job}",
        "_flt_0_candidate={candidate}",
        "_flt_3_status=extended",
    ],
)
def test_the_list_filters_by_job_order_candidate_and_status(app, desk, recruiter, query):
    pk = new_offer(recruiter, desk["application"])
    act(recruiter, pk, "extend", expires_on="")
    with app.app_context():
        offer = _offer(pk)
        other_job = open_job_order(client=offer.client, salary_max=Decimal("150000"))
        other_number = draft_offer(other_job).number
        number = _offer(pk).number
        ids = {"job": desk["job"], "candidate": _offer(pk).candidate_id}
    page = recruiter.page(f"/offerview/list/?{query.format(**ids)}")
    assert number in page and other_number not in page


def test_the_expire_command_expires_extended_offers_past_their_date(app, desk, recruiter):
    pk = new_offer(recruiter, desk["application"])
    act(recruiter, pk, "extend", expires_on="")
    with app.app_context():
        db.session.execute(
            Offer.__table__.update()
            .where(Offer.id == pk)
            .values(expires_on=date.today() - timedelta(days=1))
        )
        db.session.commit()
    result = app.test_cli_runner().invoke(cli, ["expire-offers"])
    assert result.exit_code == 0 and "1 offer(s) expired." in result.output
    with app.app_context():
        assert _offer(pk).status == "expired"
    again = app.test_cli_runner().invoke(cli, ["expire-offers"])
    assert "0 offer(s) expired." in again.output
