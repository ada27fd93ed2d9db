"""The demo agency's commercial work: contract templates for the four types, a quote accepted
in the portal and converted to a contract, a signed master service agreement coming up for
renewal, a retained search contract waiting for its second approval, and offers to candidates
with their negotiation rounds.

Called by ``load_demo()`` (admin/demo.py) inside its transaction, after the recruiting data;
like it, safe to run again: a template is found by name, a quote or a contract by (client,
title), an offer by its application, and nothing that exists is changed. Everything goes
through the model verbs, so the timelines, versions and approvals read as if staff did it.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from extensions import db
from models import (
    Application,
    Candidate,
    Client,
    Contract,
    ContractTemplate,
    JobOrder,
    Offer,
    Quote,
    utcnow,
)
from models.contracts import add_months

# fmt: off
# (name, type, tier, payment terms, term in months, auto-renew, guarantee days, terms)
TEMPLATES = (
    ("Master service agreement — key accounts", "master service agreement", "enterprise",
     "net_30", 12, True, 90,
     "This agreement governs every recruitment service {agency} provides to {client} during "
     "its term; each search or campaign is agreed in a statement of work that refers to it.\n"
     "Fees are those of the statement of work or, where it names none, {agency}'s rate card in "
     "force on the day the work is ordered.\n"
     "{agency} keeps every candidate's personal data confidential and processes it only to "
     "provide the services, under the Data Privacy Act of 2012.\n"
     "{client} does not solicit {agency}'s staff during the term and for six months after it.\n"
     "Either party may end this agreement with 60 days' written notice; statements of work "
     "already signed run to their end."),
    ("Project agreement — standard", "project", "standard", "net_30", 6, False, 60,
     "{agency} delivers the hiring project described above for {client}, with the milestones "
     "and reporting agreed at kick-off.\n"
     "Project fees are invoiced monthly in arrears, against the milestones reached.\n"
     "A change of scope (more roles, new locations) is agreed in writing and priced before "
     "work on it starts.\n"
     "Either party may end the project with 30 days' written notice; work done to that date "
     "is invoiced."),
    ("Retained executive search", "retained search", "executive", "net_15", 6, False, 180,
     "{client} retains {agency} exclusively for the search described above.\n"
     "The retainer is paid in three equal stages: on signature, on presentation of the "
     "shortlist, and on the appointed candidate's acceptance of an offer.\n"
     "The search includes market mapping, a shortlist of three to five assessed candidates, "
     "referencing and offer negotiation.\n"
     "Retainer stages already invoiced are not refunded if {client} cancels or suspends the "
     "search."),
    ("Contingency recruitment — standard", "contingency", "standard", "net_30", 12, True, 90,
     "{agency} introduces candidates to {client}; a fee is due only for a candidate who "
     "accepts an offer within 12 months of being introduced.\n"
     "The fee is the percentage of the candidate's first-year base salary stated above, "
     "invoiced on their start date.\n"
     "An introduction is valid when {agency} sent the candidate's profile first; a candidate "
     "{client} already knew must be declined within 48 hours.\n"
     "Candidates' details are shared for this recruitment only and are not passed on."),
)

QUOTE_TITLE = "Cabuyao plant leadership hiring"
# (service, description, quantity, rate) in the client's currency (PHP)
QUOTE_LINES = (
    ("retained executive search", "Plant Operations Manager: retained search", 1, "480000"),
    ("contingency recruitment", "Quality Assurance Lead: contingency, 18% of base", 1, "270000"),
    ("volume recruitment", "Line supervisors, Cabuyao plant: per hire", 12, "35000"),
)
RENEWING_TITLE = "Contact-centre hiring: master service agreement"
APPROVAL_TITLE = "VP of Engineering: retained search"

# (candidate email, job title, [(proposed by, days ago, note, changes)], extended): an extended
# offer went out at round 1 and the latest round went out again after the counter-offers; the
# other is a draft the client revised before it goes out.
OFFERS = (
    ("kevin.ong@people.example", "Hub Operations Manager", (
        ("agency", 9, "Opening offer at the middle of the range",
         {"base_salary": "138000", "bonus": "15000", "start_date": 45,
          "benefits": "Medical and dental cover\n18 days' annual leave\nRelocation support to "
                      "Manila",
          "terms": "Subject to satisfactory references.\nThree months' probation."}),
        ("candidate", 6, "Kevin asks for more base: a competing offer at SGD 155k",
         {"base_salary": "155000"}),
        ("client", 3, "Merlion meets him near the top of the range, with a larger bonus",
         {"base_salary": "148000", "bonus": "20000"}),
    ), True),
    ("ana.villar@people.example", "Plant Operations Manager", (
        ("agency", 5, "Draft for Bayanihan's review",
         {"base_salary": "2200000", "bonus": "250000", "start_date": 60,
          "benefits": "HMO for the employee and two dependants\nCompany car\n15 days' leave"}),
        ("client", 2, "Bayanihan prefers a higher base and a smaller bonus",
         {"base_salary": "2300000", "bonus": "150000"}),
    ), False),
)
# fmt: on


def load_commercial(staff: dict, count) -> None:
    """Add the demo's commercial records that are missing (the caller commits)."""
    manager, admin = staff["Account Manager"], staff["Admin"]
    clients = {c.short_name: c for c in db.session.scalars(select(Client)).unique()}
    templates = {row[1]: _template(row, count) for row in TEMPLATES}
    _converted_quote(clients["BAYANIHAN"], manager, count)
    _renewing_contract(
        clients["KALAYAAN"], templates["master service agreement"], manager, admin, count
    )
    _contract_in_approval(clients["HARBOURSIDE"], templates["retained search"], manager, count)
    for email, job_title, rounds, extend in OFFERS:
        _offer(email, job_title, rounds, extend, manager, count)


