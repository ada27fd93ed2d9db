"""Factories for the domain's records (factory_boy), committed through the app's session."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import factory
from flask import current_app

from extensions import db
from models import (
    Application,
    Candidate,
    Client,
    ClientContact,
    Contact,
    Contract,
    EmailTemplate,
    ExchangeRate,
    Industry,
    Invoice,
    JobOrder,
    Location,
    Milestone,
    Offer,
    Project,
    Quote,
    Tag,
)

PASSWORD = "Test-Passw0rd-2026!"


class _Base(factory.alchemy.SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "commit"


class IndustryFactory(_Base):
    class Meta:
        model = Industry

    name = factory.Sequence(lambda n: f"Industry {n}")


class TagFactory(_Base):
    class Meta:
        model = Tag

    name = factory.Sequence(lambda n: f"tag-{n}")


class ClientFactory(_Base):
    class Meta:
        model = Client

    name = factory.Sequence(lambda n: f"Client Company {n}")
    short_name = factory.Sequence(lambda n: f"CC{n}")
    status = "active"
    location = "Local"
    currency = "PHP"
    payment_term_label = "Net"
    payment_term_days = 30


class ContactFactory(_Base):
    class Meta:
        model = Contact

    first_name = factory.Sequence(lambda n: f"Pat{n}")
    last_name = "Reyes"
    email = factory.Sequence(lambda n: f"contact{n}@example.test")


class ClientContactFactory(_Base):
    class Meta:
        model = ClientContact

    client = factory.SubFactory(ClientFactory)
    contact = factory.SubFactory(ContactFactory)
    role = "secondary"


class LocationFactory(_Base):
    class Meta:
        model = Location

    client = factory.SubFactory(ClientFactory)
    kind = "billing"
    address_line1 = "12 Ayala Avenue"
    city = "Makati"
    country = "PH"


class ProjectFactory(_Base):
    class Meta:
        model = Project

    client = factory.SubFactory(ClientFactory)
    name = factory.Sequence(lambda n: f"Engineering build-out {n}")
    status = "active"
    currency = "USD"


class MilestoneFactory(_Base):
    class Meta:
        model = Milestone

    project = factory.SubFactory(ProjectFactory)
    name = factory.Sequence(lambda n: f"Milestone {n}")


class JobOrderFactory(_Base):
    """A draft job order with the seed's example terms (a fixed fee of 75,000)."""

    class Meta:
        model = JobOrder

    client = factory.SubFactory(ClientFactory)
    title = factory.Sequence(lambda n: f"VP of Engineering {n}")
    department = "Technology"
    level = "executive"
    description = "Lead engineering team of 50+ developers"
    requirements = "10+ years experience\nTeam leadership\nStartup experience"
    location = "San Francisco, CA"
    work_type = "hybrid"
    fee_type = "fixed"
    fee = factory.LazyFunction(lambda: Decimal("25000.00"))
    currency = "USD"
    timeline_days = 60
    replacement_guarantee_days = 180
    payment_terms = "net_15"
    urgency = "high"
    quality_level = "premium"
    cultural_fit = "critical"


class CandidateFactory(_Base):
    class Meta:
        model = Candidate

    first_name = factory.Sequence(lambda n: f"Cand{n}")
    last_name = "Santos"
    email = factory.Sequence(lambda n: f"candidate{n}@people.test")
    current_title = "Senior Engineer"


def open_job_order(
    job: JobOrder | None = None, recruiter=None, approver=None, **fields
) -> JobOrder:
    """A job order taken through submit, approval and open, as staff would (committed)."""
    job = job or JobOrderFactory(**fields)
    recruiter = recruiter or make_user("Recruiter")
    approver = approver or make_user("Account Manager")
    job.action_submit()
    job.action_approve(approver, recruiters=[recruiter])
    job.action_open(approver)
    db.session.commit()
    return job


def add_candidate(job: JobOrder, stage: str = "sourced", candidate=None, by=None) -> Application:
    """A candidate in ``job``'s pipeline at ``stage`` (committed)."""
    application = Application.action_add(job, candidate or CandidateFactory(), by=by, stage=stage)
    db.session.commit()
    return application


def make_user(role: str, username: str | None = None, password: str = PASSWORD, **names):
    """A FAB user holding ``role`` (one of the roles in admin/roles.py)."""
    sm = current_app.appbuilder.sm
    username = username or f"{role.lower().replace(' ', '-')}-{_counter()}"
    user = sm.add_user(
        username=username,
        first_name=names.get("first_name", role.split()[0]),
        last_name=names.get("last_name", "User"),
        email=names.get("email", f"{username}@agency.test"),
        role=sm.find_role(role),
        password=password,
    )
    assert user, f"could not create user {username}"
    return user


def make_portal_user(link: ClientContact, password: str = PASSWORD, areas=("hiring",)):
    """A Client-role login for the contact of ``link``, with portal access to its client."""
    user = make_user(
        "Client",
        username=link.contact.email,
        password=password,
        first_name=link.contact.first_name,
        last_name=link.contact.last_name,
        email=link.contact.email,
    )
    link.contact.user = user
    link.portal_enabled = True
    link.action_set_areas(list(areas))
    db.session.commit()
    return user


