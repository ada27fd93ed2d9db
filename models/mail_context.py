"""The values of the template variables, and the HTML part made from a plain-text body.

``template_context`` builds plain values for the attributes ``VARIABLES`` lists, and nothing
else: a template rendered in the sandbox never holds a model, so it cannot reach a method, a
relation or a column that was not meant for it. Dates print as "15 Jan 2027", amounts as
"PHP 12,345.00".
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from markupsafe import Markup, escape

from .mail_templates import RECORD_VARIABLES, VARIABLES

# ---------------------------------------------------------------- values for the variables


def _day(value) -> str | None:
    if isinstance(value, datetime):
        value = value.date()
    return value.strftime("%d %b %Y").lstrip("0") if isinstance(value, date) else None


def _money(currency: str | None, amount) -> str | None:
    if amount is None:
        return None
    return f"{currency or ''} {Decimal(amount):,.2f}".strip()


def _person(user) -> dict[str, Any] | None:
    if user is None:
        return None
    first, last = user.first_name or "", user.last_name or ""
    return {
        "first_name": first,
        "last_name": last,
        "full_name": f"{first} {last}".strip() or user.username,
        "email": user.email,
    }


def template_context(
    client=None,
    contact=None,
    sender=None,
    records: dict[str, Any] | None = None,
    links: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Plain values for a template's variables: only the attributes ``VARIABLES`` lists.

    ``records`` maps optional variable names (``invoice``, ``quote``, ``job_order``...) to their
    records; a name whose record is ``None`` is left out, so a template using it says which
    record it needs instead of printing an empty value.
    """
    from flask import current_app

    config = current_app.config
    public = config["PUBLIC_URL"]
    context: dict[str, Any] = {
        "agency": {
            "name": config.get("AGENCY_NAME"),
            "email": config.get("AGENCY_EMAIL") or "",
            "phone": config.get("AGENCY_PHONE") or "",
            "website": config.get("AGENCY_WEBSITE") or "",
            "address": config.get("AGENCY_ADDRESS") or "",
        },
        "links": {
            "portal": f"{public}/portal/",
            "statement": f"{public}/portal/statement",
            **(links or {}),
        },
    }
    if client is not None:
        context["client"] = {
            "name": client.name,
            "short_name": client.short_name or client.name,
            "email": client.email or "",
            "phone": client.phone or "",
            "website": client.website or "",
            "currency": client.currency or "",
            "payment_terms": _payment_terms(client),
            "status": client.status,
        }
        sender = sender or client.account_manager
    if contact is not None:
        context["contact"] = {
            "first_name": contact.first_name,
            "last_name": contact.last_name,
            "full_name": str(contact),
            "title": contact.title or "",
            "department": contact.department or "",
            "email": contact.email or "",
        }
    person = _person(sender)
    context["sender"] = person or {
        # Mails sign "{{ sender.full_name }}" above "{{ agency.name }}": no agency name twice.
        "first_name": "",
        "last_name": "",
        "full_name": "The client services team",
        "email": config.get("AGENCY_EMAIL") or "",
    }
    for name, record in (records or {}).items():
        if record is not None and name in _BUILDERS:
            context[name] = _BUILDERS[name](record)
            link = _LINKS.get(name)
            if link:
                context["links"].setdefault(name, f"{public}{link(record)}")
    for name in RECORD_VARIABLES:
        if name in context and name in _LINKS and name not in context["links"]:
            context["links"][name] = context["links"]["portal"]
    for name in VARIABLES["links"][1]:
        context["links"].setdefault(name, context["links"]["portal"])
    return context


def _payment_terms(client) -> str:
    label, days = client.payment_term_label, client.payment_term_days
    if label in ("Net", "MFI") and days:
        return f"{label} {days}"
    return label or ""


