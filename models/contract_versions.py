"""A contract's version history: each saved state of its content (fields and lines) kept
as a snapshot, and the readable difference between any two.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Model, UTCDateTime, utcnow
from .clients import _session
from .commercial import money

if TYPE_CHECKING:
    from .contracts import Contract

# The content of a version: what a change of makes a new version.
VERSIONED_FIELDS = (
    "title",
    "contract_type",
    "currency",
    "value",
    "discount_percent",
    "tax_rate",
    "start_date",
    "end_date",
    "renewal_date",
    "auto_renew",
    "renewal_term_months",
    "payment_terms",
    "replacement_guarantee_days",
    "placements_target",
    "terms",
    "client_signatory_id",
)
FIELD_LABELS = {
    "contract_type": "Type",
    "client_signatory_id": "Client signatory",
    "discount_percent": "Discount %",
    "tax_rate": "Tax %",
}


def _plain(value):
    """A JSON value that compares equal whenever the column's value does (2 decimal places)."""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, date):
        return value.isoformat()
    return value


class ContractVersion(Model):
    """One saved state of a contract's content, numbered from 1."""

    __tablename__ = "contract_version"
    __table_args__ = (UniqueConstraint("contract_id", "number", name="uq_contract_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contract_id: Mapped[int] = mapped_column(
        ForeignKey("contract.id", ondelete="CASCADE"), nullable=False, index=True
    )
    number: Mapped[int] = mapped_column(Integer, nullable=False)
    content_json: Mapped[str] = mapped_column(Text, nullable=False)
    note: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))

    contract: Mapped[Contract] = relationship(back_populates="versions")
    created_by: Mapped[User | None] = relationship(User)

    def __str__(self) -> str:
        return f"version {self.number}"

    @property
    def content(self) -> dict:
        return json.loads(self.content_json)

    @content.setter
    def content(self, value: dict) -> None:
        self.content_json = json.dumps(value, sort_keys=True)

    @property
    def fields(self) -> dict:
        return self.content["fields"]

    @property
    def lines(self) -> list[dict]:
        return self.content["lines"]

    def previous(self) -> ContractVersion | None:
        earlier = [v for v in self.contract.versions if v.number < self.number]
        return earlier[-1] if earlier else None

    def diff(self, other: ContractVersion | None = None) -> ContractDiff:
        """What changed from ``other`` (by default the version before) to this one."""
        other = other or self.previous()
        return diff_snapshots(other.content if other else None, self.content)

    def shown_fields(self) -> list[tuple[str, str]]:
        """(label, value) of each field but the terms, as the difference shows them."""
        return [
            (FIELD_LABELS.get(field, field.replace("_", " ").capitalize()), _shown(field, value))
            for field, value in ((f, self.fields.get(f)) for f in VERSIONED_FIELDS)
            if field != "terms"
        ]

    def line_rows(self) -> list[dict]:
        """The version's lines with their amounts (in the version's currency)."""
        currency = self.fields.get("currency") or "USD"
        return [
            {**line, "amount": money(Decimal(line["quantity"]) * Decimal(line["rate"]), currency)}
            for line in self.lines
        ]


@dataclass(frozen=True)
class ContractDiff:
    fields: list[tuple[str, str, str]]  # (label, before, after)
    lines: list[str]  # "Line 2 added: ...", "Line 1: quantity 1 → 2"
    terms: list[str]  # a unified diff of the terms, line by line

    def __bool__(self) -> bool:
        return bool(self.fields or self.lines or self.terms)


def _shown(field: str, value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if field == "value":
        return f"{Decimal(value):,.2f}"
    if field == "client_signatory_id":
        from .contacts import Contact

        contact = _session().get(Contact, value)
        return str(contact) if contact else f"contact {value}"
    return str(value)


def _line_text(line: dict) -> str:
    return f"{line['service_type']}: {line['description']}, {line['quantity']} × {line['rate']}"


LINE_KEYS = ("service_type", "description", "quantity", "rate")


def _line_changes(old_lines: list[dict], new_lines: list[dict]) -> list[str]:
    """Lines added, removed and changed, matched by content rather than by position, so that
    removing the first line reads as its removal, not as every later line changing."""
    key = lambda line: tuple(line[k] for k in LINE_KEYS)  # noqa: E731
    matcher = difflib.SequenceMatcher(
        a=[key(line) for line in old_lines], b=[key(line) for line in new_lines], autojunk=False
    )
    changes = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        paired = min(i2 - i1, j2 - j1) if tag == "replace" else 0
        for offset in range(paired):
            old, new = old_lines[i1 + offset], new_lines[j1 + offset]
            changed = [
                f"{k.replace('_', ' ')} {old[k]} → {new[k]}" for k in LINE_KEYS if old[k] != new[k]
            ]
            changes.append(f"Line {j1 + offset + 1}: {'; '.join(changed)}")
        for index in range(i1 + paired, i2):
            changes.append(f"Line {index + 1} removed: {_line_text(old_lines[index])}")
        for index in range(j1 + paired, j2):
            changes.append(f"Line {index + 1} added: {_line_text(new_lines[index])}")
    return changes


def diff_snapshots(before: dict | None, after: dict) -> ContractDiff:
    """The readable difference between two snapshots (``before`` None: everything is new)."""
    old_fields = before["fields"] if before else {}
    fields = []
    for field in VERSIONED_FIELDS:
        if field == "terms":
            continue
        old, new = old_fields.get(field), after["fields"].get(field)
        if before is not None and old != new:
            label = FIELD_LABELS.get(field, field.replace("_", " ").capitalize())
            fields.append((label, _shown(field, old), _shown(field, new)))
    old_lines = before["lines"] if before else []
    lines = _line_changes(old_lines, after["lines"])
    terms = []
    old_terms, new_terms = old_fields.get("terms") or "", after["fields"].get("terms") or ""
    if before is not None and old_terms != new_terms:
        terms = list(
            difflib.unified_diff(
                old_terms.splitlines(), new_terms.splitlines(), "before", "after", lineterm="", n=1
            )
        )[2:]
    return ContractDiff(fields, lines, terms)
