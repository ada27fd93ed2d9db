"""Segmentation: the client's revenue potential and geography rules, and saved list filters.

Revenue potential is a band, not an amount: an estimate of what the client could bring in a
year, in the client's own currency (``Client.currency``). A band is what sales people agree on
and filter by; an exact figure would pretend to a precision nobody has.
Geography is the client's country (ISO 3166 alpha-2) and, optionally, a region inside it
(free text: a province, a state, "Metro Manila").
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import parse_qsl, urlencode

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint, or_, select
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from .base import DomainError, Model, UTCDateTime, utcnow
from .clients import COUNTRIES, ClientValidationError, _blank

REVENUE_BANDS = ("<50k", "50k-250k", "250k-1M", ">1M")
REGION_MAX = 100


def segmentation_violations(client) -> list[ClientValidationError]:
    """The rules on a client's revenue potential, country and region."""
    errors = []
    if client.revenue_potential and client.revenue_potential not in REVENUE_BANDS:
        errors.append(
            ClientValidationError(
                f"Revenue potential must be one of {', '.join(REVENUE_BANDS)} "
                "(a year, in the client's currency).",
                "revenue_potential",
            )
        )
    if client.country and client.country not in COUNTRIES:
        errors.append(
            ClientValidationError(
                "Country must be an ISO 3166 two-letter code (e.g. PH, GB, US).", "country"
            )
        )
    if not _blank(client.region):
        if len(client.region.strip()) > REGION_MAX:
            errors.append(
                ClientValidationError(
                    f"Region must be at most {REGION_MAX} characters long.", "region"
                )
            )
        elif not client.country:
            errors.append(
                ClientValidationError("A region needs a country: set the country first.", "region")
            )
    return errors


class SavedFilterError(DomainError):
    """A saved filter cannot be stored as asked."""


class SavedFilter(Model):
    """A user's named search on an admin list: the list's query string, re-opened as a link."""

    __tablename__ = "saved_filter"
    __table_args__ = (
        UniqueConstraint("user_id", "view_name", "name", name="uq_saved_filter_user_view_name"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("ab_user.id", name="fk_saved_filter_user_id"), nullable=False, index=True
    )
    view_name: Mapped[str] = mapped_column(String(60), nullable=False)
    name: Mapped[str] = mapped_column(String(80), nullable=False)
    query_string: Mapped[str] = mapped_column(String(2000), nullable=False, default="")
    shared: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)

    user: Mapped[User] = relationship(User, lazy="joined")

    def __str__(self) -> str:
        return self.name

    @validates("name")
    def _strip(self, key, value):
        return value.strip() if isinstance(value, str) else value

    @validates("query_string")
    def _only_filters(self, key, value):
        """Keep the list's filter, order and page-size arguments only (never a CSRF token)."""
        pairs = parse_qsl((value or "").lstrip("?"), keep_blank_values=True)
        kept = [(k, v) for k, v in pairs if k.startswith(("_flt_", "_oc_", "_od_", "psize_"))]
        return urlencode(kept)

    # -- queries
    @classmethod
    def for_user(cls, user, view_name: str):
        """``select`` of the filters ``user`` sees on ``view_name``: theirs and shared ones."""
        return (
            select(cls)
            .where(cls.view_name == view_name, or_(cls.user_id == user.id, cls.shared.is_(True)))
            .order_by(cls.name)
        )

    # -- rules
    def violations(self) -> list[SavedFilterError]:
        errors = []
        if _blank(self.name):
            errors.append(SavedFilterError("Give the filter a name.", "name"))
        elif len(self.name) > 80:
            errors.append(SavedFilterError("The name must be at most 80 characters.", "name"))
        elif self.user_id is not None or self.user is not None:
            from sqlalchemy.orm import object_session

            from .clients import _session

            session = object_session(self) or _session()
            user_id = self.user_id if self.user_id is not None else self.user.id
            query = select(SavedFilter.id).where(
                SavedFilter.user_id == user_id,
                SavedFilter.view_name == self.view_name,
                SavedFilter.name == self.name,
            )
            if self.id is not None:
                query = query.where(SavedFilter.id != self.id)
            with session.no_autoflush:
                if session.execute(query.limit(1)).first():
                    errors.append(
                        SavedFilterError(
                            f"You already have a filter called '{self.name}' here.", "name"
                        )
                    )
        if len(self.query_string or "") > 2000:
            errors.append(SavedFilterError("This filter is too long to save.", "query_string"))
        return errors

    def validate(self) -> None:
        """:raise SavedFilterError: for the first rule this filter breaks."""
        errors = self.violations()
        if errors:
            raise errors[0]
