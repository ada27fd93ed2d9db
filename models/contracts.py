"""Contracts: the agreements a client signs, drafted from a template or converted from an
accepted quote, with their lines, term, value, parties and performance.

Only a draft's content changes; every saved change is a new version
(``models/contract_versions.py``: snapshots and their readable differences). The statuses, the
approval above ``CONTRACT_APPROVAL_VALUE`` and the verbs that move a contract along are
``models/contract_states.py``'s, mixed into ``Contract``. A signed contract renews by its term
(automatically on its renewal date when ``auto_renew``); its owner hears of the renewal
``CONTRACT_RENEWAL_NOTICE_DAYS`` before (``jobs/contracts.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    func,
    inspect,
    select,
)
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship, validates

from .activity import record_activity
from .base import (
    ConstructorDefaults,
    DomainError,
    Model,
    TimestampMixin,
    UTCDateTime,
    length_violations,
    utcnow,
)
from .base import (
    finite as _finite,
)
from .clients import CURRENCIES, Client, _blank, _choice_sql, _session
from .commercial import (
    SERVICE_TYPES,
    OnClientTimeline,
    PricedLines,
    Quote,
    ServiceLine,
    money,
    next_number,
)
from .contract_states import (  # noqa: F401 (the workflow's names, for callers of this module)
    ACTIONS_BY_STATUS,
    CONTRACT_STATUSES,
    LAST_YEAR,
    OPEN_STATUSES,
    STATUS_LABELS,
    ContractApproval,
    ContractError,
    ContractStateError,
    ContractWorkflow,
    add_months,
    approval_threshold,
)
from .contract_versions import (  # noqa: F401
    FIELD_LABELS,
    VERSIONED_FIELDS,
    ContractDiff,
    ContractVersion,
    _plain,
    diff_snapshots,
)
from .privacy import PERSONAL_DATA, PersonalData, column_is
from .recruiting import MONEY_MAX, PAYMENT_TERMS

if TYPE_CHECKING:
    from .contacts import Contact

CONTRACT_TYPES = ("master service agreement", "project", "retained search", "contingency")
# Which contract a quote's lines make, by their service type (the rest are project contracts).
TYPE_BY_SERVICE = {
    "retained executive search": "retained search",
    "contingency recruitment": "contingency",
}


class ContractTemplate(TimestampMixin, Model):
    """A starting point for a contract: its type, terms and defaults (per service and tier)."""

    __tablename__ = "contract_template"
    __table_args__ = (
        CheckConstraint(
            _choice_sql("contract_type", CONTRACT_TYPES), name="ck_contract_template_type"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120), nullable=False, unique=True)
    contract_type: Mapped[str] = mapped_column(String(30), nullable=False)
    # The client tier it is written for ("standard", "enterprise"...), free text.
    tier: Mapped[str | None] = mapped_column(String(40))
    # {client} and {agency} in the terms become the client's and the agency's names.
    terms: Mapped[str] = mapped_column(Text, nullable=False)
    payment_terms: Mapped[str | None] = mapped_column(String(12))
    term_months: Mapped[int] = mapped_column(Integer, nullable=False, default=12)
    auto_renew: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    replacement_guarantee_days: Mapped[int | None] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)

    def __str__(self) -> str:
        return self.name

    def violations(self) -> list[ContractError]:
        errors = []
        if _blank(self.name):
            errors.append(ContractError("Name is required.", "name"))
        if self.contract_type not in CONTRACT_TYPES:
            errors.append(
                ContractError(f"Type must be one of {', '.join(CONTRACT_TYPES)}.", "contract_type")
            )
        if _blank(self.terms):
            errors.append(ContractError("Terms are required.", "terms"))
        if self.payment_terms is not None and self.payment_terms not in PAYMENT_TERMS:
            errors.append(
                ContractError(
                    f"Payment terms must be one of {', '.join(PAYMENT_TERMS)}.", "payment_terms"
                )
            )
        if self.term_months is None or not 1 <= self.term_months <= 120:
            errors.append(ContractError("Term must be 1 to 120 months.", "term_months"))
        return errors + length_violations(self, ContractError)

    def validate(self) -> None:
        errors = self.violations()
        if errors:
            raise errors[0]

    def terms_for(self, client: Client) -> str:
        from flask import current_app, has_app_context

        agency = current_app.config.get("AGENCY_NAME") if has_app_context() else None
        return self.terms.replace("{client}", client.name).replace(
            "{agency}", agency or "the agency"
        )


class Contract(
    ContractWorkflow, OnClientTimeline, PricedLines, ConstructorDefaults, TimestampMixin, Model
):
    __tablename__ = "contract"
    timeline_kind = "contract"
    __table_args__ = (
        UniqueConstraint("number", name="uq_contract_number"),
        CheckConstraint(_choice_sql("status", CONTRACT_STATUSES), name="ck_contract_status"),
        CheckConstraint(_choice_sql("contract_type", CONTRACT_TYPES), name="ck_contract_type"),
    )

    # -- columns
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id"), nullable=False, index=True)
    number: Mapped[str] = mapped_column(String(20), nullable=False)  # C-<year>-<nnnn>
    title: Mapped[str] = mapped_column(String(191), nullable=False, active_history=True)
    contract_type: Mapped[str] = mapped_column(String(30), nullable=False, active_history=True)
    status: Mapped[str] = mapped_column(String(12), nullable=False, default="draft", index=True)
    currency: Mapped[str] = mapped_column(
        String(3), nullable=False, default="USD", active_history=True
    )
    value: Mapped[Decimal] = mapped_column(
        Numeric(14, 2), nullable=False, default=Decimal("0"), active_history=True
    )
    discount_percent: Mapped[Decimal] = mapped_column(
        Numeric(5, 2), nullable=False, default=Decimal("0"), active_history=True
    )
    tax_rate: Mapped[Decimal] = mapped_column(
        Numeric(5, 2), nullable=False, default=Decimal("0"), active_history=True
    )
    start_date: Mapped[date] = mapped_column(Date, nullable=False, active_history=True)
    end_date: Mapped[date | None] = mapped_column(Date, active_history=True)
    renewal_date: Mapped[date | None] = mapped_column(Date, index=True, active_history=True)
    auto_renew: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=False, active_history=True
    )
    renewal_term_months: Mapped[int] = mapped_column(
        Integer, nullable=False, default=12, active_history=True
    )
    payment_terms: Mapped[str | None] = mapped_column(String(12), active_history=True)
    replacement_guarantee_days: Mapped[int | None] = mapped_column(Integer, active_history=True)
    placements_target: Mapped[int | None] = mapped_column(Integer, active_history=True)
    terms: Mapped[str | None] = mapped_column(Text, active_history=True)
    # The parties: the client (above), who signs for it, and the agency's owner of the contract.
    client_signatory_id: Mapped[int | None] = mapped_column(
        ForeignKey("contact.id"), active_history=True
    )
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    quote_id: Mapped[int | None] = mapped_column(ForeignKey("quote.id"), unique=True)
    template_id: Mapped[int | None] = mapped_column(ForeignKey("contract_template.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    signed_name: Mapped[str | None] = mapped_column(String(191))
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    end_reason: Mapped[str | None] = mapped_column(String(1000))
    # The renewal date its owner was last told of (one notice per renewal).
    renewal_notice_for: Mapped[date | None] = mapped_column(Date)

    # -- relationships
    client: Mapped[Client] = relationship(Client, lazy="joined")
    lines: Mapped[list[ContractLine]] = relationship(
        back_populates="contract", cascade="all, delete-orphan", order_by="ContractLine.position"
    )
    versions: Mapped[list[ContractVersion]] = relationship(
        back_populates="contract",
        cascade="all, delete-orphan",
        order_by="ContractVersion.number",
    )
    approvals: Mapped[list[ContractApproval]] = relationship(
        back_populates="contract", cascade="all, delete-orphan", order_by="ContractApproval.level"
    )
    client_signatory: Mapped[Contact | None] = relationship("Contact")
    owner: Mapped[User | None] = relationship(User, foreign_keys=[owner_id])
    created_by: Mapped[User | None] = relationship(User, foreign_keys=[created_by_id])
    quote: Mapped[Quote | None] = relationship(
        Quote, backref=backref("contract", uselist=False), lazy="joined"
    )
    template: Mapped[ContractTemplate | None] = relationship(ContractTemplate)

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @validates("title", "terms")
    def _strip(self, key, value):
        return value.strip() if isinstance(value, str) else value

    # -- derived values
    @property
    def reference(self) -> str:
        return self.number or "new contract"

    @property
    def worth(self) -> Decimal:
        """What the contract is worth: its value, or its lines' total when that is more."""
        value = self.value if _finite(self.value) else Decimal(0)
        return max(value, self.total) if self.lines else value

    @property
    def value_label(self) -> str:
        """The value with its currency, as lists show it ("USD 40,000.00")."""
        return f"{self.currency} {self.value or 0:,.2f}"

    def snapshot(self) -> dict:
        """This contract's content as plain JSON values (what a version keeps)."""
        fields = {}
        for field in VERSIONED_FIELDS:
            fields[field] = _plain(getattr(self, field))
        lines = [
            {key: _plain(value) for key, value in line.as_dict().items()} for line in self.lines
        ]
        return {"fields": fields, "lines": lines}

    # -- rules
    def violations(self) -> list[ContractError]:
        errors = []
        if self.client is None and self.client_id is None:
            errors.append(ContractError("Choose the client this contract is with.", "client"))
        if _blank(self.title):
            errors.append(ContractError("Title is required.", "title"))
        if self.contract_type not in CONTRACT_TYPES:
            errors.append(
                ContractError(f"Type must be one of {', '.join(CONTRACT_TYPES)}.", "contract_type")
            )
        if self.currency not in CURRENCIES:
            errors.append(
                ContractError("Currency must be an ISO 4217 code such as USD.", "currency")
            )
        if not _finite(self.value) or not 0 <= self.value <= MONEY_MAX:
            errors.append(ContractError(f"Value must be 0 to {MONEY_MAX:,}.", "value"))
        for field in ("discount_percent", "tax_rate"):
            value = getattr(self, field)
            if not _finite(value) or not 0 <= value <= 100:
                label = field.replace("_", " ").capitalize()
                errors.append(ContractError(f"{label} must be between 0 and 100.", field))
        for field in ("start_date", "end_date", "renewal_date"):
            day = getattr(self, field)
            if day is not None and day.year >= LAST_YEAR:
                label = field.replace("_", " ").capitalize()
                errors.append(ContractError(f"{label} must be before the year {LAST_YEAR}.", field))
        if self.start_date is None:
            errors.append(ContractError("Start date is required.", "start_date"))
        elif self.end_date is not None and self.end_date < self.start_date:
            errors.append(ContractError("End date must be on or after the start date.", "end_date"))
        if (
            self.renewal_date is not None
            and self.start_date is not None
            and self.renewal_date <= self.start_date
        ):
            errors.append(
                ContractError("Renewal date must be after the start date.", "renewal_date")
            )
        if self.auto_renew and self.renewal_date is None:
            errors.append(ContractError("Auto-renewal needs a renewal date.", "renewal_date"))
        if self.renewal_term_months is None or not 1 <= self.renewal_term_months <= 120:
            errors.append(
                ContractError("Renewal term must be 1 to 120 months.", "renewal_term_months")
            )
        if self.payment_terms is not None and self.payment_terms not in PAYMENT_TERMS:
            errors.append(
                ContractError(
                    f"Payment terms must be one of {', '.join(PAYMENT_TERMS)}.", "payment_terms"
                )
            )
        for field, top in (("replacement_guarantee_days", 3650), ("placements_target", 10_000)):
            value = getattr(self, field)
            if value is not None and not 0 <= value <= top:
                label = field.replace("_", " ").capitalize()
                errors.append(ContractError(f"{label} must be 0 to {top:,}.", field))
        signatory = self.client_signatory
        if signatory is not None and self.client is not None:
            if self.client.id not in {link.client_id for link in signatory.client_links}:
                errors.append(
                    ContractError(
                        f"{signatory} is not a contact of {self.client.name}: the client "
                        "signatory must be one.",
                        "client_signatory",
                    )
                )
        if not errors and self.lines and self.value < self.total:
            # Checked once the amounts it is made of are valid.
            errors.append(
                ContractError(
                    f"Value must be at least the lines' total ({self.currency} {self.total:,}).",
                    "value",
                )
            )
        errors += length_violations(self, ContractError)
        if self.id is not None and self.status != "draft":
            changed = self.changed_fields()
            if changed and not self._is_renewal(changed):
                errors.append(
                    ContractStateError(
                        f"{self.reference} is {self.status_label.lower()}: reopen it as a draft "
                        f"to change {FIELD_LABELS.get(changed[0], changed[0].replace('_', ' '))}.",
                        changed[0],
                    )
                )
        return errors

    def _is_renewal(self, changed: list[str]) -> bool:
        """The only change is the one ``action_renew`` made to the term's dates."""
        return set(changed) <= {"end_date", "renewal_date"} and getattr(
            self, "_renewed_to", None
        ) == (self.end_date, self.renewal_date)

    def changed_fields(self) -> list[str]:
        """The versioned fields changed in this session (not yet flushed)."""
        state = inspect(self)
        changed = []
        for field in VERSIONED_FIELDS:
            history = state.attrs[field].history
            if history.deleted and history.deleted[0] != (
                history.added[0] if history.added else None
            ):
                changed.append(field)
        return changed

    def validate(self) -> None:
        """:raise ContractError: for the first rule this contract breaks."""
        errors = self.violations()
        if errors:
            raise errors[0]

    # -- creating
    @classmethod
    def action_create(cls, client: Client, by: User | None = None, **fields) -> Contract:
        """A new draft for ``client``, numbered C-<year>-<nnnn>, its version 1 recorded
        (the caller commits).  :raise ContractError:"""
        fields.setdefault("owner", by or client.account_manager)
        number = next_number(model=cls, letter="C")
        contract = cls(number=number, client=client, client_id=client.id, created_by=by, **fields)
        contract.validate()
        _session().add(contract)
        contract.action_record_version(by, "Drafted")
        return contract

    @classmethod
    def action_create_from_template(
        cls, template: ContractTemplate, client: Client, by: User | None = None, **fields
    ) -> Contract:
        """A draft with the template's type, terms and defaults; ``fields`` override them."""
        start = fields.pop("start_date", None) or date.today()
        end = add_months(start, template.term_months, "start_date") - timedelta(days=1)
        defaults = {
            "title": f"{template.name} — {client.name}",
            "contract_type": template.contract_type,
            "terms": template.terms_for(client),
            "payment_terms": template.payment_terms,
            "replacement_guarantee_days": template.replacement_guarantee_days,
            "auto_renew": template.auto_renew,
            "renewal_term_months": template.term_months,
            "start_date": start,
            "end_date": end,
            "renewal_date": end + timedelta(days=1),
            "currency": client.currency or "USD",
        }
        return cls.action_create(client, by, template=template, **{**defaults, **fields})

    @classmethod
    def action_convert_quote(cls, quote: Quote, by: User | None = None, **fields) -> Contract:
        """The contract of an accepted quote: its lines, totals and terms carried over, and the
        link kept both ways (``contract.quote``, ``quote.contract``).

        :raise ContractStateError: unless the quote is accepted and not converted already.
        """
        if quote.status != "accepted":
            raise ContractStateError(
                f"Quote {quote.reference} is {quote.status}; only an accepted quote becomes a "
                "contract.",
                "quote",
            )
        if quote.contract is not None:
            raise ContractStateError(
                f"Quote {quote.reference} was converted to {quote.contract.number} already.",
                "quote",
            )
        services = {line.service_type for line in quote.lines}
        kind = TYPE_BY_SERVICE.get(services.pop()) if len(services) == 1 else None
        number = next_number(model=cls, letter="C")
        start = fields.pop("start_date", None) or date.today()
        end = add_months(start, 12, "start_date") - timedelta(days=1)
        defaults = {
            "title": quote.title,
            "contract_type": kind or "project",
            "currency": quote.currency,
            "discount_percent": quote.discount_percent,
            "tax_rate": quote.tax_rate,
            "payment_terms": quote.payment_terms,
            "replacement_guarantee_days": quote.replacement_guarantee_days,
            "terms": quote.terms,
            "start_date": start,
            "end_date": end,
            "renewal_date": end + timedelta(days=1),
            "client_signatory": quote.accepted_by,
            "owner": quote.created_by or by,
        }
        contract = cls(
            number=number,
            client=quote.client,
            client_id=quote.client_id,
            created_by=by,
            quote=quote,
            **{**defaults, **fields},
        )
        session = _session()
        with session.no_autoflush:
            for line in quote.lines:
                contract.lines.append(ContractLine(**line.as_dict()))
            contract.value = contract.total
            session.add(contract)
        contract.action_record_version(by, f"Converted from quote {quote.reference}")
        record_activity(
            session,
            "quote",
            f"Quote {quote.reference} converted to contract {contract.number}",
            client_id=quote.client_id,
            subject_type="quote",
            subject_id=quote.id,
            actor=by,
        )
        return contract

    # -- content and versions
    def action_update(self, by: User | None = None, note: str | None = None, **fields) -> bool:
        """Change a draft's content and record the version; True when anything changed.

        :raise ContractStateError: unless a draft.  :raise ContractError: for a broken rule.
        """
        self._refuse_unless("draft", "changed")
        for field, value in fields.items():
            if field not in VERSIONED_FIELDS and field not in ("client_signatory", "owner"):
                raise ContractError(
                    f"{field.replace('_', ' ').capitalize()} is not a contract field.", field
                )
            setattr(self, field, value)
        self.validate()
        return self.action_record_version(by, note) is not None

    def add_line(
        self, service_type: str, description: str, quantity: Decimal, rate: Decimal
    ) -> ContractLine:
        """Add a line to a draft (``action_record_version`` records the change)."""
        self._refuse_unless("draft", "changed")
        line = ContractLine(
            service_type=service_type,
            description=(description or "").strip(),
            quantity=Decimal(quantity),
            rate=Decimal(rate),
            position=len(self.lines) + 1,
        )
        line.validate()
        self.lines.append(line)
        if _finite(self.value) and self.value < self.total:
            self.value = self.total  # a contract is worth at least its lines
        return line

    def remove_line(self, line: ContractLine) -> None:
        self._refuse_unless("draft", "changed")
        self.lines.remove(line)
        for position, kept in enumerate(self.lines, start=1):
            kept.position = position

    def action_record_version(
        self, by: User | None = None, note: str | None = None
    ) -> ContractVersion | None:
        """Keep the current content as the next version, unless it equals the last one."""
        session = _session()
        # A relationship set but not flushed (the signatory a converted quote carries over)
        # leaves its foreign key empty, and the snapshot reads the key: flush first.
        session.flush()
        snapshot = self.snapshot()
        latest = self.versions[-1] if self.versions else None
        if latest is not None and latest.content == snapshot:
            return None
        version = ContractVersion(
            number=(latest.number if latest else 0) + 1,
            content=snapshot,
            created_by=by,
            created_at=utcnow(),
            note=(note or "").strip()[:500] or None,
        )
        self.versions.append(version)
        self.version = version.number
        self._log(by, f"Contract {self.number} version {version.number}: {note or 'edited'}")
        return version

    # -- performance
    def performance(self, today: date | None = None) -> ContractPerformance:
        """Placements made for the client during the contract's term, against its target, and
        the fees they earned against its value (in the contract's currency)."""
        from .candidates import Placement

        today = today or date.today()
        end = min(self.end_date, today) if self.end_date else today
        rows = (
            _session()
            .execute(
                select(Placement.currency, func.count(Placement.id), func.sum(Placement.fee_due))
                .where(
                    Placement.client_id == self.client_id,
                    Placement.start_date >= self.start_date,
                    Placement.start_date <= end,
                )
                .group_by(Placement.currency)
            )
            .all()
        )
        placements = sum(count for _, count, _ in rows)
        fees = sum(
            (Decimal(total or 0) for currency, _, total in rows if currency == self.currency),
            Decimal(0),
        )
        other = sorted(currency for currency, _, _ in rows if currency != self.currency)
        return ContractPerformance(
            placements=placements,
            placements_target=self.placements_target,
            fees=money(fees, self.currency),
            value=self.value,
            currency=self.currency,
            other_currencies=other,
        )


