"""The job order's fields, declared once for the intake form (add and edit), the show page and
the list: sections, selects over the model's vocabularies, labels and formatters."""

from __future__ import annotations

from markupsafe import Markup

from models.recruiting import (
    CULTURAL_FIT,
    FEE_TYPE_LABELS,
    FEE_TYPES,
    GUARANTEE_REMEDIES,
    LEVELS,
    PAYMENT_TERMS,
    QUALITY_LEVELS,
    SERVICE_TYPES,
    URGENCIES,
    WORK_TYPES,
    status_label,
)

from .fields import choice
from .formats import day, when

JOB_ORDER_FIELDSETS = [
    (
        "Job details",
        [
            "client",
            "project",
            "title",
            "department",
            "level",
            "description",
            "requirements",
            "location",
            "work_type",
            "openings",
            "salary_min",
            "salary_max",
            "currency",
        ],
    ),
    (
        "Commercial terms",
        [
            "service_type",
            "fee_type",
            "fee",
            "retainer_stages",
            "timeline_days",
            "replacement_guarantee_days",
            "guarantee_remedy",
            "payment_terms",
        ],
    ),
    ("Priorities", ["urgency", "quality_level", "cultural_fit"]),
    ("Success", ["success_criteria", "evaluation_criteria"]),
]
JOB_ORDER_FORM_COLUMNS = [field for _, fields in JOB_ORDER_FIELDSETS for field in fields]
# The show page adds who works the order and when it moved.
WORKFLOW_FIELDS = [
    "estimated_fee",
    "recruiters",
    "created_by",
    "requested_by",
    "submitted_at",
    "approved_at",
    "opened_at",
    "target_fill_date",
    "filled_at",
    "closed_at",
]


def _words(values) -> dict[str, str]:
    return {value: value.replace("_", " ") for value in values}


JOB_ORDER_CHOICES = {
    "level": choice("Level", LEVELS),
    "work_type": choice("Work type", WORK_TYPES),
    "fee_type": choice(
        "Fee type", FEE_TYPES, blank=None, default="percentage", labels=FEE_TYPE_LABELS
    ),
    "service_type": choice("Service type", SERVICE_TYPES, blank=None, default=SERVICE_TYPES[1]),
    "payment_terms": choice("Payment terms", PAYMENT_TERMS, labels=_words(PAYMENT_TERMS)),
    "guarantee_remedy": choice(
        "Guarantee remedy", GUARANTEE_REMEDIES, labels=_words(GUARANTEE_REMEDIES)
    ),
    "urgency": choice("Urgency", URGENCIES, blank=None, default="medium"),
    "quality_level": choice("Quality level", QUALITY_LEVELS),
    "cultural_fit": choice("Cultural fit", CULTURAL_FIT),
}

JOB_ORDER_LABELS = {
    "reference": "Reference",
    "work_type": "Work type",
    "salary_min": "Salary min",
    "salary_max": "Salary max",
    "fee_type": "Fee type",
    "service_type": "Service type",
    "retainer_stages": "Retainer stages",
    "timeline_days": "Timeline (days)",
    "replacement_guarantee_days": "Replacement guarantee (days)",
    "guarantee_remedy": "Guarantee remedy",
    "payment_terms": "Payment terms",
    "quality_level": "Quality level",
    "cultural_fit": "Cultural fit",
    "success_criteria": "Success criteria",
    "evaluation_criteria": "Evaluation criteria",
    "status": "Status",
    "recruiters": "Recruiters",
    "created_by": "Created by",
    "requested_by": "Requested by",
    "opened_at": "Opened",
    "submitted_at": "Submitted",
    "approved_at": "Approved",
    "filled_at": "Filled",
    "closed_at": "Closed",
    "target_fill_date": "Target fill date",
    "estimated_fee": "Estimated fee",
}

JOB_ORDER_DESCRIPTIONS = {
    "project": "The client's recruitment project this job belongs to, if any.",
    "requirements": "One requirement per line.",
    "currency": "ISO 4217 code, e.g. USD, PHP.",
    "fee": "The amount for a fixed or retained fee; the percentage (e.g. 20) for a percentage fee.",
    "retainer_stages": "For a retained fee: how many stages it is paid in (1 to 6).",
    "timeline_days": "Days from opening to the agreed fill date.",
    "guarantee_remedy": "When a placed candidate leaves within the guarantee: a replacement, "
    "a pro-rata credit note or a full one (blank: a replacement).",
    "evaluation_criteria": "What the client scores candidates on, one per line "
    "(blank: skills, experience, cultural fit, communication).",
}

STATUS_CLASSES = {
    "draft": "default",
    "submitted": "info",
    "approved": "primary",
    "rejected": "danger",
    "open": "success",
    "on_hold": "warning",
    "filled": "success",
    "cancelled": "danger",
    "closed": "default",
}


def status_badge(status: str) -> Markup:
    css = STATUS_CLASSES.get(status, "default")
    return Markup('<span class="label label-{} job-status">{}</span>').format(
        css, status_label(status)
    )


def person(user) -> str:
    if user is None:
        return "—"
    return f"{user.first_name or ''} {user.last_name or ''}".strip() or user.username


def _people(users) -> str:
    return ", ".join(person(user) for user in users) or "—"


def _or_dash(value) -> str:
    """A value not given reads as a dash, not as "None"."""
    return "—" if value is None or value == "" else value


JOB_ORDER_FORMATTERS = {
    **{
        name: _or_dash
        for name in (
            "project",
            "department",
            "level",
            "description",
            "location",
            "work_type",
            "salary_min",
            "salary_max",
            "fee",
            "retainer_stages",
            "timeline_days",
            "replacement_guarantee_days",
            "quality_level",
            "cultural_fit",
            "success_criteria",
            "evaluation_criteria",
            "requested_by",
            "estimated_fee",
        )
    },
    "status": status_badge,
    "recruiters": _people,
    "created_by": person,
    "fee_type": lambda value: FEE_TYPE_LABELS.get(value, value),
    "payment_terms": lambda value: value.replace("_", " ") if value else "—",
    "guarantee_remedy": lambda value: value.replace("_", " ") if value else "—",
    "opened_at": day,
    "target_fill_date": day,
    "submitted_at": when,
    "approved_at": when,
    "filled_at": when,
    "closed_at": when,
}
