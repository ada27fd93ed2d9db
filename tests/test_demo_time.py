"""The demo's time: capacities and four weeks of entries for the recruiter and the account
manager, so the utilization report has figures; loading twice adds nothing."""

from __future__ import annotations

from collections import namedtuple
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from admin.demo import load_demo
from extensions import db
from models import StaffCapacity, TimeEntry
from models.utilization import utilization

Period = namedtuple("Period", "start end")


@pytest.fixture
def demo(ctx):
    return load_demo()


def _counts():
    return (
        db.session.scalar(select(func.count(StaffCapacity.id))),
        db.session.scalar(select(func.count(TimeEntry.id))),
    )


def test_the_demo_logs_four_weeks_of_time_once(demo):
    first = _counts()
    # Two people × 4 weeks × 5 days.
    assert first == (2, 40)
    today = date.today()
    figures = utilization(db.session, Period(today - timedelta(days=35), today), "recruiter")
    assert len(figures) == 2 and all(value and value > 0 for value in figures.values())
    db.session.remove()
    load_demo()
    assert _counts() == first
