"""Key performance indicators: the registry, the periods and the dimensions they are cut by.

A ``KPI`` names a figure, its unit, whether more is better, the formula in words (shown next
to the figure in the admin and returned by the API) and the function computing it:
``compute(session, period, by, ids) -> {group key: Decimal | None}``. Every KPI is one grouped
SQL query (or a fixed few), whatever the size of the data, so a page of twenty KPIs costs the
same number of queries for five clients as for five thousand.

Groups (``by``): ``"client"`` (client id), ``"recruiter"`` (user id), ``"service_type"`` (one of
``recruiting.SERVICE_TYPES``) or ``"agency"`` (the one key ``"all"``). ``ids`` restricts the
groups. A value is ``None`` when it is undefined (nothing to average, no denominator), never 0
by default; counts are 0 for a requested group with nothing to count.

The formulas themselves live in ``kpi_recruiting``, ``kpi_relationship`` and ``kpi_finance``,
which register their KPIs here in display order.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import and_, literal

from .base import DomainError

DIMENSIONS = ("client", "recruiter", "service_type", "agency")
UNITS = ("days", "percent", "ratio", "money", "count", "score")
AGENCY = "agency"
ALL = "all"
ZERO = Decimal(0)
PERIOD_DAYS_MAX = 3660  # ten years: a longer period is a typo


class KpiError(DomainError):
    """A period, dimension or KPI that cannot be computed (``field`` names the input)."""

    status_code = 400


# ---------------------------------------------------------------- periods


@dataclass(frozen=True)
class Period:
    """The half-open range of days [``start``, ``end``): ``end`` is the first day after it."""

    start: date
    end: date

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        last = calendar.monthrange(year, month)[1]
        return cls(date(year, month, 1), date(year, month, last) + timedelta(days=1))

    @classmethod
    def last_days(cls, days: int, today: date | None = None) -> Period:
        """The ``days`` days up to and including ``today``."""
        end = (today or date.today()) + timedelta(days=1)
        return cls(end - timedelta(days=days), end)

    @classmethod
    def year_to_date(cls, today: date | None = None) -> Period:
        today = today or date.today()
        return cls(date(today.year, 1, 1), today + timedelta(days=1))

    @classmethod
    def parse(cls, start: str | None, end: str | None, default_days: int = 90) -> Period:
        """The period from ``start`` (first day) to ``end`` (last day, inclusive) as typed
        (YYYY-MM-DD); either missing: the last ``default_days`` days, or that many days from
        the given start or up to the given end.

        :raise KpiError: naming ``start`` or ``end`` for a date that is not one, an end before
            the start or a period longer than ten years.
        """
        first = _day(start, "start")
        last = _day(end, "end")
        if first is None and last is None:
            return cls.last_days(default_days)
        if first is None:
            first = last - timedelta(days=default_days - 1)
        if last is None:
            last = first + timedelta(days=default_days - 1)
        if last < first:
            raise KpiError(
                f"End ({last.isoformat()}) must be on or after start ({first.isoformat()}).",
                "end",
            )
        if (last - first).days >= PERIOD_DAYS_MAX:
            raise KpiError("The period may be at most ten years long.", "end")
        return cls(first, last + timedelta(days=1))

    def previous(self) -> Period:
        """The period of the same length just before this one."""
        return Period(self.start - (self.end - self.start), self.start)

    @property
    def last(self) -> date:
        """The period's last day (inclusive)."""
        return self.end - timedelta(days=1)

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    @property
    def start_at(self) -> datetime:
        return datetime.combine(self.start, time.min, UTC)

    @property
    def end_at(self) -> datetime:
        return datetime.combine(self.end, time.min, UTC)

    def covers(self, column):
        """SQL: a timestamp column falls in the period."""
        return and_(column >= self.start_at, column < self.end_at)

    def covers_day(self, column):
        """SQL: a date column falls in the period."""
        return and_(column >= self.start, column < self.end)

    def __str__(self) -> str:
        return f"{self.start.isoformat()} to {self.last.isoformat()}"


def _day(value: str | None, field: str) -> date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise KpiError(
            f"{field.capitalize()} must be a date as YYYY-MM-DD (got '{value[:40]}').", field
        ) from None
    if not YEARS[0] <= day.year <= YEARS[1]:
        raise KpiError(
            f"{field.capitalize()} must be a date in the years {YEARS[0]} to {YEARS[1]}.", field
        )
    return day


# The years a period may fall in (past them, date arithmetic overflows).
YEARS = (1900, 9000)


# ---------------------------------------------------------------- the registry


