"""The built-in email templates (models/template_library.py): valid, complete, renderable,
and loaded once whatever the number of loads."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from admin.commands import cli
from extensions import db
from models import EmailTemplate
from models.mail_context import template_context
from models.mail_templates import CATEGORIES, used_variables
from models.template_library import (
    BUILTIN_TEMPLATES,
    builtin_template,
    fingerprint,
    load_builtin_templates,
)
from models.template_texts import SIGNATURE
from tests.factories import (
    CandidateFactory,
    ClientContactFactory,
    ClientFactory,
    ContactFactory,
    JobOrderFactory,
    MilestoneFactory,
    ProjectFactory,
    draft_contract,
    issued_invoice,
    make_user,
    quote_with_lines,
)

# The keys other parts of the product (the default workflows) send by.
REQUIRED_KEYS = {
    "welcome-new-client",
    "welcome-portal-tour",
    "welcome-first-check-in",
    "milestone-completed",
    "project-completion-survey",
    "contract-renewal-outreach",
    "job-order-approved",
    "candidate-presented",
    "quote-follow-up-not-viewed",
    "invoice-overdue-reminder",
    "re-engagement-check-in",
}
# What each workflow trigger gives its template (models/workflow_triggers.py, helper C).
TRIGGER_RECORDS = {
    "welcome-new-client": set(),
    "welcome-portal-tour": set(),
    "welcome-first-check-in": set(),
    "re-engagement-check-in": set(),
    "job-order-approved": {"job_order"},
    "candidate-presented": {"job_order", "candidate"},
    "milestone-completed": {"project", "milestone"},
    "project-completion-survey": {"project", "survey"},
    "quote-follow-up-not-viewed": {"quote"},
    "invoice-overdue-reminder": {"invoice"},
    "contract-renewal-outreach": {"contract"},
}
IDS = [t["key"] for t in BUILTIN_TEMPLATES]


def _survey(**fields):
    """A stand-in for a survey (its model is another part's): what ``_survey`` reads."""
    values = {
        "title": "Project completion survey",
        "expires_at": datetime(2027, 3, 15, 23, 59, tzinfo=UTC),
        "questions": ["score", "liked", "improve"],
    }
    return SimpleNamespace(**{**values, **fields})


@pytest.fixture
def full_context(ctx):
    """A context with every variable, every attribute filled in."""
    client = ClientFactory(name="Harbourline Logistics Inc.", short_name="Harbourline")
    contact = ContactFactory(
        first_name="Maria", last_name="Lim", title="Head of Talent", department="People"
    )
    ClientContactFactory(client=client, contact=contact, role="primary")
    sender = make_user("Account Manager", first_name="Daniel", last_name="Ocampo")
    invoice = issued_invoice(client, on=date.today() - timedelta(days=40))
    quote = quote_with_lines(client)
    quote.action_send(sender)
    job = JobOrderFactory(client=client, title="Finance Manager", location="Makati")
    candidate = CandidateFactory(
        first_name="Ana", last_name="Cruz", current_company="Globe Freight", location="Pasig"
    )
    project = ProjectFactory(
        client=client,
        name="Finance team build-out",
        start_date=date.today() - timedelta(days=60),
        target_end_date=date.today() + timedelta(days=30),
    )
    milestone = MilestoneFactory(
        project=project,
        name="Shortlist for the controller role",
        due_date=date.today() - timedelta(days=1),
        completed_on=date.today() - timedelta(days=2),
    )
    MilestoneFactory(project=project, name="Offers accepted", due_date=date.today())
    contract = draft_contract(client, sender, auto_renew=True)
    db.session.commit()
    records = {
        "invoice": invoice,
        "quote": quote,
        "job_order": job,
        "candidate": candidate,
        "project": project,
        "milestone": milestone,
        "contract": contract,
        "survey": _survey(),
    }
    links = {"survey": "http://portal.test/survey/3f9a", "contract": "http://portal.test/sign/7"}
    return template_context(client, contact, sender, records, links)


@pytest.fixture
def sparse_context(ctx):
    """A context where every optional value is empty: no title, company, dates or milestones
    beyond what the models require (an invoice is mailed once issued, so it has its dates)."""
    client = ClientFactory(payment_term_label=None, payment_term_days=None)
    contact = ContactFactory(first_name="Jo")
    ClientContactFactory(client=client, contact=contact)
    records = {
        "invoice": issued_invoice(client),
        "quote": quote_with_lines(client),
        "job_order": JobOrderFactory(client=client, location=None, work_type=None),
        "candidate": CandidateFactory(current_title=None),
        "project": ProjectFactory(client=client),
        "contract": draft_contract(client, end_date=None, renewal_date=None),
        "survey": _survey(expires_at=None, questions=None),
    }
    records["milestone"] = MilestoneFactory(project=records["project"])
    db.session.commit()
    return template_context(client, contact, None, records)


# ---------------------------------------------------------------- the library


def test_the_library_has_at_least_thirty_templates_with_unique_keys():
    assert len(BUILTIN_TEMPLATES) >= 30
    assert len(set(IDS)) == len(IDS)


def test_every_category_has_at_least_three_templates():
    per_category = Counter(t["category"] for t in BUILTIN_TEMPLATES)
    assert set(per_category) == set(CATEGORIES)
    assert min(per_category.values()) >= 3, per_category


def test_the_keys_the_default_workflows_use_are_there():
    assert REQUIRED_KEYS <= set(IDS)


@pytest.mark.parametrize("key", sorted(TRIGGER_RECORDS))
def test_a_workflow_template_needs_only_what_its_trigger_gives(key):
    shipped = builtin_template(key)
    needs = used_variables(shipped["subject"], shipped["body"]) - {
        "client",
        "contact",
        "sender",
        "agency",
        "links",
    }
    assert needs <= TRIGGER_RECORDS[key]


def test_the_survey_templates_use_the_survey_link_and_the_expiry_date():
    body = builtin_template("project-completion-survey")["body"]
    assert "{{ links.survey }}" in body and "{{ survey.expires_on }}" in body


@pytest.mark.parametrize("shipped", BUILTIN_TEMPLATES, ids=IDS)
def test_every_builtin_template_passes_the_template_rules(ctx, shipped):
    assert EmailTemplate(**shipped).violations() == []


@pytest.mark.parametrize("shipped", BUILTIN_TEMPLATES, ids=IDS)
def test_every_builtin_template_greets_the_contact_and_is_signed(shipped):
    body = shipped["body"]
    assert re.match(r"(Dear|Hello) \{\{ contact\.first_name \}\},\n\n", body)
    assert body.endswith("\n" + SIGNATURE)
    assert shipped["description"] and len(shipped["description"]) <= 500


@pytest.mark.parametrize("shipped", BUILTIN_TEMPLATES, ids=IDS)
def test_every_builtin_template_is_plain_text_with_bare_links(shipped):
    body = shipped["body"]
    assert not re.search(r"<[a-z/]|\]\(|\*\*|https?://", body)  # links come from links.*
    assert "\n\n\n" not in body and not re.search(r"[ \t]\n", body)


# ---------------------------------------------------------------- rendering


@pytest.mark.parametrize("shipped", BUILTIN_TEMPLATES, ids=IDS)
def test_every_builtin_template_renders_with_a_full_context(full_context, shipped):
    subject, body = EmailTemplate(**shipped).render(full_context)
    for text in (subject, body):
        assert "{{" not in text and "{%" not in text and "None" not in text
    assert body.startswith(("Dear Maria,", "Hello Maria,"))
    assert body.endswith("Daniel Ocampo\nNorthstar Talent Partners")
    assert len(subject) <= 100 and len(body) <= 2000


@pytest.mark.parametrize("shipped", BUILTIN_TEMPLATES, ids=IDS)
def test_every_builtin_template_reads_well_without_the_optional_values(sparse_context, shipped):
    subject, body = EmailTemplate(**shipped).render(sparse_context)
    for text in (subject, body):
        assert "None" not in text
        assert not re.search(r" [,.;:)]|\( |\(\)|  |: +(\n|$)", text), text


def test_a_link_stands_on_its_own_paragraph(full_context):
    _subject, body = EmailTemplate(**builtin_template("invoice-issued")).render(full_context)
    invoice_id = re.search(r"/portal/invoices/(\d+)", body).group(1)
    assert f"\n\nhttp://portal.test/portal/invoices/{invoice_id}\n\n" in body


def test_the_renewal_outreach_says_whether_the_contract_renews_by_itself(full_context):
    shipped = builtin_template("contract-renewal-outreach")
    _subject, body = EmailTemplate(**shipped).render(full_context)
    assert "renews automatically" in body
    manual = {
        **full_context,
        "contract": {**full_context["contract"], "renews_automatically": "no"},
    }
    _subject, body = EmailTemplate(**shipped).render(manual)
    assert "does not renew automatically" in body


def test_overdue_notices_count_one_day_in_the_singular(full_context):
    one_day = {**full_context, "invoice": {**full_context["invoice"], "days_overdue": 1}}
    subject, _body = EmailTemplate(**builtin_template("collection-first-notice")).render(one_day)
    assert subject.endswith("is 1 day overdue")


# ---------------------------------------------------------------- loading


def _count() -> int:
    return db.session.scalar(select(func.count(EmailTemplate.id)))


def test_loading_creates_every_builtin_template_marked_builtin(ctx):
    loaded = load_builtin_templates(db.session)
    db.session.commit()
    assert loaded == (len(BUILTIN_TEMPLATES), 0, 0)
    templates = db.session.scalars(select(EmailTemplate)).all()
    assert sorted(t.key for t in templates) == sorted(IDS)
    assert all(t.builtin and t.active for t in templates)


def test_loading_twice_creates_nothing_the_second_time(ctx):
    load_builtin_templates(db.session)
    db.session.commit()
    stamps = {t.key: t.updated_at for t in db.session.scalars(select(EmailTemplate))}

    loaded = load_builtin_templates(db.session)
    db.session.commit()

    assert loaded == (0, 0, len(BUILTIN_TEMPLATES))
    assert _count() == len(BUILTIN_TEMPLATES)
    assert {t.key: t.updated_at for t in db.session.scalars(select(EmailTemplate))} == stamps


def test_an_edited_builtin_template_survives_a_reload(ctx):
    load_builtin_templates(db.session)
    template = EmailTemplate.by_key("invoice-issued")
    template.body = "Dear {{ contact.first_name }},\n\nOur own wording.\n\n{{ sender.full_name }}"
    template.active = False
    db.session.commit()

    loaded = load_builtin_templates(db.session)
    db.session.commit()

    assert loaded.created == loaded.updated == 0
    db.session.expire_all()
    template = EmailTemplate.by_key("invoice-issued")
    assert "Our own wording." in template.body and not template.active


def test_a_user_template_under_a_builtin_key_is_never_overwritten(ctx):
    mine = EmailTemplate(
        key="holiday-greeting",
        name="Our greeting",
        category="follow_ups",
        subject="Greetings",
        body="Dear {{ contact.first_name }},\n\nHappy holidays.",
    )
    db.session.add(mine)
    db.session.commit()

    loaded = load_builtin_templates(db.session)
    db.session.commit()

    assert loaded.kept == 1 and _count() == len(BUILTIN_TEMPLATES)
    assert EmailTemplate.by_key("holiday-greeting").body.endswith("Happy holidays.")


def test_an_untouched_copy_of_an_earlier_shipped_text_gets_the_new_text(ctx, monkeypatch):
    load_builtin_templates(db.session)
    template = EmailTemplate.by_key("welcome-portal-tour")
    template.subject = "Your portal (as shipped last year)"
    db.session.commit()
    monkeypatch.setattr(
        "models.template_library.SHIPPED_BEFORE",
        {"welcome-portal-tour": frozenset({fingerprint(template)})},
    )

    loaded = load_builtin_templates(db.session)
    db.session.commit()

    assert (loaded.created, loaded.updated) == (0, 1)
    assert (
        EmailTemplate.by_key("welcome-portal-tour").subject
        == (builtin_template("welcome-portal-tour")["subject"])
    )


def test_a_deleted_builtin_template_comes_back_on_the_next_load(ctx):
    load_builtin_templates(db.session)
    db.session.delete(EmailTemplate.by_key("holiday-greeting"))
    db.session.commit()

    assert load_builtin_templates(db.session).created == 1
    db.session.commit()
    assert _count() == len(BUILTIN_TEMPLATES)


def test_the_command_prints_what_it_did(app):
    runner = app.test_cli_runner()
    first = runner.invoke(cli, ["load-templates"])
    assert first.exit_code == 0, first.output
    total = len(BUILTIN_TEMPLATES)
    assert f"{total} built-in email templates: {total} created, 0 updated" in first.output

    again = runner.invoke(cli, ["load-templates"])
    assert f"0 created, 0 updated to the new text, {total} kept as they were." in again.output
    with app.app_context():
        assert _count() == total
