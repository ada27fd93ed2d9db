"""Satisfaction surveys: NPS, CSAT and project completion, sent to a client's contacts.

Each kind's questions are defined once, in ``models.survey_questions``; a new survey copies them as
``SurveyQuestion`` rows, so a later edit of the definitions never changes a survey already
created (nor the meaning of its answers). A survey belongs to a client (optionally one of the
client's projects), is sent on its send date and expires at ``expires_at``. Each recipient is a
contact of the client with their own link: a random token, made when the invitation is mailed,
of which only the SHA-256 is stored. A recipient answers once (``SurveyResponse``, in
``models.survey_responses``, with its unique key on the recipient).

Lifecycle: ``draft`` → ``action_send`` → ``scheduled`` (send date in the future) or ``sent``
(the job ``jobs.surveys`` mails the recipients) → ``closed`` (``action_close``; an expired
survey takes no more answers whatever its status).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .activity import record_activity
from .base import DomainError, Model, TimestampMixin, UTCDateTime, length_violations, utcnow
from .clients import Client, _choice_sql, _session
from .contacts import Contact
from .privacy import PERSONAL_DATA, PersonalData, column_is
from .projects import Project
from .survey_questions import (  # noqa: F401  (re-exported: the kinds and their questions)
    ANSWER_TYPES,
    KIND_LABELS,
    MEASURES,
    QUESTION_SETS,
    SURVEY_KINDS,
    TEXT_MAX,
    QuestionDef,
)

SURVEY_STATUSES = ("draft", "scheduled", "sent", "closed")
STATUS_LABELS = {"draft": "Draft", "scheduled": "Scheduled", "sent": "Sent", "closed": "Closed"}
DEFAULT_EXPIRY_DAYS = 14


class SurveyError(DomainError):
    """A survey, its recipients or an answer break a rule."""


class SurveyStateError(SurveyError):
    """The survey's status forbids the step (sending a survey twice...)."""

    status_code = 409


class SurveyExpiredError(SurveyError):
    """The survey's link expired, or the survey was closed."""

    status_code = 410


class SurveyAnsweredError(SurveyError):
    """This recipient answered already: one response each."""

    status_code = 409


class SurveyLinkUnknownError(SurveyError):
    """No recipient holds this token (mistyped, or never sent)."""

    status_code = 404


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    """A link token: 256 random bits, URL-safe."""
    return secrets.token_urlsafe(32)


