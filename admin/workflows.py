"""Workflows on the staff side (Communication › Workflows, Communication › Workflow runs).

A workflow is made paused: name it, choose its trigger (and N where the trigger takes one),
add its steps on its page (Steps tab: delay, template, recipient), then Resume it. Pause and
Resume are the list's and the page's actions (``Workflow.action_pause`` / ``action_resume``).
The Runs tab and the "Workflow runs" list show every step sent, skipped or failed, with the
record, the recipients and the reason; runs of clients the user may not see are left out.
"""

from __future__ import annotations

from flask_appbuilder import ModelView
from flask_appbuilder.actions import action
from flask_appbuilder.models.sqla.filters import FilterEqual
from flask_appbuilder.models.sqla.interface import SQLAInterface
from markupsafe import Markup
from sqlalchemy import func, select

from extensions import db
from models import Workflow, WorkflowError, WorkflowRun, WorkflowStep
from models.workflow_triggers import RECIPIENT_ROLES, TRIGGERS

from .base import READ_WRITE, RulesModelView, apply_to_selected
from .fields import choice
from .formats import when
from .roles import RESOURCE_PERMISSIONS
from .visibility import acting_user, visible_to_user

TRIGGER_LABELS = {key: trigger.label for key, trigger in TRIGGERS.items()}
OUTCOME_STYLE = {"sent": "success", "skipped": "warning", "failed": "danger"}


def _outcome(outcome) -> Markup:
    return Markup('<span class="label label-{}">{}</span>').format(
        OUTCOME_STYLE.get(outcome, "default"), outcome
    )


def _state(state) -> Markup:
    style = "success" if state == "active" else "default"
    return Markup('<span class="label label-{}">{}</span>').format(style, state)


class WorkflowRunView(ModelView):
    """Every step a workflow sent, skipped or failed, newest first (read only)."""

    datamodel = SQLAInterface(WorkflowRun)
    class_permission_name = "Workflow"
    base_permissions = RESOURCE_PERMISSIONS["Workflow"]
    method_permission_name = READ_WRITE
    include_route_methods = {"list", "show"}
    base_filters = [visible_to_user()]
    base_order = ("created_at", "desc")
    search_form_query_rel_fields = {"client": [visible_to_user("id")]}
    list_title = "Workflow runs"
    show_title = "Workflow run"
    list_columns = [
        "created_at",
        "workflow",
        "step.position",
        "client",
        "record_label",
        "outcome",
        "reason",
        "recipients",
    ]
    show_columns = [
        "workflow",
        "step",
        "client",
        "record_label",
        "occurrence",
        "fired_at",
        "due_at",
        "created_at",
        "outcome",
        "reason",
        "recipients",
    ]
    search_columns = ["workflow", "client", "outcome", "record_type", "created_at"]
    order_columns = ["created_at", "outcome"]
    label_columns = {
        "created_at": "When",
        "step.position": "Step",
        "record_label": "Record",
        "fired_at": "Trigger fired",
        "due_at": "Step due",
    }
    formatters_columns = {
        "created_at": when,
        "fired_at": when,
        "due_at": when,
        "outcome": _outcome,
    }
    page_size = 25


class WorkflowStepView(RulesModelView):
    """A workflow's steps, in order (its page's Steps tab)."""

    datamodel = SQLAInterface(WorkflowStep)
    class_permission_name = "Workflow"
    base_permissions = RESOURCE_PERMISSIONS["Workflow"]
    method_permission_name = {**READ_WRITE, "delete": "write"}
    include_route_methods = {"list", "show", "add", "edit", "delete"}
    base_order = ("position", "asc")
    list_title = "Steps"
    add_title = "New step"
    edit_title = "Edit step"
    list_columns = ["position", "delay_label", "template", "recipient_label"]
    add_columns = edit_columns = [
        "workflow",
        "template",
        "recipient_role",
        "delay_days",
        "delay_hours",
    ]
    show_columns = ["workflow", "position", "delay_label", "template", "recipient_label"]
    label_columns = {
        "position": "Step",
        "delay_label": "When",
        "recipient_label": "Recipient",
        "recipient_role": "Recipient",
        "delay_days": "Delay (days)",
        "delay_hours": "Delay (hours)",
    }
    description_columns = {
        "template": "Its variables must be ones the workflow's trigger provides.",
        "delay_days": "After the trigger fires; 0 sends at the next sweep (every 5 minutes).",
    }
    add_form_query_rel_fields = edit_form_query_rel_fields = {
        "template": [["active", FilterEqual, True]]
    }
    add_form_extra_fields = edit_form_extra_fields = {
        "recipient_role": choice(
            "Recipient", RECIPIENT_ROLES, blank=None, default="primary", labels=RECIPIENT_ROLES
        ),
    }

    def pre_add(self, item):
        with db.session.no_autoflush:  # the new step is checked here, not flushed
            if item.workflow is not None:
                last = db.session.scalar(
                    select(func.max(WorkflowStep.position)).where(
                        WorkflowStep.workflow_id == item.workflow.id
                    )
                )
                item.position = (last or 0) + 1
            item.validate()

    def pre_update(self, item):
        with db.session.no_autoflush:
            item.validate()

    def pre_delete(self, item):
        if item.runs_count():
            raise WorkflowError(
                f"Step {item.position} has runs and stays: pause the workflow instead.", "steps"
            )


class WorkflowView(RulesModelView):
    """Workflows: a trigger and its steps; made paused, then resumed."""

    datamodel = SQLAInterface(Workflow)
    class_permission_name = "Workflow"
    base_permissions = RESOURCE_PERMISSIONS["Workflow"]
    method_permission_name = {**READ_WRITE, "pause": "write", "resume": "write"}
    exclude_route_methods = {"delete"}  # its runs are the history: pause it instead
    related_views = [WorkflowStepView, WorkflowRunView]
    show_template = "appbuilder/general/model/show_cascade.html"
    list_title = "Workflows"
    add_title = "New workflow (paused until you resume it)"
    edit_title = "Edit workflow"
    show_title = "Workflow"
    list_columns = ["name", "trigger_label", "state", "activated_at", "paused_at", "resumed_at"]
    add_columns = edit_columns = ["name", "trigger", "trigger_days", "description"]
    show_columns = [
        "name",
        "key",
        "trigger_label",
        "description",
        "state",
        "activated_at",
        "paused_at",
        "paused_by",
        "resumed_at",
        "resumed_by",
    ]
    search_columns = ["name", "trigger", "active"]
    order_columns = ["name", "activated_at"]
    label_columns = {
        "trigger_label": "Trigger",
        "trigger_days": "N (days)",
        "state": "State",
        "activated_at": "Active since",
        "paused_at": "Paused",
        "resumed_at": "Resumed",
    }
    description_columns = {
        "trigger_days": "Only for the triggers with N: quote not viewed after N days, contract "
        "renewal due in N days, low engagement for N days."
    }
    add_form_extra_fields = edit_form_extra_fields = {
        "trigger": choice("Trigger", TRIGGERS, blank=None, labels=TRIGGER_LABELS),
    }
    formatters_columns = {
        "state": _state,
        "activated_at": when,
        "paused_at": when,
        "resumed_at": when,
    }

    @action("pause", "Pause", "Pause the selected workflows?", "fa-pause")
    def pause(self, items):
        return apply_to_selected(items, lambda w: w.action_pause(acting_user()), "paused", self)

    @action("resume", "Resume", "Resume the selected workflows?", "fa-play")
    def resume(self, items):
        return apply_to_selected(items, lambda w: w.action_resume(acting_user()), "resumed", self)
