"""Email templates: a subject and a body with variables, rendered in Jinja's sandbox.

A template may use only the variables of ``VARIABLES`` and their listed attributes
(``{{ client.name }}``, ``{{ contact.first_name }}``, ``{{ invoice.due_date }}``). That is
checked when the template is saved (``violations()``), so an unknown variable is reported to
the person writing it, never to a client reading a broken mail. Rendering builds plain values
for those attributes only (``template_context``): a template cannot reach a model's methods,
relations or anything else.

The body is plain text, paragraphs separated by a blank line; the HTML part is made from it
(``text_to_html``), which is where open and click tracking go (see ``models/messaging.py``).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from jinja2 import StrictUndefined, TemplateSyntaxError, UndefinedError, nodes
from jinja2.sandbox import SandboxedEnvironment, SecurityError
from markupsafe import Markup, escape
from sqlalchemy import Boolean, CheckConstraint, Index, Integer, String, Text, func, select, text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Model, TimestampMixin, length_violations
from .messaging import MessageError

CATEGORIES = {
    "onboarding": "Client onboarding and welcome",
    "candidates": "Candidate presentations",
    "project_updates": "Project status updates",
    "contracts_offers": "Contract and offer communications",
    "follow_ups": "Follow-ups and reminders",
    "collections": "Collections",
    "surveys": "Surveys",
}
KEY_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{1,79}$")
BODY_MAX = 20_000

# Every variable a template may use, what it is, and its attributes. Dates print as
# "15 Jan 2027", amounts as "PHP 12,345.00".
VARIABLES: dict[str, tuple[str, tuple[str, ...]]] = {
    "client": (
        "the client",
        ("name", "short_name", "email", "phone", "website", "currency", "payment_terms", "status"),
    ),
    "contact": (
        "the recipient (a client contact)",
        ("first_name", "last_name", "full_name", "title", "department", "email"),
    ),
    "sender": (
        "the staff member sending (or the client's account manager)",
        ("first_name", "last_name", "full_name", "email"),
    ),
    "agency": ("the agency", ("name", "email", "phone", "website", "address")),
    "links": (
        "addresses to put in the mail",
        ("portal", "invoice", "quote", "job_order", "survey", "conversation", "contract"),
    ),
    "invoice": (
        "an invoice of the client",
        ("number", "issue_date", "due_date", "total", "balance", "currency", "days_overdue"),
    ),
    "quote": (
        "a quote to the client",
        ("number", "title", "valid_until", "total", "currency", "sent_on"),
    ),
    "job_order": (
        "a job order of the client",
        ("title", "department", "location", "openings", "status", "work_type"),
    ),
    "candidate": (
        "a candidate presented to the client",
        ("first_name", "last_name", "full_name", "current_title", "current_company", "location"),
    ),
    "project": (
        "a project of the client",
        ("name", "status", "start_date", "target_end_date", "milestones_done", "milestones_total"),
    ),
    "milestone": ("a project milestone", ("name", "due_date", "completed_on")),
    "contract": (
        "a contract with the client",
        ("number", "title", "start_date", "end_date", "renewal_date", "renews_automatically"),
    ),
    "survey": ("a satisfaction survey", ("title", "expires_on", "questions")),
}
# Always there when a template is rendered for a contact of a client.
ALWAYS = frozenset({"client", "contact", "sender", "agency", "links"})
# Which record kind each optional variable needs, for the compose form and the API.
RECORD_VARIABLES = tuple(name for name in VARIABLES if name not in ALWAYS)


class TemplateVariableError(MessageError):
    """A template uses a variable (or an attribute) templates do not have."""


class TemplateRenderError(MessageError):
    """A template could not be rendered with the records given."""


_env = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False)


def _variable_help() -> str:
    return ", ".join(sorted(VARIABLES))


def check_source(source: str, field: str) -> list[MessageError]:
    """The problems of one template text: its syntax, then every unknown variable or attribute."""
    try:
        tree = _env.parse(source or "")
    except TemplateSyntaxError as error:
        return [MessageError(f"{_label(field)}, line {error.lineno}: {error.message}.", field)]
    local = {n.name for n in tree.find_all(nodes.Name) if n.ctx in ("store", "param")}
    errors: list[MessageError] = []
    seen: set[str] = set()

    def report(message: str) -> None:
        if message not in seen:
            seen.add(message)
            errors.append(TemplateVariableError(message, field))

    for node in tree.find_all((nodes.Getattr, nodes.Getitem)):
        target = node.node
        if not isinstance(target, nodes.Name) or target.name not in VARIABLES:
            continue
        attribute = node.attr if isinstance(node, nodes.Getattr) else _const(node.arg)
        allowed = VARIABLES[target.name][1]
        if attribute not in allowed:
            report(
                f"{_label(field)} uses {{{{ {target.name}.{attribute} }}}}, which does not exist;"
                f" {target.name} has {', '.join(allowed)}."
            )
    for name in tree.find_all(nodes.Name):
        if name.ctx == "load" and name.name not in VARIABLES and name.name not in local:
            report(
                f"{_label(field)} uses {{{{ {name.name} }}}}, which is not a template variable;"
                f" the variables are {_variable_help()}."
            )
    return errors


def _const(node) -> str:
    return str(node.value) if isinstance(node, nodes.Const) else "[...]"


def _label(field: str) -> str:
    return {"subject": "Subject", "body": "Body"}.get(field, field.replace("_", " ").capitalize())


def used_variables(*sources: str) -> set[str]:
    """The template variables these texts use (those that parse)."""
    used: set[str] = set()
    for source in sources:
        try:
            tree = _env.parse(source or "")
        except TemplateSyntaxError:
            continue
        used |= {n.name for n in tree.find_all(nodes.Name) if n.name in VARIABLES}
    return used


def render_text(source: str, context: dict[str, Any], field: str) -> str:
    """Render one template text in the sandbox.

    :raise TemplateRenderError: naming the record the text needs and did not get.
    """
    needed = used_variables(source) - context.keys()
    if needed:
        raise TemplateRenderError(
            "Choose " + " and ".join(f"{VARIABLES[n][0]}" for n in sorted(needed))
            + f": the {_label(field).lower()} uses "
            + ", ".join(f"{{{{ {n} }}}}" for n in sorted(needed))
            + ".",
            sorted(needed)[0],
        )
    try:
        return _env.from_string(source or "").render(context)
    except (UndefinedError, SecurityError, TemplateSyntaxError, TypeError, ValueError) as error:
        raise TemplateRenderError(f"{_label(field)} cannot be rendered: {error}.", field) from error


def render_message(subject: str, body: str, context: dict[str, Any]) -> tuple[str, str]:
    """Subject and body rendered with ``context`` (one line of subject, whitespace tidied).

    :raise TemplateRenderError: see ``render_text``.
    """
    rendered_subject = " ".join(render_text(subject, context, "subject").split())
    rendered_body = re.sub(r"\n{3,}", "\n\n", render_text(body, context, "body")).strip()
    return rendered_subject, rendered_body


def message_violations(subject: str, body: str) -> list[MessageError]:
    """The rules of a subject and body written with variables (a template or a free text)."""
    errors: list[MessageError] = []
    if not (subject or "").strip():
        errors.append(MessageError("Subject is required.", "subject"))
    else:
        errors += check_source(subject, "subject")
    if not (body or "").strip():
        errors.append(MessageError("Body is required.", "body"))
    elif len(body) > BODY_MAX:
        errors.append(MessageError(f"Body is at most {BODY_MAX} characters long.", "body"))
    else:
        errors += check_source(body, "body")
    return errors


# ---------------------------------------------------------------- the template record


class EmailTemplate(TimestampMixin, Model):
    """A reusable mail: category, subject and body with variables.

    ``key`` names a template for code and commands (the built-in library, workflows); built-in
    templates can be edited, and loading the library again leaves an edited one alone.
    """

    __tablename__ = "email_template"
    __table_args__ = (
        CheckConstraint(
            "category IN (" + ", ".join(f"'{c}'" for c in CATEGORIES) + ")",
            name="ck_email_template_category",
        ),
        # Keys are unique whatever their case (the index, not the column, says so).
        Index("uq_email_template_key", func.lower(text("key")), unique=True),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(80), nullable=False)
    name: Mapped[str] = mapped_column(String(150), nullable=False)
    category: Mapped[str] = mapped_column(String(20), nullable=False)
    description: Mapped[str | None] = mapped_column(String(500))
    subject: Mapped[str] = mapped_column(String(300), nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    builtin: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)

    def __str__(self) -> str:
        return self.name

    @property
    def category_label(self) -> str:
        return CATEGORIES.get(self.category, self.category)

    @property
    def needs(self) -> list[str]:
        """The records (beyond the client and contact) a message from this template needs."""
        return sorted(used_variables(self.subject, self.body) & set(RECORD_VARIABLES))

    # -- rules
    def violations(self) -> list[MessageError]:
        errors: list[MessageError] = []
        if not (self.name or "").strip():
            errors.append(MessageError("Name is required.", "name"))
        if not KEY_RE.match(self.key or ""):
            errors.append(
                MessageError(
                    "Key is 2 to 80 lower-case letters, digits, - and _ (e.g. invoice-reminder).",
                    "key",
                )
            )
        else:
            errors += self._key_taken()
        if self.category not in CATEGORIES:
            errors.append(
                MessageError(f"Category must be one of {', '.join(CATEGORIES)}.", "category")
            )
        errors += message_violations(self.subject, self.body)
        return errors + length_violations(self, MessageError)

    def _key_taken(self) -> list[MessageError]:
        from .clients import _session

        query = select(EmailTemplate.id).where(func.lower(EmailTemplate.key) == self.key.lower())
        if self.id is not None:
            query = query.where(EmailTemplate.id != self.id)
        session = _session()
        with session.no_autoflush:
            if session.execute(query.limit(1)).first():
                return [MessageError(f"Key {self.key} belongs to another template.", "key")]
        return []

    def validate(self) -> None:
        """:raise MessageError: for the first rule this template breaks."""
        errors = self.violations()
        if errors:
            raise errors[0]

    # -- rendering
    def render(self, context: dict[str, Any]) -> tuple[str, str]:
        """This template's subject and body for ``context`` (see ``template_context``).

        :raise TemplateRenderError: naming a record the template needs and did not get.
        """
        return render_message(self.subject, self.body, context)

    @classmethod
    def by_key(cls, key: str) -> EmailTemplate | None:
        from .clients import _session

        return _session().scalar(select(cls).where(func.lower(cls.key) == key.lower()))


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
        "links": {"portal": f"{public}/portal/", **(links or {})},
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
        "first_name": "The",
        "last_name": "team",
        "full_name": f"The {config.get('AGENCY_NAME')} team",
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
