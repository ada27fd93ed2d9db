"""Time of the aging report (``models.aging.aging_report``) over 1,000,000 invoices.

Run: ``.venv/bin/python bench/aging.py [INVOICES]`` (default 1000000) with
``BENCH_DATABASE_URL`` naming an empty PostgreSQL database of its own, which it empties first
(``DROP SCHEMA public CASCADE``); without it the script says so and does nothing (the report's
point is PostgreSQL at scale; ``make bench`` stays harmless). It refuses a database whose name
starts with ``test`` so it can never empty a test database:

    createdb -h 127.0.0.1 -U postgres bench_aging
    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench_aging \\
        .venv/bin/python bench/aging.py

``BENCH_REUSE=1`` times the report again over the invoices a previous run left (no wipe).
The invoices are written by one ``INSERT … SELECT generate_series`` (2,000 clients, each with
every status: 5% draft, 5% void, 35% paid, 25% partially paid, 30% issued; three currencies;
due dates from 60 days ahead to 359 days overdue). It prints the median and p95 of the
report's time over several runs, for every client and for one, and EXPLAIN ANALYZE's plan.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

CLIENTS = 2_000
RUNS = 9
AS_OF = date(2026, 6, 30)

INSERT_INVOICES = """
INSERT INTO invoice (
    number, kind, status, client_id, currency, exchange_rate, tax_rate, issue_date, due_date,
    subtotal, tax_amount, total, amount_paid, amount_credited, balance, created_at, updated_at)
SELECT
    CASE WHEN s.status = 'draft' THEN NULL ELSE 'B-' || s.n END,
    'invoice', s.status, 1 + (s.n / 20) % :clients, s.currency,
    CASE s.currency WHEN 'PHP' THEN 0.0175 WHEN 'EUR' THEN 1.08 ELSE 1 END,
    0, s.due - 30, s.due, s.total, 0, s.total,
    CASE s.status WHEN 'paid' THEN s.total WHEN 'partially_paid' THEN round(s.total / 2, 2)
         ELSE 0 END,
    0,
    CASE s.status WHEN 'issued' THEN s.total WHEN 'partially_paid' THEN s.total - round(s.total / 2, 2)
         ELSE 0 END,
    now(), now()
FROM (
    SELECT n,
        CASE WHEN n % 20 = 0 THEN 'draft' WHEN n % 20 = 1 THEN 'void'
             WHEN n % 20 < 9 THEN 'paid' WHEN n % 20 < 14 THEN 'partially_paid'
             ELSE 'issued' END AS status,
        (ARRAY['PHP', 'USD', 'EUR'])[1 + n % 3] AS currency,
        (1000 + (n % 5000) * 7.31)::numeric(14, 2) AS total,
        CAST(:as_of AS date) - ((n::bigint * 7919) % 420 - 60)::int AS due
    FROM generate_series(1, :rows) AS n
) AS s
"""  # noqa: E501


def make_app(url: str, wipe: bool = True):
    import flask_migrate
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from app import create_app

    name = make_url(url).database or ""
    if not url.startswith("postgresql") or name.startswith("test"):
        sys.exit(f"BENCH_DATABASE_URL must be a PostgreSQL database of its own, not {name!r}.")
    if wipe:
        engine = create_engine(url)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "REDIS_URL": None})
    with app.app_context():
        flask_migrate.upgrade()
    return app


def fill(app, rows: int) -> float:
    """The clients (through the models) and ``rows`` invoices (one SQL statement)."""
    from sqlalchemy import text

    from extensions import db
    from models import Client

    with app.app_context():
        db.session.add_all(
            Client(
                name=f"Bench Client {n:05d}",
                short_name=f"BC{n:05d}",
                status="active",
                location="Local",
                currency="PHP",
            )
            for n in range(CLIENTS)
        )
        db.session.commit()
        start = time.perf_counter()
        db.session.execute(
            text(INSERT_INVOICES), {"clients": CLIENTS, "as_of": AS_OF, "rows": rows}
        )
        db.session.commit()
        elapsed = time.perf_counter() - start
    with app.app_context(), db.engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
            "VACUUM ANALYZE invoice"
        )
    return elapsed


def timings(app, client_id: int | None = None) -> tuple[float, float, int]:
    """Median and p95 milliseconds of the report over RUNS runs (after one warm-up), and its
    number of rows."""
    from extensions import db
    from models.aging import aging_report

    with app.app_context():
        report = aging_report(AS_OF, client_id)  # warm-up: caches, plan
        samples = []
        for _ in range(RUNS):
            start = time.perf_counter()
            aging_report(AS_OF, client_id)
            samples.append((time.perf_counter() - start) * 1000)
            db.session.rollback()
    p95 = statistics.quantiles(samples, n=20, method="inclusive")[-1]
    return statistics.median(samples), p95, len(report.rows)


def plan(app, client_id: int | None = None) -> list[str]:
    """EXPLAIN (ANALYZE, BUFFERS) of the report's one query."""
    from extensions import db
    from models.aging import aging_query

    with app.app_context():
        query = aging_query(AS_OF, client_id)
        compiled = query.compile(
            dialect=db.engine.dialect, compile_kwargs={"render_postcompile": True}
        )
        with db.engine.connect() as connection:
            rows = connection.exec_driver_sql(
                f"EXPLAIN (ANALYZE, BUFFERS) {compiled}", compiled.params
            ).all()
    return [row[0] for row in rows]


def summary(lines: list[str]) -> list[str]:
    keep = ("Scan", "Aggregate", "Sort", "Join", "Hash", "Gather", "Planning", "Execution")
    return [line for line in lines if any(word in line for word in keep)]


def main(rows: int) -> None:
    url = os.environ.get("BENCH_DATABASE_URL")
    if not url:
        print("aging report bench: skipped (set BENCH_DATABASE_URL to an empty PostgreSQL DB)")
        return
    reuse = os.environ.get("BENCH_REUSE") == "1"  # time again over the invoices already there
    app = make_app(url, wipe=not reuse)
    print(f"aging report, {rows:,} invoices over {CLIENTS:,} clients, PostgreSQL")
    if not reuse:
        inserted = fill(app, rows)
        print(f"  insert (INSERT … SELECT generate_series): {inserted:6.1f} s")
    for label, client_id in (("every client", None), ("one client", 7)):
        median, p95, count = timings(app, client_id)
        print(f"  {label:>12}: median {median:8.1f} ms, p95 {p95:8.1f} ms ({count} rows)")
    for label, client_id in (("every client", None), ("one client", 7)):
        print(f"  plan, {label}:")
        for line in summary(plan(app, client_id)):
            print(f"    {line}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
