"""Contracts: conversion from a quote, templates, versions and their differences, the
two-level approval above the configured value, signature, renewal, expiry and performance."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from flask import current_app

from extensions import db
from models import (
    Contract,
    ContractError,
    ContractStateError,
    ContractTemplate,
    JobOrder,
)
from models.contracts import add_months, renew_and_expire_contracts, renewal_notices_due
from tests.factories import (
    ClientContactFactory,
    ClientFactory,
    accepted_quote,
    add_candidate,
    draft_contract,
    make_user,
    open_job_order,
    quote_with_lines,
)

pytestmark = pytest.mark.usefixtures("ctx")


# ---------------------------------------------------------------- converting a quote


def test_an_accepted_quote_converts_with_its_lines_terms_and_a_link_both_ways():
    manager = make_user("Account Manager")
    quote = accepted_quote(by=manager)
    contract = Contract.action_convert_quote(quote, manager)
    db.session.commit()

    assert contract.number.startswith(f"C-{date.today().year}-")
    assert contract.quote is quote and quote.contract is contract
    assert [
        (line.service_type, line.description, line.quantity, line.rate) for line in contract.lines
    ] == [(line.service_type, line.description, line.quantity, line.rate) for line in quote.lines]
    assert contract.total == quote.total == contract.value
    assert (contract.payment_terms, contract.replacement_guarantee_days, contract.terms) == (
        "net_30",
        90,
        quote.terms,
    )
    assert contract.client_signatory == quote.accepted_by
    assert contract.owner == manager
    # Version 1 keeps the quote's lines.
    [first] = contract.versions
    assert first.number == 1 and contract.version == 1
    assert [line["description"] for line in first.lines] == [
        "VP of Engineering search",
        "Senior engineers",
    ]
    assert first.note == f"Converted from quote {quote.reference}"


def test_version_1_of_a_converted_contract_names_its_signatory_so_the_next_diff_does_not():
    quote = accepted_quote()
    contract = Contract.action_convert_quote(quote)
    db.session.commit()
    assert contract.versions[0].fields["client_signatory_id"] == quote.accepted_by.id
    contract.action_update(None, title="Executive search, 2027 (signed terms)")
    assert [label for label, _, _ in contract.versions[-1].diff().fields] == ["Title"]


@pytest.mark.parametrize(
    ("service", "expected"),
    [
        ("retained executive search", "retained search"),
        ("contingency recruitment", "contingency"),
        ("contract staffing", "project"),
    ],
)
def test_the_contract_type_follows_the_quotes_one_service(service, expected):
    quote = quote_with_lines()
    for line in list(quote.lines):
        quote.remove_line(line)
    quote.add_line(service, "The work", Decimal("1"), Decimal("1000"))
    quote.action_send()
    quote.action_accept("Ada Lovelace", None)
    assert Contract.action_convert_quote(quote).contract_type == expected


def test_only_an_accepted_quote_converts_and_only_once():
    quote = quote_with_lines()
    with pytest.raises(ContractStateError, match="only an accepted quote becomes a contract"):
        Contract.action_convert_quote(quote)
    quote = accepted_quote()
    contract = Contract.action_convert_quote(quote)
    db.session.commit()
    with pytest.raises(ContractStateError, match=f"converted to {contract.number} already"):
        Contract.action_convert_quote(quote)


# ---------------------------------------------------------------- templates


def test_a_template_gives_type_terms_and_term_dates(monkeypatch):
    monkeypatch.setitem(current_app.config, "AGENCY_NAME", "Harborview Search")
    template = ContractTemplate(
        name="MSA (enterprise)",
        contract_type="master service agreement",
        tier="enterprise",
        terms="This agreement between {agency} and {client} covers every search.",
        payment_terms="net_30",
        term_months=24,
        auto_renew=True,
    )
    template.validate()
    db.session.add(template)
    client = ClientFactory(name="Acme Robotics")
    contract = Contract.action_create_from_template(
        template, client, start_date=date(2027, 1, 31), value=Decimal("100000")
    )
    db.session.commit()
    assert contract.contract_type == "master service agreement"
    assert (
        contract.terms
        == "This agreement between Harborview Search and Acme Robotics covers every search."
    )
    assert (contract.start_date, contract.end_date, contract.renewal_date) == (
        date(2027, 1, 31),
        date(2029, 1, 30),
        date(2029, 1, 31),
    )
    assert contract.auto_renew and contract.renewal_term_months == 24
    assert contract.template is template


def test_months_are_added_by_the_calendar():
    assert add_months(date(2027, 1, 31), 1) == date(2027, 2, 28)
    assert add_months(date(2027, 11, 15), 3) == date(2028, 2, 15)


# ---------------------------------------------------------------- versions and differences


def test_each_saved_change_is_a_version_and_the_difference_reads_plainly():
    manager = make_user("Account Manager")
    contract = draft_contract(by=manager)
    assert contract.action_update(
        manager,
        "Client asked for a larger programme",
        value=Decimal("45000"),
        terms="Placements are guaranteed for 90 days.\nInvoices are due in 30 days.",
    )
    contract.add_line("contingency recruitment", "Data engineers", Decimal("2"), Decimal("9000"))
    contract.action_record_version(manager, "Added a line")
    db.session.commit()

    assert [v.number for v in contract.versions] == [1, 2, 3]
    second, third = contract.versions[1], contract.versions[2]
    diff = second.diff()
    assert diff.fields == [("Value", "40,000.00", "45,000.00")]
    assert diff.terms == [
        "@@ -1 +1,2 @@",
        " Placements are guaranteed for 90 days.",
        "+Invoices are due in 30 days.",
    ]
    assert third.diff().lines == [
        "Line 1 added: contingency recruitment: Data engineers, 2.00 × 9000.00"
    ]
    # Version 1 is kept as it was.
    assert contract.versions[0].fields["value"] == "40000.00"
    assert not contract.versions[0].diff()  # nothing before it to differ from


def test_line_changes_are_matched_by_content_not_by_position():
    contract = draft_contract()
    for description in ("Data engineers", "QA lead", "Designers"):
        contract.add_line("contract staffing", description, Decimal("1"), Decimal("1000"))
    contract.action_record_version(None, "Three lines")
    contract.remove_line(contract.lines[0])
    contract.lines[-1].quantity = Decimal("2")
    contract.add_line("contract staffing", "Analyst", Decimal("1"), Decimal("800"))
    version = contract.action_record_version(None, "Changed")

    assert version.diff().lines == [
        "Line 1 removed: contract staffing: Data engineers, 1.00 × 1000.00",
        "Line 2: quantity 1.00 → 2.00",
        "Line 3 added: contract staffing: Analyst, 1.00 × 800.00",
    ]


def test_saving_without_a_change_makes_no_version():
    contract = draft_contract()
    assert not contract.action_update(None, value=Decimal("40000"))
    assert contract.action_record_version() is None
    assert len(contract.versions) == 1


def test_a_sent_contract_is_changed_only_by_reopening_it():
    contract = draft_contract()
    contract.action_send()
    db.session.commit()
    with pytest.raises(ContractStateError, match="only a contract draft is changed"):
        contract.action_update(None, value=Decimal("1"))
    contract.value = Decimal("1")
    with pytest.raises(ContractStateError, match="reopen it as a draft to change value"):
        contract.validate()
    db.session.rollback()
    contract.action_reopen(None, "Client wants a longer guarantee")
    assert contract.status == "draft" and contract.sent_at is None
    assert contract.action_update(None, replacement_guarantee_days=120)


def test_a_versions_content_reads_with_labels_and_line_amounts():
    contract = draft_contract(currency="JPY", placements_target=3)
    contract.add_line("contingency recruitment", "Data engineers", Decimal("3"), Decimal("1000.4"))
    version = contract.action_record_version(None, "Added a line")

    shown = dict(version.shown_fields())
    assert shown["Type"] == "project" and shown["Value"] == "40,000.00"
    assert shown["Placements target"] == "3" and shown["Client signatory"] == "—"
    assert "Terms" not in shown
    [line] = version.line_rows()
    assert line["description"] == "Data engineers" and line["amount"] == Decimal("3001")


# ---------------------------------------------------------------- approval and sending


def test_a_contract_above_the_limit_needs_an_account_manager_then_another_admin(monkeypatch):
    monkeypatch.setitem(current_app.config, "CONTRACT_APPROVAL_VALUE", Decimal("50000"))
    manager, admin = make_user("Account Manager"), make_user("Admin")
    contract = draft_contract(value=Decimal("80000"))
    assert contract.approvals_needed == 2
    with pytest.raises(ContractStateError, match="must approve it before it is sent"):
        contract.action_send(manager)
    contract.action_submit(manager)
    with pytest.raises(
        ContractError, match="Approval level 1 .* needs an Account Manager or an Admin"
    ):
        contract.action_approve(make_user("Recruiter"))
    assert contract.action_approve(manager, "Rates checked") is False
    with pytest.raises(ContractError, match="Approval level 2 .* needs an Admin"):
        contract.action_approve(make_user("Account Manager"))
    assert contract.action_approve(admin) is True
    assert contract.status == "approved"
    assert [(a.level, a.approver, a.version) for a in contract.approvals] == [
        (1, manager, 1),
        (2, admin, 1),
    ]
    contract.action_send(manager)
    assert contract.status == "sent"


@pytest.mark.parametrize(
    ("status", "value", "actions"),
    [
        ("draft", Decimal("40000"), ("edit", "send", "cancel")),
        ("draft", Decimal("80000"), ("edit", "submit", "cancel")),
        ("in_approval", Decimal("80000"), ("approve", "reject", "reopen", "cancel")),
        ("approved", Decimal("80000"), ("send", "reopen", "cancel")),
        ("sent", Decimal("40000"), ("sign", "reopen", "cancel")),
        ("active", Decimal("40000"), ("renew", "terminate")),
        ("terminated", Decimal("40000"), ()),
    ],
)
def test_the_allowed_actions_follow_the_status_and_the_value(status, value, actions):
    contract = draft_contract(value=value)
    contract.status = status
    assert contract.allowed_actions == actions


def test_lines_added_since_the_last_version_are_recorded_before_approval_or_sending():
    manager = make_user("Account Manager")
    big, small = draft_contract(value=Decimal("80000")), draft_contract()
    for contract in (big, small):
        contract.add_line("contract staffing", "Two testers", Decimal("2"), Decimal("5000"))
    big.action_submit(manager)
    small.action_send(manager)
    assert [v.note for v in big.versions] == ["Drafted", "Recorded on submission for approval"]
    assert [v.note for v in small.versions] == ["Drafted", "Recorded on sending"]
    assert big.version == small.version == 2
    assert big.versions[-1].lines[0]["description"] == "Two testers"
    big.action_approve(manager)
    assert big.approvals[0].version == 2


def test_the_same_person_cannot_approve_both_levels():
    admin = make_user("Admin")
    contract = draft_contract(value=Decimal("80000"))
    contract.action_submit(admin)
    contract.action_approve(admin)
    with pytest.raises(ContractError, match="someone other than the first approver"):
        contract.action_approve(admin)


def test_a_rejection_sends_it_back_to_draft_and_approvals_start_again():
    manager = make_user("Account Manager")
    contract = draft_contract(value=Decimal("80000"))
    contract.action_submit(manager)
    contract.action_approve(manager)
    with pytest.raises(ContractError, match="reason"):
        contract.action_reject(manager, " ")
    contract.action_reject(manager, "Discount too deep")
    assert contract.status == "draft" and contract.approvals == []


def test_a_contract_within_the_limit_is_sent_without_approval():
    contract = draft_contract(value=Decimal("50000"))
    assert contract.approvals_needed == 0
    with pytest.raises(ContractStateError, match="send it without approval"):
        contract.action_submit()
    contract.action_send()
    assert contract.status == "sent"


def test_signing_needs_the_full_name_and_makes_it_active():
    contract = draft_contract()
    with pytest.raises(ContractStateError, match="only a contract sent for signature is signed"):
        contract.action_sign("Ada Lovelace")
    contract.action_send()
    with pytest.raises(ContractError, match="full name"):
        contract.action_sign("Ada")
    contract.action_sign("  Ada   Lovelace ")
    assert (contract.status, contract.signed_name) == ("active", "Ada Lovelace")


def test_the_client_signatory_must_be_the_clients_contact():
    contract = draft_contract()
    stranger = ClientContactFactory().contact
    with pytest.raises(ContractError, match="is not a contact of"):
        contract.action_update(None, client_signatory=stranger)
    db.session.rollback()
    ours = ClientContactFactory(client=contract.client).contact
    contract.action_update(None, client_signatory=ours)
    assert contract.versions[-1].diff().fields == [("Client signatory", "—", str(ours))]


def test_clearing_the_client_signatory_is_a_version():
    ours = ClientContactFactory().contact
    contract = draft_contract(ours.client_links[0].client, client_signatory=ours)
    assert contract.action_update(None, client_signatory=None)
    assert contract.versions[-1].diff().fields == [("Client signatory", str(ours), "—")]


def test_the_signatorys_export_holds_the_contracts_they_sign_and_erasure_keeps_them():
    from models.privacy import erase_contact, export_contact

    ours = ClientContactFactory().contact
    contract = draft_contract(ours.client_links[0].client, client_signatory=ours)
    contract.action_send()
    contract.action_sign(str(ours))
    db.session.commit()
    [row] = export_contact(ours)["contract_signatures"]
    assert (row["number"], row["status"], row["signed_name"]) == (
        contract.number,
        "active",
        str(ours),
    )
    erase_contact(ours)
    db.session.commit()
    assert (contract.status, contract.client_signatory_id) == ("active", ours.id)


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"title": " "}, "title", "Title is required"),
        ({"contract_type": "barter"}, "contract_type", "Type must be one of"),
        ({"value": Decimal("-1")}, "value", "Value must be 0 to"),
        (
            {"end_date": date.today() - timedelta(days=1)},
            "end_date",
            "End date must be on or after",
        ),
        (
            {"auto_renew": True, "renewal_date": None},
            "renewal_date",
            "Auto-renewal needs a renewal date",
        ),
        ({"currency": "XXY"}, "currency", "ISO 4217"),
        ({"payment_terms": "whenever"}, "payment_terms", "Payment terms must be one of"),
    ],
)
def test_bad_content_is_refused_naming_the_field(fields, field, message):
    contract = draft_contract()
    with pytest.raises(ContractError, match=message) as refused:
        contract.action_update(None, **fields)
    assert refused.value.field == field


# ---------------------------------------------------------------- renewal and expiry


def _active(**fields) -> Contract:
    contract = draft_contract(**fields)
    contract.action_send()
    contract.action_sign("Ada Lovelace")
    db.session.commit()
    return contract


def test_renewal_notices_are_due_within_the_notice_days_once_per_renewal():
    soon = _active(start_date=date.today() - timedelta(days=340))  # renews in 25 days
    _active()  # renews in a year
    assert renewal_notices_due(days=30) == [soon]
    soon.renewal_notice_for = soon.renewal_date
    db.session.commit()
    assert renewal_notices_due(days=30) == []


def test_an_auto_renewing_contract_renews_by_its_term_and_keeps_a_version():
    start = date.today() - timedelta(days=365)
    contract = _active(start_date=start, auto_renew=True, renewal_term_months=12)
    renewal = contract.renewal_date
    assert renew_and_expire_contracts() == ([contract.id], [])
    db.session.commit()
    assert contract.status == "active"
    assert contract.renewal_date == add_months(renewal, 12)
    assert contract.versions[-1].note == "Renewed for 12 months"
    assert contract.versions[-1].diff().fields[0][0] == "End date"


def test_a_contract_past_its_end_without_auto_renewal_expires():
    contract = _active(start_date=date.today() - timedelta(days=400))
    assert renew_and_expire_contracts() == ([], [contract.id])
    assert contract.status == "expired"


def test_only_an_active_contract_is_terminated_and_the_reason_is_kept():
    contract = _active()
    with pytest.raises(ContractError, match="reason"):
        contract.action_terminate(None, "")
    contract.action_terminate(None, "Client closed its London office")
    assert (contract.status, contract.end_reason) == (
        "terminated",
        "Client closed its London office",
    )
    with pytest.raises(ContractStateError):
        contract.action_renew()


# ---------------------------------------------------------------- performance


def test_performance_counts_the_terms_placements_and_their_fees():
    client = ClientFactory()
    contract = _active(client=client, placements_target=4, value=Decimal("50000"))
    job: JobOrder = open_job_order(client=client, openings=3)
    for salary in (Decimal("100000"), Decimal("120000")):
        add_candidate(job, "offer").action_place(date.today(), salary)
    db.session.commit()
    outside = _active(client=ClientFactory())  # another client's contract sees none of them

    performance = contract.performance()
    assert (performance.placements, performance.placements_target) == (2, 4)
    assert performance.placements_percent == 50
    assert performance.fees == Decimal("50000.00")  # the job order's fixed fee, twice
    assert performance.fees_percent == 100
    assert outside.performance().placements == 0


# ---------------------------------------------------------------- what the review found


def test_lines_worth_more_than_the_value_raise_it_and_need_the_approvals():
    contract = draft_contract(value=Decimal("40000"))
    contract.add_line("contract staffing", "Twenty contractors", Decimal("10"), Decimal("900000"))
    assert contract.value == contract.total == Decimal("9000000.00")
    assert contract.approvals_needed == 2
    with pytest.raises(ContractStateError, match="must approve it before it is sent"):
        contract.action_send()
    with pytest.raises(ContractError, match=r"at least the lines' total \(USD 9,000,000.00\)"):
        contract.action_update(None, value=Decimal("0"))


@pytest.mark.parametrize("field", ["value", "discount_percent", "tax_rate"])
def test_not_a_number_is_refused_naming_the_field(field):
    contract = draft_contract()
    with pytest.raises(ContractError) as refused:
        contract.action_update(None, **{field: Decimal("NaN")})
    assert refused.value.field == field
    db.session.rollback()
    with pytest.raises(ContractError, match="Rate must be 0 to"):
        contract.add_line("contract staffing", "x", Decimal("1"), Decimal("NaN"))


def test_dates_past_the_last_year_are_refused_not_crashed_on():
    template = ContractTemplate(
        name="Long MSA", contract_type="master service agreement", terms="Terms", term_months=24
    )
    db.session.add(template)
    with pytest.raises(ContractError, match="before the year 9000") as refused:
        Contract.action_create_from_template(template, ClientFactory(), start_date=date(8999, 6, 1))
    assert refused.value.field == "start_date"
    db.session.rollback()
    with pytest.raises(ContractError, match="End date must be before the year 9000"):
        draft_contract(end_date=date(9999, 12, 31), renewal_date=None)


def test_an_approved_contract_changed_since_its_approval_is_not_sent():
    manager, admin = make_user("Account Manager"), make_user("Admin")
    contract = draft_contract(value=Decimal("80000"))
    contract.action_submit(manager)
    contract.action_approve(manager)
    contract.action_approve(admin)
    contract.version += 1  # a version recorded by a racing edit the approvers never saw
    with pytest.raises(ContractStateError, match="changed since it was approved"):
        contract.action_send(manager)


def test_one_contract_breaking_a_rule_does_not_stop_the_others_renewing():
    start = date.today() - timedelta(days=365)
    broken = _active(start_date=start, auto_renew=True)
    link = ClientContactFactory(client=broken.client)
    broken.client_signatory = link.contact
    db.session.commit()
    db.session.delete(link)  # the signatory left the client
    healthy = _active(start_date=start, auto_renew=True)
    db.session.commit()
    skipped = []
    renewed, _ = renew_and_expire_contracts(skipped=skipped)
    db.session.commit()
    assert renewed == [healthy.id]
    assert skipped[0][0] == broken.id and "is not a contact of" in skipped[0][1]
    assert healthy.renewal_date > date.today() and broken.renewal_date <= date.today()


def test_two_approvals_at_one_level_at_once_is_a_clear_conflict():
    from models.base import ConcurrentChangeError
    from models.contract_states import ContractApproval

    manager = make_user("Account Manager")
    contract = draft_contract(value=Decimal("80000"))
    contract.action_submit(manager)
    contract.action_approve(manager)
    db.session.commit()
    db.session.add(
        ContractApproval(contract_id=contract.id, level=1, version=1, approver_id=manager.id)
    )
    with pytest.raises(ConcurrentChangeError, match="reload the page and try again"):
        db.session.commit()
    db.session.rollback()
