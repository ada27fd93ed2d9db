"""The demo's surveys: answered NPS rounds over several months, an open CSAT check-in;
loading twice adds nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from admin.demo import load_demo
from extensions import db
from models import Survey, SurveyResponse, survey_results


@pytest.fixture
def demo(ctx):
    return load_demo()


def _counts():
    return (
        db.session.scalar(select(func.count(Survey.id))),
        db.session.scalar(select(func.count(SurveyResponse.id))),
    )


def test_the_demo_surveys_give_a_trend_and_load_once(demo):
    first = _counts()
    assert first[0] >= 6 and first[1] >= 9
    results = survey_results()
    assert len(results.months) >= 3 and results.overall.nps is not None
    assert db.session.scalar(select(func.count(Survey.id)).where(Survey.kind == "csat")) >= 1
    db.session.remove()
    load_demo()
    assert _counts() == first
