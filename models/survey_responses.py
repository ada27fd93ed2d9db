"""Survey answers and the figures drawn from them.

One ``SurveyResponse`` per recipient: ``record_response`` claims the recipient with a
conditional ``UPDATE ... WHERE responded_at IS NULL`` and the unique key on ``recipient_id``
stops a second row even from two simultaneous posts. The answers are checked question by
question (required, range) and the two figures kept in their own columns for SQL aggregates:
``nps_score`` (0 to 10) and ``csat_score`` (1 to 5).

NPS = % promoters (9-10) − % detractors (0-6) of the NPS answers; CSAT = % of the CSAT answers
that are 4 or 5. Both are counted by SQL (``survey_results``), per client, overall and per month.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    ForeignKey,
    Integer,
    String,
    case,
    func,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from .activity import record_activity
from .base import Model, UTCDateTime, utcnow
from .clients import Client, _session
from .contacts import Contact
from .privacy import PERSONAL_DATA, PersonalData, column_is
from .surveys import (
    TEXT_MAX,
    Survey,
    SurveyAnsweredError,
    SurveyError,
    SurveyQuestion,
    SurveyRecipient,
)

PROMOTER_MIN, DETRACTOR_MAX = 9, 6
SATISFIED_MIN = 4
CHANNELS = ("link", "portal")


class SurveyAnswerError(SurveyError):
    """An answer breaks its question's rule; ``field`` is the question's key."""


class SurveyResponse(Model):
    __tablename__ = "survey_response"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id"), nullable=False, index=True)
    recipient_id: Mapped[int] = mapped_column(
        ForeignKey("survey_recipient.id"), nullable=False, unique=True
    )
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id"), nullable=False, index=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contact.id"), nullable=False, index=True)
    # {question key: answer}: an int for a scale, a string for text.
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    nps_score: Mapped[int | None] = mapped_column(Integer)
    csat_score: Mapped[int | None] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(10), nullable=False, default="link")
    submitted_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), nullable=False, default=utcnow, index=True
    )

    survey: Mapped[Survey] = relationship(Survey, backref="responses")
    recipient: Mapped[SurveyRecipient] = relationship(
        SurveyRecipient, backref=backref("response", uselist=False)
    )
    contact: Mapped[Contact] = relationship(Contact)
    client: Mapped[Client] = relationship(Client)

    def __str__(self) -> str:
        return f"{self.contact}: {self.survey}"

    def answer_rows(self) -> list[tuple[SurveyQuestion, Any]]:
        return [(q, (self.answers or {}).get(q.key)) for q in self.survey.questions]


def clean_answers(questions: list[SurveyQuestion], raw: dict[str, Any]) -> dict[str, Any]:
    """The answers read against their questions (form strings accepted for scales).

    :raise SurveyAnswerError: for the first question answered wrongly, naming its key and its
        text in the message.
    """
    errors = answer_errors(questions, raw)
    if errors:
        raise errors[0]
    return _cleaned(questions, raw)


def answer_errors(questions: list[SurveyQuestion], raw: dict[str, Any]) -> list[SurveyAnswerError]:
    """Every question answered wrongly (a form shows each message beside its question)."""
    errors = []
    for q in questions:
        value = raw.get(q.key)
        blank = value is None or (isinstance(value, str) and not value.strip())
        if blank:
            if q.required:
                errors.append(SurveyAnswerError(f"Please answer “{q.text}”.", q.key))
            continue
        if q.answer_type == "scale":
            number = _whole(value)
            if number is None or not q.scale_min <= number <= q.scale_max:
                errors.append(
                    SurveyAnswerError(
                        f"“{q.text}” takes a whole number from {q.scale_min} to {q.scale_max}.",
                        q.key,
                    )
                )
        elif not isinstance(value, str) or len(value) > TEXT_MAX:
            errors.append(
                SurveyAnswerError(f"“{q.text}” may hold at most {TEXT_MAX:,} characters.", q.key)
            )
    return errors


def _whole(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


def _cleaned(questions, raw) -> dict[str, Any]:
    answers = {}
    for q in questions:
        value = raw.get(q.key)
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        answers[q.key] = _whole(value) if q.answer_type == "scale" else value.strip()
    return answers


def record_response(
    recipient: SurveyRecipient, raw: dict[str, Any], channel: str = "link"
) -> SurveyResponse:
    """Record ``recipient``'s answers (added to the session and flushed; the caller commits).

    :raise SurveyAnsweredError: when they answered already (also when a simultaneous post
        got there first); ``SurveyExpiredError`` when the survey no longer takes answers;
        ``SurveyAnswerError`` naming the question for an answer out of range or missing.
    """
    refusal = recipient.answerable()
    if refusal is not None:
        raise refusal
    survey = recipient.survey
    answers = clean_answers(survey.questions, raw)
    now = utcnow()
    session = _session()
    claimed = session.execute(
        update(SurveyRecipient)
        .where(SurveyRecipient.id == recipient.id, SurveyRecipient.responded_at.is_(None))
        .values(responded_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        raise SurveyAnsweredError("You have answered this survey already: thank you.", "survey")
    recipient.responded_at = now
    measures = {q.measure: answers.get(q.key) for q in survey.questions if q.measure}
    response = SurveyResponse(
        survey_id=survey.id,
        recipient_id=recipient.id,
        client_id=survey.client_id,
        contact_id=recipient.contact_id,
        answers=answers,
        nps_score=measures.get("nps"),
        csat_score=measures.get("csat"),
        channel=channel if channel in CHANNELS else "link",
        submitted_at=now,
    )
    try:
        with session.begin_nested():
            session.add(response)
            session.flush()
    except IntegrityError:
        raise SurveyAnsweredError(
            "You have answered this survey already: thank you.", "survey"
        ) from None
    figures = ", ".join(
        f"{label} {value}"
        for label, value in (("NPS answer", response.nps_score), ("CSAT", response.csat_score))
        if value is not None
    )
    record_activity(
        session,
        "survey",
        f"{recipient.contact.full_name} answered {survey.title}"
        + (f" ({figures})" if figures else ""),
        client_id=survey.client_id,
        subject=response,
    )
    from .messaging import mark_mails_answered

    mark_mails_answered(session, recipient.contact_id, now)  # their answer to our recent mails
    return response


# ---------------------------------------------------------------- results


def percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / whole).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass
class Scores:
    """Counts from SQL and the figures they give."""

    label: str = ""
    key: Any = None
    responses: int = 0
    promoters: int = 0
    passives: int = 0
    detractors: int = 0
    satisfied: int = 0
    csat_answers: int = 0
    invited: int = 0

    @property
    def nps_answers(self) -> int:
        return self.promoters + self.passives + self.detractors

    @property
    def nps(self) -> Decimal | None:
        # % promoters − % detractors = (promoters − detractors) / answers × 100
        return percent(self.promoters - self.detractors, self.nps_answers)

    @property
    def csat(self) -> Decimal | None:
        return percent(self.satisfied, self.csat_answers)

    @property
    def response_rate(self) -> Decimal | None:
        return percent(self.responses, self.invited)

    def as_json(self) -> dict:
        def num(value):
            return float(value) if value is not None else None

        return {
            "responses": self.responses,
            "invited": self.invited,
            "responseRate": num(self.response_rate),
            "nps": num(self.nps),
            "promoters": self.promoters,
            "passives": self.passives,
            "detractors": self.detractors,
            "csat": num(self.csat),
            "satisfied": self.satisfied,
            "csatAnswers": self.csat_answers,
        }


@dataclass
class Results:
    overall: Scores
    clients: list[Scores] = field(default_factory=list)
    months: list[Scores] = field(default_factory=list)


def _counts():
    r = SurveyResponse
    return (
        func.count(r.id),
        func.coalesce(func.sum(case((r.nps_score >= PROMOTER_MIN, 1), else_=0)), 0),
        func.coalesce(
            func.sum(
                case(((r.nps_score > DETRACTOR_MAX) & (r.nps_score < PROMOTER_MIN), 1), else_=0)
            ),
            0,
        ),
        func.coalesce(func.sum(case((r.nps_score <= DETRACTOR_MAX, 1), else_=0)), 0),
        func.coalesce(func.sum(case((r.csat_score >= SATISFIED_MIN, 1), else_=0)), 0),
        func.count(r.csat_score),
    )


def _scores(row, label="", key=None) -> Scores:
    responses, promoters, passives, detractors, satisfied, csat_answers = row[:6]
    return Scores(
        label,
        key,
        int(responses),
        int(promoters),
        int(passives),
        int(detractors),
        int(satisfied),
        int(csat_answers),
    )


def month_of(column):
    """SQL: 'YYYY-MM' of a UTC timestamp on PostgreSQL and SQLite."""
    if _session().get_bind().dialect.name == "postgresql":
        return func.to_char(func.timezone("UTC", column), "YYYY-MM")
    return func.strftime("%Y-%m", column)


def _period(query, column, since: date | None, until: date | None):
    from datetime import UTC

    if since is not None:
        query = query.where(column >= datetime.combine(since, time.min, UTC))
    if until is not None:
        query = query.where(column < datetime.combine(until + timedelta(days=1), time.min, UTC))
    return query


def survey_results(
    client_ids: list[int] | None = None,
    since: date | None = None,
    until: date | None = None,
    kind: str | None = None,
) -> Results:
    """NPS, CSAT and response rate over the responses submitted in the period (days
    inclusive), for ``client_ids`` (ids or a SELECT of them; None: every client): overall,
    per client, per month."""
    session = _session()
    r = SurveyResponse
    if isinstance(client_ids, list | tuple | set | frozenset):
        client_ids = list(client_ids) or [-1]  # a list, or a SELECT of ids

    def scoped(query, column=r.submitted_at, client_column=r.client_id, survey_column=r.survey_id):
        if client_ids is not None:
            query = query.where(client_column.in_(client_ids))
        if kind is not None:
            query = query.where(survey_column.in_(select(Survey.id).where(Survey.kind == kind)))
        return _period(query, column, since, until)

    overall = _scores(session.execute(scoped(select(*_counts()))).one(), "All clients")
    month = month_of(r.submitted_at).label("month")
    months = [
        _scores(row[1:], row[0], row[0])
        for row in session.execute(
            scoped(select(month, *_counts())).group_by(month).order_by(month)
        )
    ]
    per_client = {
        row[0]: _scores(row[2:], row[1], row[0])
        for row in session.execute(
            scoped(
                select(r.client_id, Client.name, *_counts()).join(Client, Client.id == r.client_id)
            ).group_by(r.client_id, Client.name)
        )
    }
    # Invitations sent in the period: the response rate's denominator.
    rec = SurveyRecipient
    invited = session.execute(
        scoped(
            select(rec.client_id, Client.name, func.count(rec.id))
            .join(Client, Client.id == rec.client_id)
            .where(rec.sent_at.is_not(None)),
            rec.sent_at,
            rec.client_id,
            rec.survey_id,
        ).group_by(rec.client_id, Client.name)
    ).all()
    for client_id, name, count in invited:
        per_client.setdefault(client_id, Scores(name, client_id)).invited = int(count)
        overall.invited += int(count)
    clients = sorted(per_client.values(), key=lambda s: (s.label or "").lower())
    return Results(overall, clients, months)


# What a person answered is theirs: exported; free text goes on erasure, the scores stay
# (they name no one and the figures need them).
PERSONAL_DATA.append(
    PersonalData(
        "survey_responses",
        SurveyResponse,
        column_is("contact_id"),
        export=("survey_id", "answers", "nps_score", "csat_score", "submitted_at"),
        erase={
            "answers": lambda row, person: {
                k: v for k, v in (row.answers or {}).items() if not isinstance(v, str)
            }
        },
    )
)