class Survey(TimestampMixin, Model):
    __tablename__ = "survey"
    __table_args__ = (
        CheckConstraint(_choice_sql("kind", SURVEY_KINDS), name="ck_survey_kind"),
        CheckConstraint(_choice_sql("status", SURVEY_STATUSES), name="ck_survey_status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id"), nullable=False, index=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("recruitment_project.id"))
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    title: Mapped[str] = mapped_column(String(191), nullable=False)
    status: Mapped[str] = mapped_column(String(10), nullable=False, default="draft", index=True)
    send_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))

    client: Mapped[Client] = relationship(Client, lazy="joined")
    project: Mapped[Project | None] = relationship(Project)
    created_by: Mapped[User | None] = relationship(User)
    questions: Mapped[list[SurveyQuestion]] = relationship(
        back_populates="survey", cascade="all, delete-orphan", order_by="SurveyQuestion.position"
    )
    recipients: Mapped[list[SurveyRecipient]] = relationship(
        back_populates="survey", cascade="all, delete-orphan", order_by="SurveyRecipient.id"
    )

    def __init__(self, **kwargs):
        kwargs.setdefault("status", "draft")
        super().__init__(**kwargs)

    def __str__(self) -> str:
        return self.title or f"Survey #{self.id}"

    # -- derived values
    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    def is_expired(self, now: datetime | None = None) -> bool:
        return self.status == "closed" or (
            self.expires_at is not None and self.expires_at <= (now or utcnow())
        )

    def is_open(self, now: datetime | None = None) -> bool:
        """Taking answers: sent, not closed, not expired."""
        return self.status == "sent" and not self.is_expired(now)

    @property
    def response_count(self) -> int:
        return sum(1 for r in self.recipients if r.responded_at is not None)

    # -- rules
    def violations(self) -> list[SurveyError]:
        errors: list[SurveyError] = list(length_violations(self, SurveyError))
        if self.kind not in SURVEY_KINDS:
            errors.append(SurveyError(f"Type must be one of {', '.join(SURVEY_KINDS)}.", "kind"))
        if self.status not in SURVEY_STATUSES:
            errors.append(SurveyError("Unknown survey status.", "status"))
        if not (self.title or "").strip():
            errors.append(SurveyError("Title is required.", "title"))
        if self.client is None and self.client_id is None:
            errors.append(SurveyError("Client is required.", "client"))
        if self.expires_at is None:
            errors.append(SurveyError("Expiry date is required.", "expires_at"))
        elif self.send_at is not None and self.expires_at <= self.send_at:
            errors.append(SurveyError("The expiry date must be after the send date.", "expires_at"))
        project = self.project
        if project is None and self.project_id is not None:
            project = _session().get(Project, self.project_id)
        client_id = self.client.id if self.client is not None else self.client_id
        if project is not None and project.client_id != client_id:
            errors.append(SurveyError("The project must be one of the client's.", "project"))
        for recipient in self.recipients:
            errors.extend(recipient.violations(self))
        return errors

    def validate(self) -> None:
        errors = self.violations()
        if errors:
            raise errors[0]

    # -- building
    def copy_questions(self) -> None:
        """Copy the kind's questions onto this survey (once)."""
        if self.questions or self.kind not in QUESTION_SETS:
            return
        for position, q in enumerate(QUESTION_SETS[self.kind], start=1):
            self.questions.append(
                SurveyQuestion(
                    position=position,
                    key=q.key,
                    text=q.text,
                    answer_type=q.answer_type,
                    scale_min=q.low,
                    scale_max=q.high,
                    required=q.required,
                    measure=q.measure,
                    low_label=q.low_label,
                    high_label=q.high_label,
                )
            )

    def add_recipient(self, contact: Contact, role: str | None = None) -> SurveyRecipient:
        """Add ``contact`` (a contact of the survey's client) unless they are one already.

        :raise SurveyError: naming ``recipients`` for someone who is not the client's contact
            or when the survey was sent already.
        """
        if self.status not in ("draft", "scheduled"):
            raise SurveyStateError("Recipients can no longer change: it was sent.", "recipients")
        for recipient in self.recipients:
            if recipient.contact_id == contact.id or recipient.contact is contact:
                return recipient
        client_id = self.client.id if self.client is not None else self.client_id
        if not any(link.client_id == client_id for link in contact.client_links):
            raise SurveyError(
                f"{contact.full_name} is not a contact of {self.client}.", "recipients"
            )
        recipient = SurveyRecipient(contact=contact, client_id=client_id, role=role)
        self.recipients.append(recipient)
        return recipient

    @classmethod
    def create_for(
        cls,
        client: Client,
        kind: str,
        contacts: list[Contact],
        project: Project | None = None,
        by: User | None = None,
        expires_in_days: int = DEFAULT_EXPIRY_DAYS,
        send_at: datetime | None = None,
        expires_at: datetime | None = None,
        title: str | None = None,
        roles: dict[int, str] | None = None,
    ) -> Survey:
        """A draft survey of ``kind`` for ``client`` with its questions and recipients, added
        to the session (not committed). Then ``action_send`` and, after the commit,
        ``jobs.surveys.send_survey_later(survey.id)``.

        :raise SurveyError: naming the field (``kind``, ``project``, ``recipients``,
            ``expires_at``) for the first rule it breaks.
        """
        if kind not in SURVEY_KINDS:
            raise SurveyError(f"Type must be one of {', '.join(SURVEY_KINDS)}.", "kind")
        start = send_at or utcnow()
        survey = cls(
            client=client,
            client_id=client.id,
            project=project,
            kind=kind,
            title=title or default_title(kind, client, project),
            send_at=send_at,
            expires_at=expires_at or start + timedelta(days=expires_in_days),
            created_by=by,
        )
        survey.copy_questions()
        if not contacts:
            raise SurveyError("Choose at least one recipient.", "recipients")
        for contact in contacts:
            survey.add_recipient(contact, (roles or {}).get(contact.id))
        survey.validate()
        _session().add(survey)
        return survey

    # -- actions
    def action_send(self, by: User | None = None, now: datetime | None = None) -> bool:
        """Put the survey out: ``sent`` now (the job mails it) or ``scheduled`` for its send
        date. Returns True when the invitations should go now.

        :raise SurveyStateError: when it is not a draft, has no recipient or expired already.
        """
        now = now or utcnow()
        if self.status != "draft":
            raise SurveyStateError(
                f"This survey is {self.status_label.lower()}: only a draft is sent.", "status"
            )
        if not self.recipients:
            raise SurveyStateError("Add at least one recipient before sending.", "recipients")
        if self.expires_at is not None and self.expires_at <= now:
            raise SurveyStateError("The expiry date has passed: change it first.", "expires_at")
        self.copy_questions()
        session = _session()
        if self.id is None:
            session.add(self)
            session.flush()
        if self.send_at is not None and self.send_at > now:
            self.status = "scheduled"
            summary = f"Survey scheduled: {self.title} ({len(self.recipients)} recipients)"
        else:
            self.status = "sent"
            self.sent_at = now
            summary = f"Survey sent: {self.title} ({len(self.recipients)} recipients)"
        record_activity(
            session, "survey", summary, client_id=self.client_id, subject=self, actor=by
        )
        return self.status == "sent"

    def action_release(self, now: datetime | None = None) -> None:
        """A scheduled survey whose send date came: ``sent`` (the job then mails it)."""
        if self.status != "scheduled":
            raise SurveyStateError("Only a scheduled survey is released.", "status")
        self.status = "sent"
        self.sent_at = now or utcnow()

    def action_close(self, by: User | None = None) -> None:
        """Take no more answers."""
        if self.status == "closed":
            raise SurveyStateError("This survey is closed already.", "status")
        self.status = "closed"
        self.closed_at = utcnow()
        record_activity(
            _session(),
            "survey",
            f"Survey closed: {self.title} ({self.response_count} responses)",
            client_id=self.client_id,
            subject=self,
            actor=by,
        )