def _template(row, count) -> ContractTemplate:
    name, kind, tier, payment_terms, months, auto_renew, guarantee, terms = row
    template = db.session.scalar(select(ContractTemplate).where(ContractTemplate.name == name))
    if template is None:
        template = ContractTemplate(
            name=name,
            contract_type=kind,
            tier=tier,
            payment_terms=payment_terms,
            term_months=months,
            auto_renew=auto_renew,
            replacement_guarantee_days=guarantee,
            terms=terms,
        )
        template.validate()
        db.session.add(template)
        count("contract templates")
    return template


def _find(model, client: Client, title: str):
    return db.session.scalar(
        select(model).where(model.client_id == client.id, model.title == title).limit(1)
    )


def _converted_quote(client: Client, manager, count) -> None:
    """A quote sent to Bayanihan, accepted in the portal by its HR director, and converted to
    a draft contract (above the approval limit: it waits to be submitted)."""
    if _find(Quote, client, QUOTE_TITLE) is not None:
        return
    quote = Quote.action_create(
        client,
        manager,
        title=QUOTE_TITLE,
        currency=client.currency,
        valid_until=date.today() + timedelta(days=30),
        discount_percent=Decimal("5"),
        tax_rate=Decimal("12"),
        payment_terms="net_30",
        replacement_guarantee_days=90,
        start_within_days=7,
        terms="Fees are invoiced on each candidate's start date.\n"
        "Volume hires are invoiced monthly for the supervisors who started that month.",
    )
    for service, description, quantity, rate in QUOTE_LINES:
        quote.add_line(service, description, Decimal(quantity), Decimal(rate))
    quote.action_send(manager)
    signatory = client.primary_contact
    quote.action_mark_viewed()
    quote.action_accept(f"{signatory.first_name} {signatory.last_name}", "203.0.113.24", signatory)
    Contract.action_convert_quote(quote, manager)
    count("quotes")
    count("contracts")


def _renewing_contract(client: Client, template, manager, admin, count) -> None:
    """Kalayaan's master service agreement, signed a year ago, renewing in 20 days."""
    if _find(Contract, client, RENEWING_TITLE) is not None:
        return
    renews_on = date.today() + timedelta(days=20)
    start = add_months(renews_on, -template.term_months)
    contract = Contract.action_create_from_template(
        template,
        client,
        manager,
        title=RENEWING_TITLE,
        start_date=start,
        value=Decimal("185000"),
        placements_target=40,
        client_signatory=client.primary_contact,
        owner=manager,
    )
    if contract.approvals_needed:  # above CONTRACT_APPROVAL_VALUE (as by default)
        contract.action_submit(manager)
        contract.action_approve(manager, "Same terms as last year's agreement.")
        contract.action_approve(admin)
    contract.action_send(manager)
    signatory = client.primary_contact
    contract.action_sign(f"{signatory.first_name} {signatory.last_name}", on=start)
    contract.sent_at = contract.signed_at - timedelta(days=3)  # sent before it was signed
    count("contracts")


def _contract_in_approval(client: Client, template, manager, count) -> None:
    """Harbourside's retained search for its VP of Engineering, above the approval limit:
    the Account Manager approved it, an Admin has yet to."""
    if _find(Contract, client, APPROVAL_TITLE) is not None:
        return
    contract = Contract.action_create_from_template(
        template,
        client,
        manager,
        title=APPROVAL_TITLE,
        value=Decimal("75000"),
        placements_target=1,
        client_signatory=client.primary_contact,
    )
    contract.add_line(
        "retained executive search",
        "VP of Engineering: retained search, three stages",
        Decimal("1"),
        Decimal("75000"),
    )
    contract.action_record_version(manager, "Retainer line added")
    if contract.approvals_needed:  # above CONTRACT_APPROVAL_VALUE (as by default)
        contract.action_submit(manager)
        contract.action_approve(manager, "Fee agreed with Oliver Bennett on our call.")
    count("contracts")


def _offer(email: str, job_title: str, rounds, extend: bool, manager, count) -> None:
    application = db.session.scalar(
        select(Application)
        .join(Candidate, Application.candidate_id == Candidate.id)
        .join(JobOrder, Application.job_order_id == JobOrder.id)
        .where(Candidate.email == email, JobOrder.title == job_title)
    )
    if application is None:
        return  # the recruiting demo was changed by hand
    exists = db.session.scalar(select(Offer.id).where(Offer.application_id == application.id))
    if exists is not None:
        return
    (_, _, first_note, first_terms), *counters = rounds
    offer = Offer.action_create(application, manager, first_note, **_terms(first_terms))
    if extend:
        offer.action_extend(manager, date.today() + timedelta(days=5))
    for proposer, _, note, changes in counters:
        offer.action_propose(proposer, manager, note, **_terms(changes))
    if extend:
        offer.action_extend(manager, date.today() + timedelta(days=5))
    now = utcnow()
    for round_, (_, days_ago, _, _) in zip(offer.rounds, rounds, strict=True):
        round_.at = now - timedelta(days=days_ago)
    count("offers")


def _terms(changes: dict) -> dict:
    """Round terms from the table: amounts as Decimal, the start date in days from today."""
    terms = dict(changes)
    for key in ("base_salary", "bonus"):
        if key in terms:
            terms[key] = Decimal(terms[key])
    if "start_date" in terms:
        terms["start_date"] = date.today() + timedelta(days=terms["start_date"])
    return terms