@dataclass(frozen=True)
class ContractPerformance:
    placements: int
    placements_target: int | None
    fees: Decimal
    value: Decimal
    currency: str
    other_currencies: list[str]  # placements' fees in these are not counted in ``fees``

    @property
    def placements_percent(self) -> int | None:
        if not self.placements_target:
            return None
        return round(100 * self.placements / self.placements_target)

    @property
    def fees_percent(self) -> int | None:
        if not self.value:
            return None
        return round(100 * self.fees / self.value)

    def as_dict(self) -> dict:
        return {
            "placements": self.placements,
            "placements_target": self.placements_target,
            "placements_percent": self.placements_percent,
            "fees": str(self.fees),
            "value": str(self.value),
            "fees_percent": self.fees_percent,
            "currency": self.currency,
            "other_currencies": self.other_currencies,
        }


class ContractLine(ServiceLine, Model):
    __tablename__ = "contract_line"
    __table_args__ = (
        CheckConstraint(
            _choice_sql("service_type", SERVICE_TYPES), name="ck_contract_line_service"
        ),
    )
    error = ContractError

    contract_id: Mapped[int] = mapped_column(
        ForeignKey("contract.id", ondelete="CASCADE"), nullable=False, index=True
    )
    contract: Mapped[Contract] = relationship(back_populates="lines")

    @property
    def parent(self) -> Contract | None:
        return self.contract


