"""Time and SQL queries of the admin home (/) and the portal dashboard (/portal/) on the demo
agency and on ten times it (admin/demo_scale.py).

Run: ``.venv/bin/python bench/dashboards.py [TIMES]`` (default 10). A throwaway SQLite
database is made and removed; the demo's admin and first portal user sign in through the Flask
test client. The query counts should be the same at both sizes (tests/test_dashboard_queries.py
asserts it).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

REPEATS = 5


def make_app(db_path: Path):
    import flask_migrate

    from admin.demo import load_demo
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
            "MAIL_SERVER": None,
        }
    )
    with app.app_context():
        flask_migrate.upgrade()
        sync_roles(app.appbuilder)
        load_demo()
    return app


def measure(app, client, url: str) -> tuple[float, int]:
    """Median milliseconds over REPEATS requests, and the SQL statements of one request."""
    from sqlalchemy import event

    from extensions import db

    with app.app_context():
        engine = db.engine
    statements = []

    def count(*_args):
        statements.append(1)

    client.get(url)  # warm up
    timings = []
    for _ in range(REPEATS):
        statements.clear()
        event.listen(engine, "before_cursor_execute", count)
        start = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
        event.remove(engine, "before_cursor_execute", count)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(timings), len(statements)


def main(times: int) -> None:
    from admin.demo_data import PORTAL_LOGINS, STAFF_LOGINS
    from admin.demo_scale import scale_demo

    with tempfile.TemporaryDirectory() as tmp:
        app = make_app(Path(tmp) / "bench.db")
        admin, portal = STAFF_LOGINS[0], PORTAL_LOGINS[0]
        staff = app.test_client()
        login = staff.post("/login/", data={"username": admin.username, "password": admin.password})
        assert login.status_code == 302, "admin login failed"
        customer = app.test_client()
        login = customer.post(
            "/portal/login", data={"username": portal.username, "password": portal.password}
        )
        assert login.status_code == 302, "portal login failed"
        print(f"dashboards (SQLite, median of {REPEATS} requests)")
        counts = []
        for label in ("demo", f"{times}x demo"):
            if label != "demo":
                with app.app_context():
                    scale_demo(times)
            pages = (("admin home", staff, "/"), ("portal dashboard", customer, "/portal/"))
            for name, client, url in pages:
                ms, queries = measure(app, client, url)
                counts.append((name, queries))
                print(f"  {label:>9}  {name:<17} {ms:8.1f} ms  {queries:3d} SQL queries")
        if counts[:2] != counts[2:]:
            print("  note: a query count grows with the data (a per-row query?)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10)
