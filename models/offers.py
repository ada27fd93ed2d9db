"""Offers to candidates and their negotiation.

An offer is made for one application (a candidate on a job order). Its terms (base, bonus,
equity, currency, benefits, start date, terms) live on rounds: round 1 is the first proposal;
each counter-offer is a new round recording who proposed it (the agency, the client or the
candidate), who recorded it and when, so the whole negotiation reads in order.

    draft → extended → accepted | declined | expired
    extended → negotiating (a counter-offer) → extended (the latest round, re-extended)
    draft | extended | negotiating → withdrawn

An offer whose latest round's base salary is above the job order's budget (the top of its
salary range) is extended only once an Account Manager or an Admin has approved that round.
Extending moves the application to the pipeline's Offer stage.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    select,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .access import ROLE_ACCOUNT_MANAGER, ROLE_ADMIN
from .base import ConstructorDefaults, DomainError, Model, TimestampMixin, UTCDateTime, utcnow
from .candidates import EXITS, PIPELINE, Application, Candidate
from .clients import CURRENCIES, Client, _blank, _choice_sql, _session
from .commercial import OnClientTimeline, money, next_number
from .recruiting import LIVE_STATUSES, MONEY_MAX, JobOrder

OFFER_STATUSES = (
    "draft",
    "extended",
    "negotiating",
    "accepted",
    "declined",
    "withdrawn",
    "expired",
)
STATUS_LABELS = {
    "draft": "Draft",
    "extended": "Extended",
    "negotiating": "Negotiating",
    "accepted": "Accepted",
    "declined": "Declined",
    "withdrawn": "Withdrawn",
    "expired": "Expired",
}
PROPOSERS = ("agency", "client", "candidate")
OPEN_STATUSES = ("draft", "extended", "negotiating")
OPEN_OFFER_SQL = "status IN ('draft', 'extended', 'negotiating')"
# The terms of a round, in the order the history shows them.
TERMS = ("base_salary", "bonus", "equity", "currency", "benefits", "start_date", "terms")
TERM_LABELS = {
    "base_salary": "Base salary",
    "bonus": "Bonus",
    "equity": "Equity",
    "currency": "Currency",
    "benefits": "Benefits",
    "start_date": "Start date",
    "terms": "Terms",
}


class OfferError(DomainError):
    """An offer or one of its rounds breaks a rule of this module."""


class OfferStateError(OfferError):
    """The offer's status does not allow this (accepted once expired, extended unapproved)."""

    status_code = 409


def default_validity() -> int:
    from flask import current_app, has_app_context

    return int(current_app.config.get("OFFER_VALID_DAYS", 7)) if has_app_context() else 7