# ---------------------------------------------------------------- the daily job's queries


def renewal_notices_due(today: date | None = None, days: int = 30) -> list[Contract]:
    """Active contracts whose renewal date is within ``days`` and not notified yet."""
    today = today or date.today()
    return list(
        _session().scalars(
            select(Contract)
            .where(
                Contract.status == "active",
                Contract.renewal_date.is_not(None),
                Contract.renewal_date <= today + timedelta(days=days),
                Contract.renewal_date >= today,
                (Contract.renewal_notice_for.is_(None))
                | (Contract.renewal_notice_for != Contract.renewal_date),
            )
            .order_by(Contract.renewal_date, Contract.id)
        )
    )


def renew_and_expire_contracts(
    today: date | None = None, skipped: list[tuple[int, str]] | None = None
) -> tuple[list[int], list[int]]:
    """Renew active auto-renewing contracts whose renewal date has come; expire the others
    past their end date. Returns the ids (renewed, expired); the caller commits.

    Each contract is changed in a savepoint: one that breaks a rule (its signatory left the
    client, a date past the last year) is left as it was and added to ``skipped`` with the
    reason, and the others go on. The rows are locked (PostgreSQL) until the commit: a second
    run racing this one waits, then finds the dates moved on and renews nothing twice.
    """
    today = today or date.today()
    session = _session()
    renewed, expired = [], []
    due = session.scalars(
        _locked(
            select(Contract).where(
                Contract.status == "active",
                Contract.auto_renew.is_(True),
                Contract.renewal_date <= today,
            )
        )
    ).all()
    for contract in due:
        if _in_savepoint(contract, lambda c: _catch_up(c, today), skipped):
            renewed.append(contract.id)
    ended = session.scalars(
        _locked(select(Contract).where(Contract.status == "active", Contract.end_date < today))
    ).all()
    for contract in ended:
        if _in_savepoint(contract, lambda c: c.action_expire(today), skipped):
            expired.append(contract.id)
    return renewed, expired


