"""The workflows ClientDesk ships: the welcome sequence, the milestone notification, the
completion survey and the renewal outreach.

``load_default_workflows()`` is idempotent by key: a workflow already there (edited or not,
active or paused) is left alone. They ship **paused**: nobody's clients are mailed before
someone has read the templates and pressed Resume (the demo resumes them). A workflow whose
templates are not in the library yet is skipped and reported, and loaded by a later run.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select

from .mail_templates import EmailTemplate
from .workflows import Workflow

# key: (name, trigger, N, description, [(template key, recipient role, delay days)])
DEFAULT_WORKFLOWS = {
    "welcome-sequence": (
        "Welcome sequence",
        "client_onboarded",
        None,
        "Welcomes a client that became active: a welcome on the day, a tour of the portal on "
        "day 3 and a first check-in on day 14, to the primary contact.",
        [
            ("welcome-new-client", "primary", 0),
            ("welcome-portal-tour", "primary", 3),
            ("welcome-first-check-in", "primary", 14),
        ],
    ),
    "milestone-notification": (
        "Milestone notification",
        "milestone_completed",
        None,
        "Tells the hiring contacts a project milestone was completed.",
        [("milestone-completed", "hiring", 0)],
    ),
    "completion-survey": (
        "Completion survey",
        "project_completed",
        None,
        "Asks the primary contact how a completed project went (a project-completion survey).",
        [("project-completion-survey", "primary", 0)],
    ),
    "renewal-outreach": (
        "Renewal outreach",
        "contract_renewal_due",
        45,
        "Opens the renewal conversation with the client's signatories 45 days before a "
        "contract's renewal date.",
        [("contract-renewal-outreach", "signatories", 0)],
    ),
}


@dataclass
class DefaultsLoad:
    created: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    # (workflow key, why): a template it needs is missing or inactive.
    skipped: list[tuple[str, str]] = field(default_factory=list)
    active: bool = False

    def lines(self) -> list[str]:
        state = "active" if self.active else "paused: resume it in Communication › Workflows"
        out = [f"workflow {key}: created ({state})" for key in self.created]
        out += [f"workflow {key}: already there, left as it is" for key in self.kept]
        out += [f"workflow {key}: skipped, {why}" for key, why in self.skipped]
        return out


def load_default_workflows(session, active: bool = False, by=None) -> DefaultsLoad:
    """Add the shipped workflows that are missing (the caller commits); ``active`` switches
    the new ones on at once (the demo)."""
    result = DefaultsLoad(active=active)
    for key, (name, trigger, days, description, steps) in DEFAULT_WORKFLOWS.items():
        if session.scalar(select(Workflow.id).where(func.lower(Workflow.key) == key)):
            result.kept.append(key)
            continue
        templates = {k: EmailTemplate.by_key(k) for k, _role, _days in steps}
        missing = sorted(k for k, t in templates.items() if t is None or not t.active)
        if missing:
            result.skipped.append(
                (key, "template(s) not in the library yet or inactive: " + ", ".join(missing))
            )
            continue
        workflow = Workflow(
            key=key, name=name, trigger=trigger, trigger_days=days, description=description
        )
        for template_key, role, delay in steps:
            workflow.add_step(templates[template_key], role, delay)
        session.add(workflow)
        if active:
            workflow.action_activate(by)
        result.created.append(key)
    return result
