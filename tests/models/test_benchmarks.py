"""Benchmarks: a client's KPI against its industry's and service type's distribution, with a
worked quartile example."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from models.benchmarks import UnknownClientError, benchmark, benchmark_of, quartiles
from tests.factories import ClientFactory, IndustryFactory
from tests.models.kpi_data import MARCH, RETAINED, at, job, placement

pytestmark = pytest.mark.usefixtures("ctx")


def test_quartiles_interpolate_between_ranks():
    # 10, 20, 30, 40, 50: ranks 0..4; Q1 at rank 1 → 20, median rank 2 → 30, Q3 rank 3 → 40.
    assert quartiles([50, 10, 40, 20, 30]) == (20, 30, 40)
    # 1, 2, 3, 4: Q1 at rank 0.75 → 1 + 0.75 × 1 = 1.75; median 2.5; Q3 at rank 2.25 → 3.25.
    assert quartiles([4, 3, 2, 1]) == (Decimal("1.75"), Decimal("2.5"), Decimal("3.25"))
    assert quartiles([7]) == (7, 7, 7)
    assert quartiles([]) is None


def test_position_and_standing_read_the_direction_of_the_kpi():
    # peers 1, 2, 3, 4 (cuts 1.75, 2.5, 3.25): 4 is above Q3 → quartile 4.
    mark = benchmark_of(Decimal(4), [Decimal(v) for v in (1, 2, 3, 4)] + [None])
    assert (mark.peers, mark.position) == (4, 4)
    assert mark.standing("higher") == "top quarter"
    assert mark.standing("lower") == "bottom quarter"
    assert benchmark_of(None, [Decimal(1)]).position is None


def test_a_lone_peer_has_no_position_and_ties_take_the_middle_rank():
    # Only the client has a value: no distribution (it read "bottom quarter" before).
    lone = benchmark_of(Decimal(5), [Decimal(5), None])
    assert (lone.peers, lone.position, lone.standing("higher")) == (1, None, "—")
    # Four equal values: 0 below + 4 equal / 2 = 2 of 4 → p 0.5 → quartile 2, the middle half
    # (before: 5 ≤ Q1 = 5 → quartile 1, "bottom quarter").
    tied = benchmark_of(Decimal(5), [Decimal(5)] * 4)
    assert (tied.position, tied.standing("higher")) == (2, "middle half")
    # 0, 0, 0, 0, 1 and ours a 0: 0 below + 4 equal / 2 = 2 of 5 → p 0.4 → quartile 2
    # (the cuts are 0, 0, 0: at or below Q1 put it in quartile 1 before).
    zeros = benchmark_of(Decimal(0), [Decimal(v) for v in (0, 0, 0, 0, 1)])
    assert zeros.position == 2
    # 10, 20, 30 and ours the 10: (0 + 1 / 2) / 3 = 0.17 < 0.25 → quartile 1; the 30:
    # (2 + 0.5) / 3 = 0.83 > 0.75 → quartile 4.
    three = [Decimal(v) for v in (10, 20, 30)]
    assert (benchmark_of(three[0], three).position, benchmark_of(three[2], three).position) == (
        1,
        4,
    )


def test_a_client_against_its_industry_and_service_type():
    tech, retail = IndustryFactory(), IndustryFactory()
    # Time to fill in March of five tech clients (contingency): 5, 10, 15, 20, 25 days;
    # ours is the 20-day one.
    ours = None
    for days in (5, 10, 15, 20, 25):
        client = ClientFactory(industry=tech)
        job(client, opened_at=at(1), filled_at=at(1 + days), status="filled")
        if days == 20:
            ours = client
    # A retail client's 69 days is not an industry peer but buys the same service type.
    retail_client = ClientFactory(industry=retail)
    job(retail_client, opened_at=at(1, 1), filled_at=at(11, 3), status="filled")  # 69 days
    # A retained-search client is in neither group.
    job(
        ClientFactory(industry=retail),
        service_type=RETAINED,
        opened_at=at(1),
        filled_at=at(3),
        status="filled",
    )
    placement(job(ours, opened_at=at(1)), date(2026, 3, 5))

    marks = benchmark(ours.id, MARCH)
    assert (marks.industry, marks.service_type) == (tech.name, "contingency recruitment")
    fill = marks.by_industry["time_to_fill"]
    # values 5, 10, 15, 20, 25 → Q1 10, median 15, Q3 20; ours 20 → quartile 3
    assert (fill.value, fill.lower_quartile, fill.median, fill.upper_quartile) == (
        Decimal("20.0"),
        Decimal("10.00"),
        Decimal("15.00"),
        Decimal("20.00"),
    )
    assert (fill.peers, fill.position, fill.standing("lower")) == (5, 3, "middle half")
    # Service type peers add the retail client's 69: 5, 10, 15, 20, 25, 69 → ranks at
    # 1.25, 2.5, 3.75: Q1 = 10 + 0.25 × 5 = 11.25, median 17.5, Q3 = 20 + 0.75 × 5 = 23.75.
    by_service = marks.by_service_type["time_to_fill"]
    assert (by_service.peers, by_service.median) == (6, Decimal("17.50"))
    assert (by_service.lower_quartile, by_service.upper_quartile) == (
        Decimal("11.25"),
        Decimal("23.75"),
    )
    assert by_service.position == 3
    # Counts: ours placed 1, the other four none (0) → cuts 0, 0, 0; 1 is above → quartile 4.
    assert marks.by_industry["placements"].position == 4
    # A KPI not cut by client (churn) has no benchmark.
    assert "churn_rate" not in marks.by_industry


def test_a_client_without_industry_or_jobs_has_no_benchmark_and_an_unknown_one_is_refused():
    lone = ClientFactory()
    marks = benchmark(lone.id, MARCH)
    assert (marks.by_industry, marks.by_service_type) == ({}, {})
    with pytest.raises(UnknownClientError) as caught:
        benchmark(999999, MARCH)
    assert caught.value.field == "client_id"