def _invoice(invoice) -> dict[str, Any]:
    from .base import utcnow

    today = utcnow().date()
    overdue = (today - invoice.due_date).days if invoice.due_date else 0
    return {
        "number": invoice.number or "(draft)",
        "issue_date": _day(invoice.issue_date),
        "due_date": _day(invoice.due_date),
        "total": _money(invoice.currency, invoice.total),
        "balance": _money(invoice.currency, invoice.balance),
        "currency": invoice.currency,
        "days_overdue": max(overdue, 0),
    }


def _quote(quote) -> dict[str, Any]:
    return {
        "number": quote.number,
        "title": quote.title,
        "valid_until": _day(quote.valid_until),
        "total": _money(quote.currency, getattr(quote, "total", None)),
        "currency": quote.currency,
        "sent_on": _day(quote.sent_at),
    }


def _job_order(job) -> dict[str, Any]:
    return {
        "title": job.title,
        "department": job.department or "",
        "location": job.location or "",
        "openings": job.openings,
        "status": job.status.replace("_", " "),
        "work_type": (job.work_type or "").replace("_", " "),
    }


def _candidate(candidate) -> dict[str, Any]:
    return {
        "first_name": candidate.first_name,
        "last_name": candidate.last_name,
        "full_name": f"{candidate.first_name} {candidate.last_name}",
        "current_title": candidate.current_title or "",
        "current_company": candidate.current_company or "",
        "location": candidate.location or "",
    }


def _project(project) -> dict[str, Any]:
    milestones = list(getattr(project, "milestones", []) or [])
    return {
        "name": project.name,
        "status": project.status.replace("_", " "),
        "start_date": _day(project.start_date),
        "target_end_date": _day(project.target_end_date),
        "milestones_done": sum(1 for m in milestones if m.completed_on),
        "milestones_total": len(milestones),
    }


def _milestone(milestone) -> dict[str, Any]:
    return {
        "name": milestone.name,
        "due_date": _day(milestone.due_date),
        "completed_on": _day(milestone.completed_on),
    }


def _contract(contract) -> dict[str, Any]:
    return {
        "number": contract.number,
        "title": contract.title,
        "start_date": _day(contract.start_date),
        "end_date": _day(contract.end_date),
        "renewal_date": _day(contract.renewal_date),
        "renews_automatically": "yes" if contract.auto_renew else "no",
    }


def _survey(survey) -> dict[str, Any]:
    questions = getattr(survey, "questions", None) or []
    return {
        "title": getattr(survey, "title", "") or "",
        "expires_on": _day(getattr(survey, "expires_at", None)),
        "questions": len(questions),
    }


_BUILDERS = {
    "invoice": _invoice,
    "quote": _quote,
    "job_order": _job_order,
    "candidate": _candidate,
    "project": _project,
    "milestone": _milestone,
    "contract": _contract,
    "survey": _survey,
}
# Where a contact reads each record in the portal.
_LINKS = {
    "invoice": lambda r: f"/portal/invoices/{r.id}",
    "quote": lambda r: f"/portal/quotes/{r.id}",
    "job_order": lambda r: f"/portal/jobs/{r.id}",
}


# ---------------------------------------------------------------- the HTML part

_URL_RE = re.compile(r"https?://[^\s<>\"')\]]+")


def text_to_html(body: str, link=None) -> str:
    """The HTML part of a plain-text body: paragraphs, line breaks and clickable links.

    ``link(url)`` gives the address a link points to (the click-tracking redirect).
    """
    link = link or (lambda url: url)
    paragraphs = []
    for paragraph in re.split(r"\n\s*\n", body.strip()):
        parts, last = [], 0
        for match in _URL_RE.finditer(paragraph):
            parts.append(escape(paragraph[last : match.start()]))
            url = match.group(0).rstrip(".,;:")
            parts.append(Markup('<a href="{}">{}</a>').format(link(url), url))
            parts.append(escape(match.group(0)[len(url) :]))
            last = match.end()
        parts.append(escape(paragraph[last:]))
        html = Markup("").join(parts).replace("\n", Markup("<br>\n"))
        paragraphs.append(Markup('<p style="margin:0 0 14px;">{}</p>').format(html))
    return str(Markup("\n").join(paragraphs))
