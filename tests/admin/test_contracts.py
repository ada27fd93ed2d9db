"""The staff's contract pages: a new contract (blank or from a template) as a numbered draft
with version 1, a draft's edit saved as the next version, lines added and removed (each a
version), the version history with its differences, one version's content and a comparison,
the list, the PDFs, and another client's contract answering 404."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import event

from extensions import db
from models import Client, ClientDocument, ClientTeamMember, Contract, ContractTemplate
from tests.factories import (
    ClientContactFactory,
    ClientFactory,
    ContactFactory,
    draft_contract,
    make_user,
)

from .contract_desk import (
    NEXT_YEAR,
    TODAY,
    block,
    desk_fixture,  # noqa: F401  (the ``desk`` fixture)
    follow,
    load,
    make_contract,
    page,
    pk_of,
    post,
)


def _new(desk, **fields):
    data = {
        "client": desk["client"],
        "contract_type": "retained search",
        "title": "Leadership hiring 2027",
        "start_date": TODAY.isoformat(),
        "end_date": NEXT_YEAR.isoformat(),
        "renewal_date": (NEXT_YEAR + timedelta(days=1)).isoformat(),
        "auto_renew": "yes",
        "renewal_term_months": "12",
        "value": "45000",
        "currency": "usd",
        "payment_terms": "net_30",
        "replacement_guarantee_days": "90",
        "placements_target": "4",
        "client_signatory": desk["signer"],
        "terms": "Fees are due on each start date.",
        **fields,
    }
    return post(desk, "/contractview/add", **data)


# ---------------------------------------------------------------- new


def test_the_add_form_creates_a_numbered_draft_with_its_first_version(app, desk):
    response = _new(desk)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    with app.app_context():
        contract = load(pk_of(response))
        assert contract.number.startswith(f"C-{TODAY.year}-") and contract.status == "draft"
        assert (contract.contract_type, contract.currency, contract.value) == (
            "retained search",
            "USD",
            Decimal("45000.00"),
        )
        assert contract.auto_renew and contract.client_signatory.last_name == "Lovelace"
        assert contract.owner.username == desk["user"]  # the model's default: its creator
        assert [(v.number, v.note) for v in contract.versions] == [(1, "Drafted")]


def test_a_template_fills_what_the_form_leaves_blank(app, desk):
    with app.app_context():
        template = ContractTemplate(
            name="Standard MSA",
            contract_type="master service agreement",
            terms="{client} engages the agency for all hires.",
            payment_terms="net_45",
            term_months=24,
            auto_renew=True,
        )
        db.session.add(template)
        db.session.commit()
        template_id = template.id
    response = post(
        desk,
        "/contractview/add",
        client=desk["client"],
        template=template_id,
        value="30000",
        start_date=TODAY.isoformat(),
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    with app.app_context():
        contract = load(pk_of(response))
        assert contract.title == "Standard MSA — Acme Robotics"
        assert contract.contract_type == "master service agreement"
        assert contract.terms == "Acme Robotics engages the agency for all hires."
        assert (contract.payment_terms, contract.auto_renew, contract.renewal_term_months) == (
            "net_45",
            True,
            24,
        )
        assert contract.value == Decimal("30000.00") and contract.template_id == template_id


def test_a_refused_rule_re_renders_the_form_with_the_message_on_its_field(app, desk):
    response = _new(desk, title="Keep this title", end_date=(TODAY - timedelta(days=1)).isoformat())
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "End date must be on or after the start date." in html and "Keep this title" in html
    with app.app_context():
        assert db.session.query(Contract).count() == 0


def test_a_contract_without_type_or_title_names_what_is_missing(app, desk):
    response = _new(desk, contract_type="", title="")
    assert response.status_code == 422
    assert "Title is required." in response.get_data(as_text=True)


def test_another_clients_contract_cannot_be_created(app, desk):
    response = _new(desk, client=desk["other"], client_signatory="")
    assert response.status_code == 422
    with app.app_context():
        assert db.session.query(Contract).count() == 0


def test_the_add_form_opened_for_a_client_offers_its_contacts_to_sign(app, desk):
    with app.app_context():
        second = ClientFactory(name="Second Client Co")
        db.session.add(
            ClientTeamMember(
                client=second, user=db.session.get(User, desk["user_id"]), role="recruiter"
            )
        )
        ClientContactFactory(
            client=second, contact=ContactFactory(first_name="Grace", last_name="Hopper")
        )
    everyone = page(desk, "/contractview/add")
    assert "Ada Lovelace" in everyone and "Grace Hopper" in everyone
    html = page(desk, f"/contractview/add?client={desk['client']}")
    assert "Ada Lovelace" in html and "Grace Hopper" not in html
    assert f'<option selected value="{desk["client"]}">Acme Robotics</option>' in html


# ---------------------------------------------------------------- edit: each save a version


def test_saving_a_draft_records_the_next_version_and_its_difference(app, desk):
    pk = make_contract(app, desk)
    form = page(desk, f"/contractview/edit/{pk}")
    assert "Engineering hiring programme" in form
    html = follow(
        desk,
        f"/contractview/edit/{pk}",
        contract_type="project",
        title="Engineering hiring programme",
        start_date=TODAY.isoformat(),
        end_date=(TODAY + timedelta(days=364)).isoformat(),
        renewal_date=(TODAY + timedelta(days=365)).isoformat(),
        renewal_term_months="12",
        value="45000",
        currency="USD",
        discount_percent="0",
        tax_rate="0",
        terms="Placements are guaranteed for 90 days.\nInvoices are due in 30 days.",
        note="Client asked for a larger programme",
    )
    assert "Saved as version 2." in html
    versions = block(html, "contract-versions")
    assert "Client asked for a larger programme" in versions
    assert "40,000.00" in versions and "45,000.00" in versions
    assert "+Invoices are due in 30 days." in versions
    with app.app_context():
        contract = load(pk)
        assert contract.version == 2 and contract.versions[0].fields["value"] == "40000.00"


def test_a_save_that_changes_nothing_makes_no_version(app, desk):
    pk = make_contract(app, desk)
    with app.app_context():
        contract = load(pk)
        same = {
            "contract_type": contract.contract_type,
            "title": contract.title,
            "start_date": contract.start_date.isoformat(),
            "end_date": contract.end_date.isoformat(),
            "renewal_date": contract.renewal_date.isoformat(),
            "renewal_term_months": "12",
            "value": "40000.00",
            "currency": "USD",
            "discount_percent": "0",
            "tax_rate": "0",
            "terms": contract.terms,
        }
    html = follow(desk, f"/contractview/edit/{pk}", **same)
    assert "Nothing in the content changed: no new version." in html
    with app.app_context():
        assert load(pk).version == 1


def test_a_bad_edit_re_renders_with_the_users_values(app, desk):
    pk = make_contract(app, desk)
    response = post(
        desk,
        f"/contractview/edit/{pk}",
        contract_type="project",
        title="Renamed programme",
        start_date=TODAY.isoformat(),
        renewal_term_months="0",
        value="40000",
        currency="USD",
        discount_percent="0",
        tax_rate="0",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Renewal term must be 1 to 120 months." in html and "Renamed programme" in html
    with app.app_context():
        assert load(pk).title == "Engineering hiring programme" and load(pk).version == 1


def test_a_sent_contracts_edit_is_refused_with_reopen_it(app, desk):
    pk = make_contract(app, desk)
    post(desk, f"/contractview/send/{pk}")
    html = desk["http"].get(f"/contractview/edit/{pk}", follow_redirects=True)
    assert "reopen it as a draft to change it" in html.get_data(as_text=True)
    refused = follow(
        desk,
        f"/contractview/edit/{pk}",
        contract_type="project",
        title="Changed",
        start_date=TODAY.isoformat(),
        renewal_term_months="12",
        value="1",
        currency="USD",
        discount_percent="0",
        tax_rate="0",
    )
    assert "sent for signature; only a contract draft is changed" in refused
    with app.app_context():
        assert load(pk).title == "Engineering hiring programme"


# ---------------------------------------------------------------- lines


def _add_line(desk, pk, description="Data engineers", quantity="2", rate="9000"):
    return post(
        desk,
        f"/contractview/lines/{pk}/add",
        service_type="contingency recruitment",
        description=description,
        quantity=quantity,
        rate=rate,
    )


def test_each_line_added_or_removed_is_a_version(app, desk):
    pk = make_contract(app, desk)
    assert _add_line(desk, pk).status_code == 302
    _add_line(desk, pk, "QA lead", "1", "12000")
    with app.app_context():
        first = load(pk).lines[0].id
    html = follow(desk, f"/contractview/lines/{first}/remove")
    assert "Line 1 removed: contingency recruitment: Data engineers" in html
    assert "USD 12,000.00" in block(html, "contract-totals")
    with app.app_context():
        contract = load(pk)
        assert [v.note for v in contract.versions] == [
            "Drafted",
            "Line added: Data engineers",
            "Line added: QA lead",
            "Line removed: Data engineers",
        ]
        assert [line["description"] for line in contract.versions[2].lines] == [
            "Data engineers",
            "QA lead",
        ]


def test_a_bad_line_re_renders_the_page_naming_the_rule(app, desk):
    pk = make_contract(app, desk)
    response = _add_line(desk, pk, quantity="0")
    assert response.status_code == 422
    assert "Quantity must be more than 0" in response.get_data(as_text=True)
    with app.app_context():
        assert load(pk).version == 1


def test_a_sent_contracts_lines_are_not_changed(app, desk):
    pk = make_contract(app, desk)
    _add_line(desk, pk)
    post(desk, f"/contractview/send/{pk}")
    _add_line(desk, pk, "Late addition")
    with app.app_context():
        contract = load(pk)
        assert [line.description for line in contract.lines] == ["Data engineers"]
        line_id = contract.lines[0].id
    assert "only a contract draft is changed" in follow(
        desk, f"/contractview/lines/{line_id}/remove"
    )


# ---------------------------------------------------------------- versions


def test_one_version_shows_its_content_and_two_versions_compare(app, desk):
    pk = make_contract(app, desk)
    _add_line(desk, pk)
    _add_line(desk, pk, "QA lead", "1", "12000")
    v1 = page(desk, f"/contractview/version/{pk}/1")
    assert "40,000.00" in block(v1, "version-fields") and "No lines." in v1
    v2 = block(page(desk, f"/contractview/version/{pk}/2"), "version-lines")
    assert "Data engineers" in v2 and "18,000.00" in v2 and "QA lead" not in v2
    compared = page(desk, f"/contractview/compare/{pk}?a=3&b=1")  # either order
    diff = block(compared, "compare-diff")
    assert "Line 1 added: contingency recruitment: Data engineers" in diff
    assert "Line 2 added: contingency recruitment: QA lead" in diff
    assert desk["http"].get(f"/contractview/version/{pk}/9").status_code == 404
    same = desk["http"].get(f"/contractview/compare/{pk}?a=2&b=2", follow_redirects=True)
    assert "Choose two different versions" in same.get_data(as_text=True)


# ---------------------------------------------------------------- list, page, documents


def test_the_list_shows_the_columns_and_filters_by_status(app, desk):
    make_contract(app, desk, title="Engineering hiring programme")
    sent = make_contract(app, desk, title="Sales hiring programme", value=Decimal("12500"))
    post(desk, f"/contractview/send/{sent}")
    html = page(desk, "/contractview/list/")
    for text in ("Acme Robotics", "Engineering hiring programme", "USD 40,000.00", "project"):
        assert text in html
    assert "Sent for signature" in html and TODAY.strftime("%d %b %Y") in html
    filtered = page(desk, "/contractview/list/?_flt_0_status=sent")
    assert "Sales hiring programme" in filtered and "Engineering hiring programme" not in filtered


def test_the_list_filters_by_client_type_and_owner(app, desk):
    with app.app_context():
        user = db.session.get(User, desk["user_id"])
        second = ClientFactory(name="Second Client Co")
        db.session.add(ClientTeamMember(client=second, user=user, role="recruiter"))
        colleague = make_user("Account Manager")
        draft_contract(second, title="Contingency programme", contract_type="contingency")
        db.session.scalar(db.select(Contract)).owner = colleague
        draft_contract(db.session.get(Client, desk["client"]), by=user, title="Project programme")
        ids = {"second": second.id, "colleague": colleague.id}
    for query, shown in (
        (f"_flt_0_client={ids['second']}", "Contingency programme"),
        ("_flt_0_contract_type=contingency", "Contingency programme"),
        (f"_flt_0_owner={ids['colleague']}", "Contingency programme"),
        (f"_flt_0_owner={desk['user_id']}", "Project programme"),
        ("_flt_0_contract_type=project", "Project programme"),
    ):
        html = page(desk, f"/contractview/list/?{query}")
        for title in ("Contingency programme", "Project programme"):
            assert (title in html) == (title == shown), (query, title)


def _list_queries(app, desk, count: int) -> int:
    with app.app_context():
        client = db.session.get(Client, desk["client"])
        for _ in range(count):
            draft_contract(client)
        engine = db.engine
    statements = []

    def count_statement(*args):
        statements.append(args[2])

    event.listen(engine, "before_cursor_execute", count_statement)
    try:
        html = page(desk, "/contractview/list/?psize_ContractView=100")
    finally:
        event.remove(engine, "before_cursor_execute", count_statement)
    assert html.count("Engineering hiring programme") >= count
    return len(statements)


def test_the_lists_query_count_does_not_grow_with_contracts(app, desk):
    assert _list_queries(app, desk, 3) == _list_queries(app, desk, 27)


def test_the_page_shows_parties_term_value_and_performance(app, desk):
    pk = make_contract(app, desk, placements_target=4)
    html = page(desk, f"/contractview/show/{pk}")
    assert "Acme Robotics" in block(html, "contract-parties")
    assert NEXT_YEAR.strftime("%d %b %Y") in block(html, "contract-term")
    assert "USD 40,000.00" in block(html, "contract-value")
    performance = block(html, "contract-performance")
    assert "0 of 4 (0%)" in performance and "USD 0.00 of 40,000.00 (0%)" in performance


def test_its_pdfs_are_listed_and_download(app, desk):
    pk = make_contract(app, desk)
    _add_line(desk, pk)  # committed, then rendered (inline without a worker)
    html = page(desk, f"/contractview/show/{pk}")
    with app.app_context():
        document = db.session.scalar(
            db.select(ClientDocument)
            .where(ClientDocument.source == f"contract:{pk}")
            .order_by(ClientDocument.id.desc())
        )
        number = load(pk).number
    assert f"contract-{number}-v2.pdf" in block(html, "contract-documents")
    response = desk["http"].get(f"/contractview/document/{pk}/{document.id}")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    other = make_contract(app, desk)
    assert desk["http"].get(f"/contractview/document/{other}/{document.id}").status_code == 404


HIDDEN_PATHS = [
    ("GET", "/contractview/show/{pk}"),
    ("GET", "/contractview/edit/{pk}"),
    ("GET", "/contractview/version/{pk}/1"),
    ("GET", "/contractview/compare/{pk}?a=1&b=2"),
    ("POST", "/contractview/edit/{pk}"),
    ("POST", "/contractview/lines/{pk}/add"),
    ("POST", "/contractview/lines/{line}/remove"),
    ("POST", "/contractview/send/{pk}"),
    ("POST", "/contractview/submit/{pk}"),
    ("POST", "/contractview/approve/{pk}"),
    ("POST", "/contractview/cancel/{pk}"),
]


def test_another_clients_contract_is_404_everywhere(app, desk):
    pk = make_contract(app, desk, client="other", title="Hidden programme")
    with app.app_context():
        contract = load(pk)
        contract.add_line("contract staffing", "Hidden line", Decimal("1"), Decimal("1"))
        contract.action_record_version()
        db.session.commit()
        line = contract.lines[0].id
    for method, path in HIDDEN_PATHS:
        url = path.format(pk=pk, line=line)
        response = (
            desk["http"].get(url)
            if method == "GET"
            else post(desk, url, reason="x", title="Taken", description="x", rate="1")
        )
        assert response.status_code == 404, (method, url, response.status_code)
    assert "Hidden programme" not in page(desk, "/contractview/list/")
    with app.app_context():
        contract = load(pk)
        assert (contract.status, contract.title, len(contract.lines)) == (
            "draft",
            "Hidden programme",
            1,
        )


def _edit_form(contract, **fields) -> dict:
    return {
        "contract_type": contract.contract_type,
        "title": contract.title,
        "start_date": contract.start_date.isoformat(),
        "end_date": contract.end_date.isoformat(),
        "renewal_date": contract.renewal_date.isoformat(),
        "renewal_term_months": str(contract.renewal_term_months),
        "value": str(contract.value),
        "currency": contract.currency,
        "discount_percent": "0",
        "tax_rate": "0",
        "terms": contract.terms,
        **fields,
    }


def test_choosing_then_clearing_the_signatory_are_versions(app, desk):
    pk = make_contract(app, desk)
    with app.app_context():
        data = _edit_form(load(pk))
    follow(desk, f"/contractview/edit/{pk}", **data, client_signatory=desk["signer"])
    html = follow(desk, f"/contractview/edit/{pk}", **data, client_signatory="__None")
    assert "Saved as version 3." in html
    with app.app_context():
        contract = load(pk)
        assert contract.client_signatory is None
        assert contract.versions[1].diff().fields == [("Client signatory", "—", "Ada Lovelace")]
        assert contract.versions[2].diff().fields == [("Client signatory", "Ada Lovelace", "—")]
