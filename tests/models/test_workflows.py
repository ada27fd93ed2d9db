"""Workflow rules and verbs, and the shipped workflows' loader."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from extensions import db
from models import Workflow, WorkflowError, utcnow
from models.workflow_defaults import DEFAULT_WORKFLOWS, load_default_workflows
from tests.factories import EmailTemplateFactory, make_user, make_workflow

pytestmark = pytest.mark.usefixtures("ctx")


def workflow(trigger="client_onboarded", days=None, **step):
    item = Workflow(name="Follow-up", trigger=trigger, trigger_days=days)
    item.add_step(
        step.pop("template", None) or EmailTemplateFactory(),
        step.pop("role", "primary"),
        step.pop("delay_days", 0),
        step.pop("delay_hours", 0),
    )
    return item


def refused(item) -> dict[str, str]:
    return {error.field: error.message for error in item.violations()}


def test_a_complete_workflow_breaks_no_rule():
    assert refused(workflow()) == {}


def test_the_name_is_required():
    item = workflow()
    item.name = " "
    assert refused(item) == {"name": "Name is required."}


def test_an_unknown_trigger_is_refused():
    assert "trigger" in refused(workflow("birthday"))


def test_n_is_required_for_a_trigger_that_takes_it():
    assert refused(workflow("quote_not_viewed")) == {
        "trigger_days": "Trigger days (N) is required for the trigger "
        "'Quote sent and not viewed after N days'."
    }


def test_n_is_refused_for_a_trigger_that_takes_none():
    assert refused(workflow("client_onboarded", days=5))["trigger_days"].startswith(
        "The trigger 'Client onboarded' takes no number of days"
    )


def test_n_must_be_positive():
    assert "trigger_days" in refused(workflow("low_engagement", days=0))


def test_a_step_needs_a_template():
    item = Workflow(name="x", trigger="client_onboarded")
    item.add_step(None)
    assert refused(item) == {"steps.0.template": "Step 1: a template is required."}


def test_a_workflow_without_steps_is_kept_paused():
    item = Workflow(name="Draft", trigger="client_onboarded")
    assert refused(item) == {}
    with pytest.raises(WorkflowError, match="has no step yet") as error:
        item.action_resume(None)
    assert error.value.field == "steps"


def test_a_step_template_must_be_active():
    template = EmailTemplateFactory(active=False, name="Old welcome")
    assert refused(workflow(template=template)) == {
        "steps.0.template": "Step 1: the template 'Old welcome' is inactive."
    }


def test_a_delay_cannot_be_negative():
    assert refused(workflow(delay_days=-1)) == {
        "steps.0.delay_days": "Step 1: the delay in days cannot be negative."
    }
    assert "steps.0.delay_hours" in refused(workflow(delay_hours=-2))


def test_an_unknown_recipient_role_is_refused():
    assert "steps.0.recipient_role" in refused(workflow(role="everyone"))


def test_an_invoice_template_is_refused_on_a_trigger_without_an_invoice():
    template = EmailTemplateFactory(
        name="Overdue reminder", subject="Invoice {{ invoice.number }} is overdue"
    )
    message = refused(workflow("client_onboarded", template=template))["steps.0.template"]
    assert message == (
        "Step 1: the template 'Overdue reminder' uses {{ invoice }}, which the trigger "
        "'Client onboarded' does not provide (it gives only the client and contact)."
    )
    assert refused(workflow("invoice_overdue", template=template)) == {}


def test_a_key_is_unique_whatever_its_case():
    make_workflow("client_onboarded", key="welcome")
    item = workflow()
    item.key = "welcome"
    assert refused(item) == {"key": "Key welcome belongs to another workflow."}


def test_the_rules_run_before_the_flush():
    db.session.add(Workflow(name=" ", trigger="client_onboarded"))
    with pytest.raises(WorkflowError, match="Name is required"):
        db.session.flush()
    db.session.rollback()


# ---------------------------------------------------------------- verbs


def test_pause_and_resume_record_who_and_when():
    manager = make_user("Account Manager")
    item = make_workflow("client_onboarded")
    activated = item.activated_at
    item.action_pause(manager)
    assert (item.active, item.paused_by, item.state) == (False, manager, "paused")
    assert item.paused_at is not None
    later = utcnow() + timedelta(minutes=5)
    item.action_resume(manager, now=later)
    assert (item.active, item.resumed_by, item.resumed_at) == (True, manager, later)
    assert item.activated_at == activated  # the window still starts at the first activation


def test_the_first_resume_activates_a_new_workflow():
    item = make_workflow("client_onboarded", active_since=False)
    assert item.activated_at is None
    item.action_resume(None)
    assert item.active and item.activated_at is not None and item.resumed_at is None


def test_pausing_a_paused_workflow_is_refused():
    item = make_workflow("client_onboarded", active_since=False)
    with pytest.raises(WorkflowError, match="paused already") as error:
        item.action_pause(None)
    assert error.value.field == "active"


def test_resuming_an_active_workflow_is_refused():
    with pytest.raises(WorkflowError, match="active already"):
        make_workflow("client_onboarded").action_resume(None)


def test_a_workflow_with_an_inactive_template_cannot_resume():
    template = EmailTemplateFactory()
    item = make_workflow("client_onboarded", template, active_since=False)
    template.active = False
    db.session.commit()
    with pytest.raises(WorkflowError, match="inactive") as error:
        item.action_resume(None)
    assert error.value.field == "steps.0.template"


def test_set_steps_keeps_the_rows_of_kept_positions():
    first, second = EmailTemplateFactory(), EmailTemplateFactory()
    item = make_workflow("client_onboarded", first)
    kept = item.steps[0].id
    item.set_steps(
        [
            {"template": second, "recipient_role": "all_contacts"},
            {"template": first, "delay_days": 3},
        ]
    )
    db.session.commit()
    assert [s.id == kept for s in item.steps] == [True, False]
    assert [(s.template, s.recipient_role, s.delay_days) for s in item.steps] == [
        (second, "all_contacts", 0),
        (first, "primary", 3),
    ]


# ---------------------------------------------------------------- the shipped workflows


def library():
    keys = {k for _n, _t, _d, _desc, steps in DEFAULT_WORKFLOWS.values() for k, _r, _s in steps}
    for key in sorted(keys):
        subject = "Your project: {{ project.name }}" if key == "project-completion-survey" else None
        if key == "contract-renewal-outreach":
            subject = "{{ contract.title }} renews on {{ contract.renewal_date }}"
        if key == "milestone-completed":
            subject = "{{ milestone.name }} is done"
        EmailTemplateFactory(key=key, **({"subject": subject} if subject else {}))


def test_the_shipped_workflows_load_paused_once():
    library()
    first = load_default_workflows(db.session)
    db.session.commit()
    assert sorted(first.created) == sorted(DEFAULT_WORKFLOWS) and first.skipped == []
    again = load_default_workflows(db.session)
    db.session.commit()
    assert again.created == [] and sorted(again.kept) == sorted(DEFAULT_WORKFLOWS)
    rows = db.session.scalars(select(Workflow).order_by(Workflow.id)).all()
    assert len(rows) == 4 and not any(w.active for w in rows)
    welcome = next(w for w in rows if w.key == "welcome-sequence")
    assert [(s.template.key, s.delay_days) for s in welcome.steps] == [
        ("welcome-new-client", 0),
        ("welcome-portal-tour", 3),
        ("welcome-first-check-in", 14),
    ]
    renewal = next(w for w in rows if w.key == "renewal-outreach")
    assert (renewal.trigger_days, renewal.steps[0].recipient_role) == (45, "signatories")


def test_a_shipped_workflow_whose_templates_are_missing_is_skipped_and_reported():
    EmailTemplateFactory(key="milestone-completed", subject="{{ milestone.name }} is done")
    result = load_default_workflows(db.session)
    db.session.commit()
    assert result.created == ["milestone-notification"]
    skipped = dict(result.skipped)
    assert "welcome-new-client" in skipped["welcome-sequence"]
    assert any("skipped" in line for line in result.lines())


def test_the_demo_can_load_them_active():
    library()
    load_default_workflows(db.session, active=True)
    db.session.commit()
    assert all(w.active for w in db.session.scalars(select(Workflow)))


def test_the_run_workflows_command_reports_the_sweep(app):
    make_workflow("client_onboarded")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["clientdesk", "run-workflows", "--now", "2030-01-01T00:00:00"])
    assert result.exit_code == 0, result.output
    assert "0 step(s) sent" in result.output
    bad = runner.invoke(args=["clientdesk", "run-workflows", "--now", "tomorrow"])
    assert bad.exit_code == 2 and "ISO 8601" in bad.output


def test_the_trigger_cannot_change_once_the_workflow_has_runs():
    from jobs.workflows import run_workflows
    from tests.factories import ClientContactFactory

    item = make_workflow("client_onboarded", active_since=utcnow() - timedelta(hours=1))
    item.trigger = "low_engagement"
    item.trigger_days = 30
    assert refused(item) == {}  # no run yet
    db.session.rollback()
    ClientContactFactory(role="primary")
    run_workflows()
    item = db.session.get(Workflow, item.id)
    item.trigger = "low_engagement"
    item.trigger_days = 30
    assert "cannot change once the workflow has runs" in refused(item)["trigger"]
    db.session.rollback()


def test_the_load_workflows_command_reports_created_and_skipped(app):
    EmailTemplateFactory(key="milestone-completed", subject="{{ milestone.name }} is done")
    result = app.test_cli_runner().invoke(args=["clientdesk", "load-workflows"])
    assert result.exit_code == 0, result.output
    assert "workflow milestone-notification: created (paused" in result.output
    assert "workflow welcome-sequence: skipped" in result.output
    again = app.test_cli_runner().invoke(args=["clientdesk", "load-workflows"])
    assert "milestone-notification: already there" in again.output