def _catch_up(contract: Contract, today: date) -> bool:
    while contract.renewal_date <= today:  # a job that did not run for a while catches up
        contract.action_renew(None)
    return True


def _in_savepoint(contract: Contract, change, skipped: list | None) -> bool:
    """``change(contract)`` flushed in a savepoint; on a broken rule, rolled back, the contract
    named in ``skipped``, and False."""
    contract_id = contract.id
    savepoint = _session().begin_nested()
    try:
        done = change(contract)
        _session().flush()
    except DomainError as error:
        savepoint.rollback()
        if skipped is not None:
            skipped.append((contract_id, error.message))
        return False
    savepoint.commit()
    return bool(done)


def _locked(query):
    """``query`` locking the contract rows it reads, and reading them afresh (not from the
    session's earlier copies)."""
    return (
        query.order_by(Contract.id)
        .with_for_update(of=Contract)
        .execution_options(populate_existing=True)
    )


# A contact who signs for their client finds the contracts in their data export; the contract
# stays whole on erasure, like a quote's acceptance: it is the record of the agreement.
PERSONAL_DATA.append(
    PersonalData(
        "contract_signatures",
        Contract,
        column_is("client_signatory_id"),
        export=("number", "version", "title", "status", "signed_at", "signed_name"),
    )
)