def quote_with_lines(client: Client | None = None, by=None, **fields) -> Quote:
    """A draft quote with the seed's two lines (a retained search and three contingency
    hires), 10% off and 12% tax (committed)."""
    quote = Quote.action_create(
        client or ClientFactory(),
        by=by,
        title=fields.pop("title", "Executive search, 2027"),
        currency=fields.pop("currency", "USD"),
        valid_until=fields.pop("valid_until", date.today() + timedelta(days=30)),
        discount_percent=fields.pop("discount_percent", Decimal("10")),
        tax_rate=fields.pop("tax_rate", Decimal("12")),
        payment_terms=fields.pop("payment_terms", "net_30"),
        replacement_guarantee_days=fields.pop("replacement_guarantee_days", 90),
        terms=fields.pop("terms", "Fees are due on the candidate's start date."),
        **fields,
    )
    quote.add_line(
        "retained executive search", "VP of Engineering search", Decimal("1"), Decimal("75000")
    )
    quote.add_line("contingency recruitment", "Senior engineers", Decimal("3"), Decimal("12500.50"))
    db.session.commit()
    return quote


def accepted_quote(client: Client | None = None, by=None, **fields) -> Quote:
    """``quote_with_lines`` sent, then accepted by a contact of its client (committed)."""
    quote = quote_with_lines(client, by=by, **fields)
    quote.action_send(by)
    link = ClientContactFactory(client=quote.client)
    quote.action_accept(
        f"{link.contact.first_name} {link.contact.last_name}", "203.0.113.9", link.contact
    )
    db.session.commit()
    return quote


def draft_contract(client: Client | None = None, by=None, **fields) -> Contract:
    """A draft project contract starting today for a year (committed)."""
    start = fields.pop("start_date", date.today())
    contract = Contract.action_create(
        client or ClientFactory(),
        by,
        title=fields.pop("title", "Engineering hiring programme"),
        contract_type=fields.pop("contract_type", "project"),
        value=fields.pop("value", Decimal("40000")),
        start_date=start,
        end_date=fields.pop("end_date", start + timedelta(days=364)),
        renewal_date=fields.pop("renewal_date", start + timedelta(days=365)),
        terms=fields.pop("terms", "Placements are guaranteed for 90 days."),
        **fields,
    )
    db.session.commit()
    return contract


def draft_offer(job: JobOrder | None = None, by=None, **terms) -> Offer:
    """A draft offer to a candidate at the client-interview stage of an open job order whose
    salary range is 90,000 to 120,000 USD (committed)."""
    job = job or open_job_order(salary_min=Decimal("90000"), salary_max=Decimal("120000"))
    application = add_candidate(job, stage="client_interview")
    terms.setdefault("base_salary", Decimal("110000"))
    terms.setdefault("bonus", Decimal("10000"))
    terms.setdefault("start_date", date.today() + timedelta(days=45))
    offer = Offer.action_create(application, by, **terms)
    db.session.commit()
    return offer


def draft_invoice(client: Client | None = None, by=None, lines=None, **fields) -> Invoice:
    """A draft invoice with one 20% placement fee on a salary of 100,000 (20,000), unless
    ``lines`` gives ``(description, unit_price)`` pairs; committed. The factory's client is
    Local, pays in PHP at Net 30, so VAT_RATE (12%) applies."""
    invoice = Invoice.draft_for(client or ClientFactory(), by, **fields)
    if lines is None:
        invoice.add_line(
            "Placement fee: 20% of the annual salary",
            Decimal("100000"),
            kind="placement_fee",
            percent=Decimal("20"),
        )
    for description, price in lines or ():
        invoice.add_line(description, Decimal(str(price)))
    db.session.commit()
    return invoice


RATES = {"PHP": Decimal("0.0175"), "EUR": Decimal("1.08"), "GBP": Decimal("1.27")}


def known_rates(day: date = date(2000, 1, 1)) -> None:
    """Exchange rates to USD for PHP, EUR and GBP from ``day`` on (committed; once)."""
    for currency, rate in RATES.items():
        if not db.session.query(ExchangeRate).filter_by(currency=currency, day=day).count():
            db.session.add(ExchangeRate(currency=currency, day=day, rate=rate))
    db.session.commit()


def issued_invoice(client: Client | None = None, by=None, on: date | None = None, **fields):
    """``draft_invoice`` issued on ``on`` (today by default), with ``known_rates``; committed."""
    known_rates()
    invoice = draft_invoice(client, by, **fields)
    invoice.issue(by, today=on)
    db.session.commit()
    return invoice


_count = [0]


def _counter() -> int:
    _count[0] += 1
    return _count[0]


# ---------------------------------------------------------------- communication: workflows


class EmailTemplateFactory(_Base):
    """An active template using only the client and the contact (any trigger may use it)."""

    class Meta:
        model = EmailTemplate

    key = factory.Sequence(lambda n: f"template-{n}")
    name = factory.Sequence(lambda n: f"Template {n}")
    category = "follow_ups"
    subject = "Hello from us, {{ client.name }}"
    body = "Dear {{ contact.first_name }},\n\nThank you for your trust.\n\n{{ sender.full_name }}"
    active = True


def make_workflow(trigger: str, *steps, days: int | None = None, active_since=None, **fields):
    """A workflow on ``trigger`` with ``steps`` (templates, or (template, role, days, hours)
    tuples; one plain template step when none), active since ``active_since`` (a datetime;
    now by default; ``False`` leaves it paused, never activated). Committed."""
    from models import Workflow
    from models.base import utcnow

    workflow = Workflow(
        name=fields.pop("name", f"Workflow {_counter()}"), trigger=trigger, trigger_days=days,
        **fields,
    )
    for step in steps or (EmailTemplateFactory(),):
        step = step if isinstance(step, tuple) else (step,)
        defaults = (None, "primary", 0, 0)
        workflow.add_step(*step, *defaults[len(step) :])
    db.session.add(workflow)
    if active_since is not False:
        workflow.action_activate(None, now=active_since or utcnow())
    db.session.commit()
    return workflow