class Offer(OnClientTimeline, ConstructorDefaults, TimestampMixin, Model):
    __tablename__ = "offer"
    timeline_kind = "offer"
    __table_args__ = (
        UniqueConstraint("number", name="uq_offer_number"),
        CheckConstraint(_choice_sql("status", OFFER_STATUSES), name="ck_offer_status"),
        # One open offer per application, even when two people make one at the same moment.
        Index(
            "uq_offer_open_application",
            "application_id",
            unique=True,
            sqlite_where=text(OPEN_OFFER_SQL),
            postgresql_where=text(OPEN_OFFER_SQL),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(20), nullable=False)  # O-<year>-<nnnn>
    application_id: Mapped[int] = mapped_column(
        ForeignKey("application.id"), nullable=False, index=True
    )
    # Copied from the application for lists and scoping.
    job_order_id: Mapped[int] = mapped_column(
        ForeignKey("job_order.id"), nullable=False, index=True
    )
    candidate_id: Mapped[int] = mapped_column(
        ForeignKey("candidate.id"), nullable=False, index=True
    )
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id"), nullable=False, index=True)
    status: Mapped[str] = mapped_column(String(12), nullable=False, default="draft", index=True)
    expires_on: Mapped[date | None] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    # The round an Account Manager or Admin approved above the budget (None: none approved).
    approved_round: Mapped[int | None] = mapped_column(Integer)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    extended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_note: Mapped[str | None] = mapped_column(String(1000))

    application: Mapped[Application] = relationship(Application)
    job_order: Mapped[JobOrder] = relationship(JobOrder, lazy="joined")
    candidate: Mapped[Candidate] = relationship(Candidate, lazy="joined")
    client: Mapped[Client] = relationship(Client)
    rounds: Mapped[list[OfferRound]] = relationship(
        back_populates="offer", cascade="all, delete-orphan", order_by="OfferRound.number"
    )
    created_by: Mapped[User | None] = relationship(User, foreign_keys=[created_by_id])
    approved_by: Mapped[User | None] = relationship(User, foreign_keys=[approved_by_id])

    def __str__(self) -> str:
        return f"{self.number} {self.candidate} ({self.job_order.title})"

    # -- derived values
    @property
    def current(self) -> OfferRound | None:
        return self.rounds[-1] if self.rounds else None

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def budget(self) -> Decimal | None:
        """The job order's budget for the base salary: the top of its salary range."""
        job = self.job_order
        return job.salary_max if job is not None else None

    @property
    def over_budget(self) -> bool:
        """The latest round's base salary is above the budget (or in another currency than
        the budget's, which cannot be compared)."""
        current, budget = self.current, self.budget
        if current is None or budget is None:
            return False
        if current.currency != self.job_order.currency:
            return True
        return current.base_salary > budget

    @property
    def needs_approval(self) -> bool:
        return self.over_budget and self.approved_round != self.current.number

    @property
    def is_expired(self) -> bool:
        return self.status == "expired" or (
            self.status == "extended"
            and self.expires_on is not None
            and self.expires_on < date.today()
        )

    @property
    def available_actions(self) -> tuple[str, ...]:
        """The verbs this offer's status allows now (the buttons a page shows): ``propose``,
        ``approve`` (only when the latest round needs it), ``extend``, ``accept``, ``decline``,
        ``withdraw``. The verbs themselves check again."""
        if self.status not in OPEN_STATUSES:
            return ()
        if self.is_expired:
            return ("withdraw",)
        actions = ["propose"]
        if self.status in ("draft", "negotiating"):
            actions += ["approve"] if self.needs_approval else []
            actions.append("extend")
        if self.status == "extended":
            actions.append("accept")
        if self.status in ("extended", "negotiating"):
            actions.append("decline")
        actions.append("withdraw")
        return tuple(actions)

    # -- actions
    @classmethod
    def action_create(
        cls, application: Application, by: User | None = None, note: str | None = None, **terms
    ) -> Offer:
        """A draft offer with its first round, proposed by the agency (the caller commits).

        :raise OfferStateError: for an application out of the pipeline, a job order that is not
            live, or an application with an open offer already.
        :raise OfferError: for terms that break a rule.
        """
        here = application.stage
        if here in EXITS or here == "placed":
            raise OfferStateError(
                f"{application.candidate} is {here} on {application.job_order.reference}: "
                "no offer can be made.",
                "application",
            )
        if application.job_order.status not in LIVE_STATUSES:
            raise OfferStateError(
                f"{application.job_order.reference} is {application.job_order.status}: offers "
                "are made on open job orders.",
                "application",
            )
        session = _session()
        if application.id is not None:
            open_offer = session.scalar(
                select(Offer).where(
                    Offer.application_id == application.id, Offer.status.in_(OPEN_STATUSES)
                )
            )
            if open_offer is not None:
                raise OfferStateError(
                    f"{application.candidate} has offer {open_offer.number} open already: "
                    "negotiate it, or withdraw it first.",
                    "application",
                )
        if not terms.get("currency"):  # left blank: the job order's
            terms["currency"] = application.job_order.currency
        offer = cls(
            application=application,
            job_order=application.job_order,
            job_order_id=application.job_order_id,
            candidate=application.candidate,
            candidate_id=application.candidate_id,
            client_id=application.client_id,
            created_by=by,
        )
        offer.number = next_number(model=cls, letter="O")
        offer.rounds.append(OfferRound.build(1, "agency", by, note, terms))
        session.add(offer)
        offer._log(by, f"Offer {offer.number} drafted for {offer.candidate}")
        return offer

    def action_propose(
        self, proposed_by: str, by: User | None = None, note: str | None = None, **changes
    ) -> OfferRound:
        """A counter-offer: a new round with ``changes`` over the latest round's terms.

        In a draft it revises the offer before it goes out; on an extended offer it opens the
        negotiation (the offer waits for the agency to extend the new terms).

        :raise OfferStateError: unless open.  :raise OfferError: for terms that break a rule,
            an unknown proposer, or a round that changes nothing.
        """
        if self.is_expired or self.status not in OPEN_STATUSES:
            raise OfferStateError(
                f"Offer {self.number} is {self._status_text()}; its terms can no longer change.",
                "status",
            )
        if proposed_by not in PROPOSERS:
            raise OfferError(f"Proposed by must be one of {', '.join(PROPOSERS)}.", "proposed_by")
        unknown = set(changes) - set(TERMS)
        if unknown:
            field = sorted(unknown)[0]
            raise OfferError(f"{field.replace('_', ' ').capitalize()} is not an offer term.", field)
        previous = self.current
        terms = {**previous.package(), **changes}
        round_ = OfferRound.build(previous.number + 1, proposed_by, by, note, terms)
        # Compared once parsed: "110000" and 110000.00, or a padded text, are the same term.
        if round_.package() == previous.package():
            raise OfferError(
                "The counter-offer changes nothing: give at least one new term.", "base_salary"
            )
        self.rounds.append(round_)
        if self.status == "extended":
            self.status = "negotiating"
        changed = ", ".join(label for label, _, _ in round_.changes_from(previous))
        self._log(
            by,
            f"Offer {self.number}: round {round_.number} proposed by the {proposed_by} ({changed})",
        )
        return round_

    def action_approve(self, by: User, comment: str | None = None) -> None:
        """Approve the latest round above the budget.

        :raise OfferStateError: when no approval is needed.
        :raise OfferError: for an approver who is not an Account Manager or an Admin.
        """
        if self.status not in ("draft", "negotiating") or not self.needs_approval:
            raise OfferStateError(
                f"Offer {self.number} needs no approval"
                + (" (it is within the job order's budget)." if not self.over_budget else "."),
                "status",
            )
        if not {role.name for role in by.roles} & {ROLE_ACCOUNT_MANAGER, ROLE_ADMIN}:
            raise OfferError(
                "An offer above the job order's budget is approved by an Account Manager or an "
                "Admin.",
                "status",
            )
        self.approved_round, self.approved_by, self.approved_at = self.current.number, by, utcnow()
        self._log(
            by,
            f"Offer {self.number}: round {self.current.number} approved above the budget"
            + (f" ({comment.strip()})" if comment and comment.strip() else ""),
        )

    def action_extend(self, by: User | None = None, expires_on: date | None = None) -> None:
        """Put the latest round to the candidate; the application moves to the Offer stage.

        :raise OfferStateError: for an offer that is not a draft or in negotiation, or above
            the budget without approval.  :raise OfferError: for an expiry date in the past.
        """
        if self.status not in ("draft", "negotiating"):
            raise OfferStateError(
                f"Offer {self.number} is {self._status_text()}; only a draft or an offer in "
                "negotiation is extended.",
                "status",
            )
        if self.needs_approval:
            current = self.current
            raise OfferStateError(
                f"The base salary {current.currency} {current.base_salary:,} is above the job "
                f"order's budget ({self.job_order.currency} {self.budget:,}): an Account Manager "
                "or an Admin must approve round "
                f"{current.number} before the offer is extended.",
                "status",
            )
        today = date.today()
        expires_on = expires_on or today + timedelta(days=default_validity())
        if expires_on < today:
            raise OfferError("Expires on must be today or later.", "expires_on")
        self.status, self.expires_on, self.extended_at = "extended", expires_on, utcnow()
        application = self.application
        if application.stage in PIPELINE and PIPELINE.index(application.stage) < PIPELINE.index(
            "offer"
        ):
            application.action_move("offer", by, note=f"Offer {self.number} extended")
        self._log(
            by,
            f"Offer {self.number} (round {self.current.number}) extended to {self.candidate} "
            f"until {expires_on:%d %b %Y}",
        )

    def action_accept(self, by: User | None = None, note: str | None = None) -> None:
        """The candidate accepted the extended terms."""
        self._refuse_unless_extended("accepted")
        self._decide("accepted", by, note)

    def action_decline(self, by: User | None = None, reason: str | None = None) -> None:
        """The candidate declined (the reason is asked for, and kept)."""
        if self.is_expired or self.status not in ("extended", "negotiating"):
            self._refuse_unless_extended("declined")
        if _blank(reason):
            raise OfferError("Give the candidate's reason for declining.", "reason")
        self._decide("declined", by, reason)

    def action_withdraw(self, by: User | None = None, reason: str | None = None) -> None:
        """The agency or the client takes the offer back."""
        if self.status not in OPEN_STATUSES:
            raise OfferStateError(
                f"Offer {self.number} is {self._status_text()}; it can no longer be withdrawn.",
                "status",
            )
        if _blank(reason):
            raise OfferError("Give the reason for withdrawing the offer.", "reason")
        self._decide("withdrawn", by, reason)

    def action_expire(self, today: date | None = None) -> bool:
        today = today or date.today()
        if self.status == "extended" and self.expires_on is not None and self.expires_on < today:
            self.status, self.decided_at = "expired", utcnow()
            self._log(None, f"Offer {self.number} expired (open until {self.expires_on})")
            return True
        return False

    def _decide(self, status: str, by: User | None, note: str | None) -> None:
        self.status, self.decided_at = status, utcnow()
        self.decision_note = (note or "").strip()[:1000] or None
        self._log(
            by,
            f"Offer {self.number} {status}"
            + (f": {self.decision_note}" if self.decision_note else ""),
        )

    def _refuse_unless_extended(self, wanted: str) -> None:
        if self.is_expired:
            raise OfferStateError(
                f"Offer {self.number} expired on {self.expires_on:%d %b %Y}; it can no longer be "
                f"{wanted}. Extend a new offer instead.",
                "status",
            )
        if self.status != "extended":
            raise OfferStateError(
                f"Offer {self.number} is {self._status_text()}; only an extended offer can be "
                f"{wanted}.",
                "status",
            )

    def _status_text(self) -> str:
        return "expired" if self.is_expired else self.status_label.lower()


class OfferRound(Model):
    """One proposal in an offer's negotiation: the full terms, who proposed them, and when."""

    __tablename__ = "offer_round"
    __table_args__ = (
        UniqueConstraint("offer_id", "number", name="uq_offer_round"),
        CheckConstraint(_choice_sql("proposed_by", PROPOSERS), name="ck_offer_round_proposer"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    offer_id: Mapped[int] = mapped_column(
        ForeignKey("offer.id", ondelete="CASCADE"), nullable=False, index=True
    )
    number: Mapped[int] = mapped_column(Integer, nullable=False)
    proposed_by: Mapped[str] = mapped_column(String(10), nullable=False)
    base_salary: Mapped[Decimal] = mapped_column(Numeric(14, 2), nullable=False)
    bonus: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    equity: Mapped[str | None] = mapped_column(String(191))  # e.g. "0.25% over 4 years"
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    benefits: Mapped[str | None] = mapped_column(Text)
    start_date: Mapped[date | None] = mapped_column(Date)
    terms: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(String(1000))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))

    offer: Mapped[Offer] = relationship(back_populates="rounds")
    recorded_by: Mapped[User | None] = relationship(User, lazy="joined")

    def __str__(self) -> str:
        return f"round {self.number} ({self.proposed_by})"

    @property
    def total_cash(self) -> Decimal:
        return money(self.base_salary + (self.bonus or 0), self.currency)

    def package(self) -> dict:
        """This round's terms by name (what a counter-offer starts from)."""
        return {key: getattr(self, key) for key in TERMS}

    def changes_from(self, earlier: OfferRound | None) -> list[tuple[str, object, object]]:
        """(label, before, after) for each term that differs from ``earlier``."""
        if earlier is None:
            return []
        return [
            (TERM_LABELS[key], getattr(earlier, key), getattr(self, key))
            for key in TERMS
            if getattr(earlier, key) != getattr(self, key)
        ]

    @classmethod
    def build(
        cls, number: int, proposed_by: str, by: User | None, note: str | None, terms: dict
    ) -> OfferRound:
        """A round from ``terms``, checked.  :raise OfferError: naming the first bad term."""
        values = {
            key: value.replace("\r\n", "\n").strip() if isinstance(value, str) else value
            for key, value in terms.items()
        }
        for key in ("benefits", "terms", "equity", "start_date"):
            if values.get(key) == "":
                values[key] = None
        for key in ("base_salary", "bonus"):
            if values.get(key) in (None, ""):
                values[key] = None
                continue
            try:
                values[key] = Decimal(str(values[key]))
            except ArithmeticError:
                values[key] = None
            if values[key] is None or not values[key].is_finite():
                raise OfferError(f"{TERM_LABELS[key]} must be an amount such as 85000.", key)
        if isinstance(values.get("start_date"), str):  # a form's or an API's ISO date
            try:
                values["start_date"] = date.fromisoformat(values["start_date"])
            except ValueError:
                raise OfferError("Start date must be a date as YYYY-MM-DD.", "start_date") from None
        round_ = cls(
            number=number,
            proposed_by=proposed_by,
            recorded_by=by,
            at=utcnow(),
            note=(note or "").strip()[:1000] or None,
            **values,
        )
        round_.validate()
        return round_

    def violations(self) -> list[OfferError]:
        errors = []
        if self.base_salary is None or not 0 < self.base_salary <= MONEY_MAX:
            errors.append(
                OfferError(
                    f"Base salary must be more than 0 and at most {MONEY_MAX:,}.", "base_salary"
                )
            )
        if self.bonus is not None and not 0 <= self.bonus <= MONEY_MAX:
            errors.append(OfferError(f"Bonus must be 0 to {MONEY_MAX:,}.", "bonus"))
        for key in ("base_salary", "bonus"):
            amount = getattr(self, key)
            if (
                isinstance(amount, Decimal)
                and amount.is_finite()
                and amount.normalize().as_tuple().exponent < -2
            ):
                errors.append(
                    OfferError(f"{TERM_LABELS[key]} may have at most 2 decimal places.", key)
                )
        if self.currency not in CURRENCIES:
            errors.append(OfferError("Currency must be an ISO 4217 code such as USD.", "currency"))
        if self.equity is not None and len(self.equity) > 191:
            errors.append(OfferError("Equity may hold at most 191 characters.", "equity"))
        for key in ("benefits", "terms"):
            value = getattr(self, key)
            if value is not None and len(value) > 5000:
                errors.append(
                    OfferError(f"{TERM_LABELS[key]} may hold at most 5,000 characters.", key)
                )
        if self.start_date is not None and not isinstance(self.start_date, date):
            errors.append(OfferError("Start date must be a date.", "start_date"))
        return errors

    def validate(self) -> None:
        errors = self.violations()
        if errors:
            raise errors[0]


def expire_offers(today: date | None = None) -> int:
    """Mark every extended offer past its expiry date as expired; returns how many."""
    today = today or date.today()
    due = (
        _session()
        .scalars(select(Offer).where(Offer.status == "extended", Offer.expires_on < today))
        .all()
    )
    return sum(1 for offer in due if offer.action_expire(today))
