"""Onboarding plans: made from a template's steps with chained due dates, one active plan per
client, step verbs on the timeline moving the progress, the client's view of it, overdue
steps, and the default template of seed 003."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from extensions import db
from models import (
    Activity,
    OnboardingError,
    OnboardingPlan,
    OnboardingStateError,
    OnboardingTemplate,
    OnboardingTemplateStep,
)
from models.onboarding import overdue_step_ids
from models.onboarding_templates import DEFAULT_TEMPLATE_NAME, OWNER_ROLES, seed_default_template
from tests.factories import ClientFactory, accepted_quote, draft_contract, make_user

pytestmark = pytest.mark.usefixtures("ctx")

START = date(2026, 1, 5)


def small_template(**fields) -> OnboardingTemplate:
    template = OnboardingTemplate(name=fields.pop("name", "Small"), **fields)
    for position, (name, days, visible) in enumerate(
        (("Qualify", 2, False), ("Propose", 3, True), ("Go live", 5, True)), start=1
    ):
        template.steps.append(
            OnboardingTemplateStep(
                position=position,
                name=name,
                owner_role="Account Manager",
                duration_days=days,
                client_visible=visible,
                checklist="Budget range\nTimeline" if position == 1 else None,
                deliverables="Form\nNotes",
            )
        )
    db.session.add(template)
    db.session.commit()
    return template


def start(client=None, template=None, **kw) -> OnboardingPlan:
    plan = OnboardingPlan.start(
        client or ClientFactory(), template or small_template(), kw.get("by"), START
    )
    db.session.commit()
    return plan


def test_a_plan_copies_the_templates_steps_with_due_dates_chained_from_the_start():
    plan = start()
    assert [s.name for s in plan.steps] == ["Qualify", "Propose", "Go live"]
    assert [s.due_date for s in plan.steps] == [
        START + timedelta(days=2),
        START + timedelta(days=5),
        START + timedelta(days=10),
    ]
    assert plan.target_end == START + timedelta(days=10)
    assert plan.steps[0].checklist == [
        {"item": "Budget range", "done": False},
        {"item": "Timeline", "done": False},
    ]
    assert plan.steps[0].deliverable_list == ["Form", "Notes"]
    assert {s.status for s in plan.steps} == {"pending"} and plan.progress == 0


def test_a_client_has_at_most_one_active_plan():
    plan = start()
    with pytest.raises(OnboardingStateError) as error:
        OnboardingPlan.start(plan.client, plan.template, None, START)
    assert error.value.status_code == 409 and "under way already" in error.value.message


def test_a_cancelled_plan_lets_the_client_be_onboarded_again():
    plan = start()
    plan.action_cancel()
    db.session.commit()
    again = OnboardingPlan.start(plan.client, plan.template, None, START)
    db.session.commit()
    assert again.id != plan.id and again.status == "active"


def test_completing_and_skipping_steps_moves_the_progress_and_completes_the_plan():
    plan = start()
    first, second, third = plan.steps
    first.action_start()
    assert first.status == "in_progress" and plan.progress == 0
    first.action_complete()
    assert plan.progress == 33
    second.action_skip()
    assert plan.progress == 67 and plan.status == "active"
    third.action_complete()
    db.session.commit()
    assert plan.progress == 100 and plan.status == "completed" and plan.completed_at


def test_reopening_a_step_makes_a_completed_plan_active_again():
    plan = start()
    for step in plan.steps:
        step.action_complete()
    plan.steps[1].action_reopen()
    db.session.commit()
    assert plan.steps[1].status == "in_progress" and plan.status == "active"
    assert plan.progress == 67


@pytest.mark.parametrize(
    "status, verb",
    [
        ("in_progress", "action_start"),
        ("done", "action_complete"),
        ("done", "action_skip"),
        ("pending", "action_reopen"),
    ],
)
def test_a_verb_the_steps_status_does_not_allow_is_a_409(status, verb):
    plan = start()
    step = plan.steps[0]
    if status == "in_progress":
        step.action_start()
    elif status == "done":
        step.action_complete()
    with pytest.raises(OnboardingStateError) as error:
        getattr(step, verb)()
    assert error.value.status_code == 409 and error.value.field == "status"


def test_each_step_change_is_on_the_clients_timeline():
    by = make_user("Account Manager")
    plan = start(by=by)
    plan.steps[0].action_complete(by)
    db.session.commit()
    events = db.session.scalars(
        select(Activity).where(Activity.kind == "onboarding").order_by(Activity.id)
    ).all()
    assert [e.summary for e in events] == [
        "Onboarding started from 'Small': 3 steps, target go-live 15 Jan 2026",
        "Onboarding step 'Qualify' done (33% complete)",
    ]
    assert {(e.client_id, e.subject_type, e.subject_id, e.actor_id) for e in events} == {
        (plan.client_id, "onboarding_plan", plan.id, by.id)
    }


def test_the_client_sees_the_progress_of_its_visible_steps_only():
    plan = start()
    plan.steps[0].action_complete()  # not client-visible
    assert plan.progress == 33 and plan.client_progress == 0
    plan.steps[1].action_complete()
    assert [s.name for s in plan.client_steps] == ["Propose", "Go live"]
    assert plan.client_progress == 50


def test_the_step_owner_is_the_assignee_else_the_clients_owner_else_its_manager():
    owner, manager, assignee = (make_user("Account Manager") for _ in range(3))
    plan = start(ClientFactory(owner=owner, engagement_manager=manager))
    step = plan.steps[0]
    assert step.owner == owner
    plan.client.owner = None
    assert step.owner == manager
    step.action_assign(assignee)
    assert step.owner == assignee


def test_overdue_steps_are_the_open_ones_past_their_due_date_not_notified():
    plan = start()
    today = START + timedelta(days=6)  # Qualify (due +2) and Propose (due +5) are late
    plan.steps[1].action_skip()
    db.session.commit()
    assert overdue_step_ids(db.session, today) == [plan.steps[0].id]
    assert plan.steps[0].is_overdue(today) and not plan.steps[2].is_overdue(today)


def test_the_proposal_step_links_the_clients_quote_and_contract():
    client = ClientFactory()
    quote = accepted_quote(client)
    contract = draft_contract(client)
    plan = OnboardingPlan.start(client, seed_default_template(db.session), None, START)
    db.session.commit()
    proposal = next(s for s in plan.steps if s.name == "Proposal and agreement")
    assert (proposal.quote, proposal.contract) == (quote, contract)
    assert all(s.quote is None for s in plan.steps if s is not proposal)


def test_without_a_template_the_default_one_is_seeded_and_used():
    plan = OnboardingPlan.start(ClientFactory(), None, None, START)
    db.session.commit()
    assert plan.template.name == DEFAULT_TEMPLATE_NAME
    names = [s.name for s in plan.steps]
    assert names[0] == "Lead capture and qualification" and names[-1] == "Go-live"
    assert [n for n in names if n.startswith("Implementation week")] == [
        "Implementation week 1: foundation setup",
        "Implementation week 2: automation",
        "Implementation week 3: advanced features",
        "Implementation week 4: testing and optimization",
    ]
    assert {s.owner_role for s in plan.steps} == set(OWNER_ROLES)
    assert [c["item"] for c in plan.steps[0].checklist] == [
        "Company size and industry",
        "Current pain points",
        "Budget range",
        "Decision-making authority",
        "Timeline for implementation",
    ]


def test_seeding_the_default_template_twice_adds_it_once():
    seed_default_template(db.session)
    seed_default_template(db.session)
    db.session.commit()
    assert db.session.query(OnboardingTemplate).count() == 1


def test_a_template_without_steps_or_inactive_is_refused():
    empty = OnboardingTemplate(name="Empty")
    db.session.add(empty)
    db.session.commit()
    with pytest.raises(OnboardingError, match="has no step"):
        OnboardingPlan.start(ClientFactory(), empty, None, START)
    off = small_template(name="Off", active=False)
    with pytest.raises(OnboardingError, match="not active"):
        OnboardingPlan.start(ClientFactory(), off, None, START)


def test_a_template_step_needs_a_known_owner_role_and_a_duration():
    step = OnboardingTemplateStep(name="X", owner_role="Wizard", duration_days=-1)
    assert {e.field for e in step.violations()} == {"owner_role", "duration_days"}


def test_ticking_a_checklist_item_keeps_it():
    plan = start()
    plan.steps[0].action_tick(1, True)
    db.session.commit()
    db.session.expire_all()
    assert [c["done"] for c in db.session.get(OnboardingPlan, plan.id).steps[0].checklist] == [
        False,
        True,
    ]


def test_two_onboardings_at_once_the_second_is_a_409_from_the_unique_index(monkeypatch):
    """Both pass the check before either is written: the partial unique index decides."""
    from models.base import ConcurrentChangeError

    plan = start()
    monkeypatch.setattr(OnboardingPlan, "active_for", staticmethod(lambda *args: None))
    with pytest.raises(ConcurrentChangeError) as error:
        OnboardingPlan.start(plan.client, plan.template, None, START)
    assert error.value.status_code == 409
    db.session.rollback()
    assert db.session.query(OnboardingPlan).count() == 1
