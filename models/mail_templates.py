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
from decimal import Decimal
from typing import Any

from jinja2 import StrictUndefined, TemplateSyntaxError, UndefinedError, nodes
from jinja2.sandbox import SandboxedEnvironment, SecurityError
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
        (
            "portal",
            "invoice",
            "quote",
            "job_order",
            "survey",
            "conversation",
            "contract",
            "statement",
        ),
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


_env = SandboxedEnvironment(
    undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False
)


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
            "Choose "
            + " and ".join(f"{VARIABLES[n][0]}" for n in sorted(needed))
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

    @property
    def needs_label(self) -> str:
        return ", ".join(name.replace("_", " ") for name in self.needs) or "—"

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


# ---------------------------------------------------------------- how each template does


def template_performance(template_ids=None) -> dict[int, dict[str, Any]]:
    """Per template: mails delivered, opened, clicked, answered and failed, and the open and
    response rates (of the delivered ones, in %), in one grouped query."""
    from sqlalchemy import case

    from .clients import _session
    from .messaging import OutboxMessage

    delivered = OutboxMessage.status.in_(("sent", "stored"))
    query = (
        select(
            OutboxMessage.template_id,
            func.count(case((delivered, 1))),
            func.count(case((delivered & OutboxMessage.opened_at.is_not(None), 1))),
            func.count(case((delivered & OutboxMessage.clicked_at.is_not(None), 1))),
            func.count(case((delivered & OutboxMessage.responded_at.is_not(None), 1))),
            func.count(case((OutboxMessage.status == "failed", 1))),
        )
        .where(OutboxMessage.template_id.is_not(None))
        .group_by(OutboxMessage.template_id)
    )
    if template_ids is not None:
        query = query.where(OutboxMessage.template_id.in_(template_ids))
    figures = {}
    for template_id, sent, opened, clicked, responded, failed in _session().execute(query):
        figures[template_id] = {
            "sent": sent,
            "opened": opened,
            "clicked": clicked,
            "responded": responded,
            "failed": failed,
            "open_rate": _rate(opened, sent),
            "click_rate": _rate(clicked, sent),
            "response_rate": _rate(responded, sent),
        }
    return figures


def _rate(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))
