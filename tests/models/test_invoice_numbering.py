"""Invoice numbers under concurrency: fifty drafts issued at once by parallel workers, each in
its own app context, session and database connection, get fifty consecutive numbers with no
gap and no repeat; an issuing transaction that rolls back gives its number back.

This is a property of PostgreSQL's row lock on the counter (``take_number``'s ``SELECT … FOR
UPDATE``), so it runs on PostgreSQL only; CI always has PostgreSQL (conftest stops the run
without it), so there it always runs.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest

from extensions import db
from jobs.invoice_documents import issue_invoice
from models import Invoice
from tests.factories import ClientFactory, draft_invoice, known_rates

DRAFTS = 50
WORKERS = 12


@pytest.fixture
def postgres(app):
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip(
            "concurrent issuing needs PostgreSQL's row locks (SQLite serialises writers and "
            "its file lock times out under threads); CI runs this on PostgreSQL"
        )
    return app


def drafts(app, count: int) -> list[int]:
    """``count`` committed drafts of one client, their ids."""
    with app.app_context():
        known_rates()
        client = ClientFactory()
        ids = [draft_invoice(client).id for _ in range(count)]
        db.session.remove()
        return ids


def issue_in_own_session(app, invoice_id: int) -> str:
    """Issue one draft as a request or a job would: its own app context and session."""
    with app.app_context():
        try:
            invoice = db.session.get(Invoice, invoice_id)
            issue_invoice(invoice)
            return invoice.number
        finally:
            db.session.remove()


def numbers_in_database(app) -> list[str]:
    with app.app_context():
        numbers = db.session.scalars(
            db.select(Invoice.number).where(Invoice.number.is_not(None)).order_by(Invoice.number)
        ).all()
        db.session.remove()
        return list(numbers)


def expected(count: int) -> list[str]:
    year = date.today().year
    return [f"INV-{year}-{n:05d}" for n in range(1, count + 1)]


def test_fifty_invoices_issued_at_once_get_fifty_consecutive_numbers(postgres):
    ids = drafts(postgres, DRAFTS)
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        numbers = list(pool.map(lambda pk: issue_in_own_session(postgres, pk), ids))
    assert len(set(numbers)) == DRAFTS  # no repeat
    assert sorted(numbers) == expected(DRAFTS)  # no gap, from 00001
    assert numbers_in_database(postgres) == expected(DRAFTS)


def test_a_rolled_back_issue_gives_its_number_to_the_next_invoice(postgres):
    first, second = drafts(postgres, 2)
    with postgres.app_context():
        invoice = db.session.get(Invoice, first)
        invoice.issue()
        assert invoice.number == expected(1)[0]
        db.session.rollback()  # e.g. the commit failed: nothing of the issue is kept
        db.session.remove()
    assert issue_in_own_session(postgres, second) == expected(1)[0]
    assert issue_in_own_session(postgres, first) == expected(2)[1]


def test_a_rollback_while_others_wait_leaves_no_gap(postgres):
    """One worker takes a number and holds the counter while the others queue behind its
    lock, then rolls back: the others still get 1..N between them."""
    rolled_back, *ids = drafts(postgres, 21)
    holding = threading.Event()

    def issue_then_roll_back() -> str:
        with postgres.app_context():
            invoice = db.session.get(Invoice, rolled_back)
            invoice.issue()
            holding.set()
            time.sleep(0.5)  # the others are now waiting on the counter row
            number = invoice.number
            db.session.rollback()
            db.session.remove()
            return number

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        taken = pool.submit(issue_then_roll_back)
        assert holding.wait(10)
        numbers = list(pool.map(lambda pk: issue_in_own_session(postgres, pk), ids))
        assert taken.result() == expected(1)[0]  # it had number 1, then gave it back
    assert sorted(numbers) == expected(20)
    with postgres.app_context():
        kept = db.session.get(Invoice, rolled_back)
        assert (kept.status, kept.number) == ("draft", None)
        db.session.remove()


def pay_in_own_session(app, invoice_id: int, amount: str) -> None:
    """Record a bank transfer as a request would: its own app context, session, commit."""
    with app.app_context():
        try:
            invoice = db.session.get(Invoice, invoice_id)
            invoice.register_payment(amount, "bank_transfer")
            db.session.commit()
        finally:
            db.session.remove()


def test_payments_recorded_at_once_all_count(postgres):
    """Twenty payments of 1,000 on one invoice at the same moment: each waits for the one
    before (the invoice's row is locked while its balance is read and written), so the balance
    drops by 20,000 and none is lost."""
    with postgres.app_context():
        known_rates()
        invoice = draft_invoice(ClientFactory())  # 22,400.00 with VAT
        issue_invoice(invoice)
        pk, total = invoice.id, invoice.total
        db.session.remove()
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        list(pool.map(lambda _: pay_in_own_session(postgres, pk, "1000"), range(20)))
    with postgres.app_context():
        invoice = db.session.get(Invoice, pk)
        assert invoice.amount_paid == 20000
        assert invoice.balance == total - 20000
        assert invoice.status == "partially_paid"
        db.session.remove()