@dataclass(frozen=True)
class KPI:
    key: str
    label: str
    unit: str  # "days" | "percent" | "ratio" | "money" | "count" | "score"
    formula: str  # the formula in words, shown next to the figure
    better: str  # "higher" | "lower"
    compute: Callable  # compute(session, period, by, ids) -> {group key: Decimal | None}
    dimensions: tuple = DIMENSIONS  # the dimensions it supports
    # The permission resource a user must read to see it (None: every KPI reader): the
    # finance KPIs need "Invoice", the cost ones "Utilization" (cost rates, margins).
    resource: str | None = None


KPIS: dict[str, KPI] = {}


def register(kpi: KPI) -> KPI:
    """Add ``kpi`` to the registry (after the ones registered before it)."""
    assert kpi.unit in UNITS, kpi.unit
    assert kpi.better in ("higher", "lower"), kpi.better
    assert set(kpi.dimensions) <= set(DIMENSIONS), kpi.dimensions
    KPIS[kpi.key] = kpi
    return kpi


def check_dimension(by: str) -> str:
    """:raise KpiError: naming ``by`` for a dimension that is not one of ``DIMENSIONS``."""
    if by not in DIMENSIONS:
        raise KpiError(f"By must be one of {', '.join(DIMENSIONS)} (got '{by}').", "by")
    return by


def compute(keys, period: Period, by: str = "client", ids=None, session=None) -> dict[str, dict]:
    """{KPI key: {group key: value}} for the KPIs ``keys`` (None: all) over ``period``.

    A KPI that does not support ``by`` gives ``{}``. With ``ids`` every requested group is in
    each answer (``None`` where the KPI is undefined for it).

    :raise KpiError: for an unknown dimension (``by``) or KPI key (``kpi``).
    """
    check_dimension(by)
    if session is None:
        from extensions import db

        session = db.session
    keys = list(KPIS) if keys is None else list(keys)
    unknown = [key for key in keys if key not in KPIS]
    if unknown:
        raise KpiError(f"Unknown KPI: {', '.join(unknown)}.", "kpi")
    if by == AGENCY:
        ids = [ALL]
    elif ids is not None:
        ids = list(ids)
    results = {}
    for key in keys:
        kpi = KPIS[key]
        if by not in kpi.dimensions:
            results[key] = {}
            continue
        values = kpi.compute(session, period, by, ids)
        if ids is not None:
            values = {group: values.get(group) for group in ids}
        results[key] = values
    return results


# ---------------------------------------------------------------- helpers for the formulas


def dimension(by: str, **columns):
    """The SQL expression a KPI groups by for ``by``: the column given for it (``client=``,
    ``recruiter=``, ``service_type=``), or the literal 'all' for the agency."""
    if by == AGENCY:
        return literal(ALL)
    try:
        return columns[by]
    except KeyError:
        raise KpiError(f"This KPI cannot be cut by {by}.", "by") from None


def grouped(session, query, key, by: str, ids, value=None, fill=None) -> dict:
    """Run ``query`` (its first column ``key``) grouped by ``key`` and restricted to ``ids``;
    the agency's is one row, ungrouped. ``value(row)`` turns a row into the figure (default:
    its second column as a Decimal to one place); ``fill`` is the value of a requested group
    with no row (counts: 0)."""
    value = value or (lambda row: rounded(row[1]))
    if by != AGENCY:
        query = query.group_by(key)
        if ids is not None:
            query = query.where(key.in_([i for i in ids if i is not None] or [None]))
    result = {}
    for row in session.execute(query):
        result[ALL if by == AGENCY else row[0]] = value(row)
    if fill is not None:
        for group in ids or ([ALL] if by == AGENCY else []):
            if result.get(group) is None:
                result[group] = fill
    return result


def rounded(value, places: int = 1) -> Decimal | None:
    """``value`` as a Decimal rounded half up to ``places`` (None stays None)."""
    if value is None:
        return None
    exponent = Decimal(1).scaleb(-places)
    return Decimal(str(value)).quantize(exponent, ROUND_HALF_UP)


def percent(part, whole, places: int = 1) -> Decimal | None:
    """``part / whole × 100`` (None when ``whole`` is 0 or missing)."""
    if not whole:
        return None
    return rounded(Decimal(str(part or 0)) * 100 / Decimal(str(whole)), places)


def count_of(row) -> Decimal:
    return Decimal(int(row[1] or 0))


# The formulas register themselves on import, in display order.
from . import kpi_recruiting, kpi_relationship, kpi_finance, kpi_cost  # noqa: E402, F401, I001
from . import kpi_service  # noqa: E402, F401  (issue 9: the service desk KPIs)