def default_title(kind: str, client: Client, project: Project | None = None) -> str:
    about = project.name if project is not None else client.name
    return f"{KIND_LABELS.get(kind, kind)} survey: {about}"[:191]


class SurveyQuestion(Model):
    """A question as it was when the survey was created (copied from ``QUESTION_SETS``)."""

    __tablename__ = "survey_question"
    __table_args__ = (
        UniqueConstraint("survey_id", "key", name="uq_survey_question_key"),
        CheckConstraint(_choice_sql("answer_type", ANSWER_TYPES), name="ck_survey_question_type"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id"), nullable=False, index=True)
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    key: Mapped[str] = mapped_column(String(40), nullable=False)
    text: Mapped[str] = mapped_column(String(500), nullable=False)
    answer_type: Mapped[str] = mapped_column(String(10), nullable=False)
    scale_min: Mapped[int | None] = mapped_column(Integer)
    scale_max: Mapped[int | None] = mapped_column(Integer)
    required: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    measure: Mapped[str | None] = mapped_column(String(10))
    low_label: Mapped[str | None] = mapped_column(String(60))
    high_label: Mapped[str | None] = mapped_column(String(60))

    survey: Mapped[Survey] = relationship(back_populates="questions")

    def __str__(self) -> str:
        return self.text

    @property
    def choices(self) -> list[int]:
        if self.answer_type != "scale":
            return []
        return list(range(self.scale_min, self.scale_max + 1))


class SurveyRecipient(Model):
    """A contact asked to answer, with their link's token (hashed) and when they answered."""

    __tablename__ = "survey_recipient"
    __table_args__ = (
        UniqueConstraint("survey_id", "contact_id", name="uq_survey_recipient_contact"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id"), nullable=False, index=True)
    # The survey's client (the portal's scoping reads it).
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id"), nullable=False, index=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contact.id"), nullable=False, index=True)
    role: Mapped[str | None] = mapped_column(String(40))
    # SHA-256 of the link's token; the token itself is only ever in the invitation mail.
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    skipped_reason: Mapped[str | None] = mapped_column(String(200))
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    survey: Mapped[Survey] = relationship(back_populates="recipients")
    contact: Mapped[Contact] = relationship(Contact, lazy="joined")

    def __str__(self) -> str:
        return str(self.contact)

    def violations(self, survey: Survey | None = None) -> list[SurveyError]:
        survey = survey or self.survey
        errors: list[SurveyError] = []
        if survey is None or self.contact is None:
            return errors
        client_id = survey.client.id if survey.client is not None else survey.client_id
        if client_id is not None and not any(
            link.client_id == client_id for link in self.contact.client_links
        ):
            errors.append(
                SurveyError(
                    f"{self.contact.full_name} is not a contact of {survey.client}.",
                    "recipients",
                )
            )
        return errors

    def issue_token(self) -> str:
        """A fresh link token for this recipient (its hash kept); the caller mails it."""
        token = new_token()
        self.token_hash = hash_token(token)
        return token

    @classmethod
    def by_token(cls, token: str) -> SurveyRecipient:
        """:raise SurveyLinkUnknownError: when no recipient holds ``token``."""
        if not token or len(token) > 100:
            raise SurveyLinkUnknownError("This survey link is not valid.", "token")
        recipient = _session().scalar(select(cls).where(cls.token_hash == hash_token(token)))
        if recipient is None:
            raise SurveyLinkUnknownError(
                "This survey link is not valid: check that it was copied whole.", "token"
            )
        return recipient

    def answerable(self, now: datetime | None = None) -> SurveyError | None:
        """Why this recipient cannot answer now, or None."""
        survey = self.survey
        if self.responded_at is not None:
            return SurveyAnsweredError(
                "You have answered this survey already: thank you.", "survey"
            )
        if survey.is_expired(now):
            when = survey.expires_at.strftime("%d %b %Y")
            return SurveyExpiredError(
                f"This survey closed on {when}: it no longer takes answers.", "survey"
            )
        if survey.status != "sent":
            return SurveyExpiredError("This survey is not open for answers.", "survey")
        return None


# What a person was asked: theirs to export; the link's hash goes on erasure.
PERSONAL_DATA.append(
    PersonalData(
        "survey_invitations",
        SurveyRecipient,
        column_is("contact_id"),
        export=("survey_id", "survey.title", "role", "sent_at", "responded_at"),
        erase={"token_hash": None},
    )
)

__all__ = [
    "QUESTION_SETS",
    "SURVEY_KINDS",
    "Survey",
    "SurveyAnsweredError",
    "SurveyError",
    "SurveyExpiredError",
    "SurveyLinkUnknownError",
    "SurveyQuestion",
    "SurveyRecipient",
    "SurveyStateError",
]
