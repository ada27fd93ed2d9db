"""Time and SQL queries of the admin client list (/clientview/list/) at two data sizes.

Run: ``.venv/bin/python bench/client_list.py [SMALL LARGE]`` (default 30 and 300: the demo's
size and ten times it). A throwaway SQLite database is made and removed; an Admin logs in
through the Flask test client. The query count should be the same at both sizes.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

PASSWORD = "Bench-Admin-2026!"
URL = "/clientview/list/"
REPEATS = 5


def make_app(db_path: Path):
    import flask_migrate

    from admin.roles import sync_roles
    from app import create_app

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_path}",
            "SECRET_KEY": "bench",
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "AUTH_RATE_LIMITED": False,
            "REDIS_URL": None,
        }
    )
    with app.app_context():
        flask_migrate.upgrade()
        sync_roles(app.appbuilder)
        sm = app.appbuilder.sm
        sm.add_user(
            "bench", "Bench", "Admin", "bench@agency.example", sm.find_role("Admin"), PASSWORD
        )
    return app


def add_clients(app, upto: int) -> None:
    """Add clients until there are ``upto``, with an industry, a tag and a manager each."""
    from sqlalchemy import func, select

    from extensions import db
    from models import Client, Industry, Tag

    with app.app_context():
        have = db.session.scalar(select(func.count(Client.id)))
        industries = [Industry(name=f"Industry {i}") for i in range(10)] if not have else []
        db.session.add_all(industries)
        industries = industries or db.session.scalars(select(Industry)).all()
        tag = db.session.scalar(select(Tag)) or Tag(name="bench")
        manager = app.appbuilder.sm.find_user(username="bench")
        for n in range(have, upto):
            db.session.add(
                Client(
                    name=f"Bench Client {n:05d}",
                    short_name=f"BC{n:05d}",
                    status="active",
                    location="Local" if n % 3 else "Foreign",
                    currency="PHP",
                    industry=industries[n % len(industries)],
                    tags=[tag],
                    engagement_manager=manager,
                    owner=manager,
                )
            )
        db.session.commit()


def measure(app, client) -> tuple[float, int]:
    """Median milliseconds over REPEATS requests, and the SQL statements of one request."""
    from sqlalchemy import event

    from extensions import db

    with app.app_context():
        engine = db.engine
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    client.get(URL)  # warm up: templates, caches
    timings = []
    for _ in range(REPEATS):
        statements.clear()
        event.listen(engine, "before_cursor_execute", count)
        start = time.perf_counter()
        response = client.get(URL)
        timings.append((time.perf_counter() - start) * 1000)
        event.remove(engine, "before_cursor_execute", count)
        assert response.status_code == 200, response.status_code
    return statistics.median(timings), len(statements)


def main(sizes: list[int]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        app = make_app(Path(tmp) / "bench.db")
        client = app.test_client()
        login = client.post("/login/", data={"username": "bench", "password": PASSWORD})
        assert login.status_code == 302, "admin login failed"
        print(f"admin client list {URL} (SQLite, median of {REPEATS} requests)")
        results = []
        for size in sizes:
            add_clients(app, size)
            ms, queries = measure(app, client)
            results.append(queries)
            print(f"  {size:>6} clients: {ms:8.1f} ms  {queries:3d} SQL queries")
        if len(set(results)) > 1:
            print("  note: the query count grows with the data (a per-row query?)")


if __name__ == "__main__":
    main([int(arg) for arg in sys.argv[1:]] or [30, 300])
