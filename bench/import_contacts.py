"""Rate of the contact CSV import: 100,000 generated rows into a fresh database.

Run: ``.venv/bin/python bench/import_contacts.py [ROWS]`` (default 100000). The database is
``BENCH_DATABASE_URL`` when set, else a throwaway SQLite file. Against PostgreSQL, give it an empty
database of its own, for it is emptied first (``DROP SCHEMA public CASCADE``):

    createdb -h 127.0.0.1 -U postgres bench_import
    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench_import \\
        .venv/bin/python bench/import_contacts.py

It prints the time to check the file (the preview), to import it, and the rows per second.
The target: 100,000 rows in under a minute on PostgreSQL.
"""

from __future__ import annotations

import csv
import io
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

CLIENTS = 200


def make_csv(rows: int) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["first_name", "last_name", "email", "phone", "title", "client"])
    for n in range(rows):
        writer.writerow(
            [f"First{n}", f"Last{n}", f"person{n}@bench.example", f"+63 2 555 {n:06d}",
             "Hiring manager", f"BC{n % CLIENTS:04d}"]
        )  # fmt: skip
    return out.getvalue().encode()


def make_app(url: str):
    import flask_migrate
    from sqlalchemy import create_engine, text

    from app import create_app

    if url.startswith("postgresql"):
        engine = create_engine(url)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "REDIS_URL": None})
    with app.app_context():
        flask_migrate.upgrade()
    return app


def main(rows: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{Path(tmp) / 'bench.db'}"
        app = make_app(url)
        from sqlalchemy import func, select

        from extensions import db
        from models import Client, ClientContact
        from models.importing import check_csv, import_csv

        data = make_csv(rows)
        with app.app_context():
            db.session.add_all(
                Client(name=f"Bench Client {n:04d}", short_name=f"BC{n:04d}", location="Local")
                for n in range(CLIENTS)
            )
            db.session.commit()
            start = time.perf_counter()
            preview = check_csv(db.session, "contacts", data, "bench.csv")
            checked = time.perf_counter() - start
            db.session.rollback()
            start = time.perf_counter()
            report = import_csv(db.session, "contacts", data, "bench.csv")
            elapsed = time.perf_counter() - start
            links = db.session.scalar(select(func.count(ClientContact.id)))
        backend = url.split(":", 1)[0]
        print(f"contact import, {rows} rows, {backend}")
        print(f"  preview (check only): {checked:6.1f} s, {len(preview.good)} good rows")
        print(
            f"  import (check+write): {elapsed:6.1f} s, {report.imported} imported, {links} links"
        )
        print(f"  rate: {report.imported / elapsed:,.0f} rows/second")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
