"""The demo agency's billing: holidays, exchange rates, invoices in every status, payments.

Called by ``load_demo()`` (admin/demo.py) inside its transaction, after the commercial data;
like it, safe to run again: a holiday is found by its day, a rate by (currency, day), an
invoice by its source ``demo:<key>``, and nothing that exists is changed. Invoices are issued
on dates counted back from today (so the aging report and the collections always have
something current, 1–30, 31–60, 61–90 and over 90 days overdue) through the model verbs
(``issue``, ``register_payment``, ``draft_credit_note``, ``void``), so numbers, due dates over
weekends and holidays, exchange rates, balances and client credit come out as in real use.

No PDF is rendered here (a render takes a tenth of a second or more each): the demo invoices
have none until staff send one again (``jobs.invoice_documents.send_invoice_again``) or the
render job runs for them.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from extensions import db
from models import Client, ExchangeRate, Holiday, Invoice
from models.access import ROLE_FINANCE
from models.collections import run_collections

# Philippine regular and special holidays (Proclamations for 2026 and 2027).
HOLIDAYS = (
    (date(2026, 4, 2), "Maundy Thursday"),
    (date(2026, 4, 3), "Good Friday"),
    (date(2026, 4, 9), "Araw ng Kagitingan"),
    (date(2026, 5, 1), "Labor Day"),
    (date(2026, 6, 12), "Independence Day"),
    (date(2026, 8, 21), "Ninoy Aquino Day"),
    (date(2026, 8, 31), "National Heroes Day"),
    (date(2026, 11, 1), "All Saints' Day"),
    (date(2026, 11, 30), "Bonifacio Day"),
    (date(2026, 12, 8), "Feast of the Immaculate Conception"),
    (date(2026, 12, 24), "Christmas Eve"),
    (date(2026, 12, 25), "Christmas Day"),
    (date(2026, 12, 30), "Rizal Day"),
    (date(2026, 12, 31), "Last Day of the Year"),
    (date(2027, 1, 1), "New Year's Day"),
    (date(2027, 3, 25), "Maundy Thursday"),
    (date(2027, 3, 26), "Good Friday"),
    (date(2027, 4, 9), "Araw ng Kagitingan"),
    (date(2027, 5, 1), "Labor Day"),
    (date(2027, 6, 12), "Independence Day"),
    (date(2027, 8, 30), "National Heroes Day"),
)

# Units of the base currency (USD) per unit of each demo client's currency, on two days.
RATES = {
    "PHP": ("0.01780", "0.01710"),
    "SGD": ("0.7420", "0.7650"),
    "GBP": ("1.2650", "1.2910"),
    "AUD": ("0.6580", "0.6520"),
    "EUR": ("1.0830", "1.0790"),
    "JPY": ("0.006710", "0.006450"),
    "AED": ("0.27230", "0.27230"),
    "CAD": ("0.7380", "0.7240"),
    "NZD": ("0.6050", "0.5930"),
}
RATE_DAYS = (date(2025, 1, 1), date(2026, 7, 1))

# The contacts who receive invoices (the billing right), by client and last name.
BILLING_CONTACTS = (
    ("BAYANIHAN", "Ramos"),
    ("MERLION", "Nair"),
    ("SOUTHERNCROSS", "Connor"),
    ("HARBOURSIDE", "Clarke"),
    ("MAHARLIKA", "Reyes"),
    ("RHEINWERK", "Hoffmann"),
    ("KALAYAAN", "Aquino"),
    ("SAKURA", None),  # None: the client's primary contact
    ("MABUHAY", None),
)

# fmt: off
# (key, client, issued days ago or None for a draft, what happened after it was issued:
#  "paid", "part:<amount paid>", "over:<paid beyond the total>", "credit:<credited>" or "void";
#  then its lines: [(kind, description, unit price, percent)])
INVOICES = (
    ("bay-1", "BAYANIHAN", 170, "paid",
     [("placement_fee", "Plant Operations Manager: 20% of the annual salary", "2400000", "20")]),
    ("bay-2", "BAYANIHAN", 128, None,
     [("placement_fee", "Quality Assurance Lead: 18% of the annual salary", "1500000", "18")]),
    ("bay-3", "BAYANIHAN", 20, "part:15000",
     [("hourly", "Line supervisor assessment days", "35000", None)]),
    ("bay-4", "BAYANIHAN", None, None,
     [("placement_fee", "Warehouse Supervisor: 18% of the annual salary", "720000", "18")]),
    ("kal-1", "KALAYAAN", 95, "paid",
     [("retainer_stage", "Contact-centre hiring wave 3: stage 1 of 3", "18000", None)]),
    ("kal-2", "KALAYAAN", 64, "part:6000",
     [("retainer_stage", "Contact-centre hiring wave 3: stage 2 of 3", "18000", None)]),
    ("kal-3", "KALAYAAN", 41, "over:300",
     [("expense", "Assessment centre venue, Cebu", "2450", None)]),
    ("mah-1", "MAHARLIKA", 150, None,
     [("placement_fee", "Head of Treasury: 25% of the annual salary", "6000000", "25")]),
    ("mah-2", "MAHARLIKA", 75, "credit:110000",
     [("placement_fee", "Branch Operations Head: 20% of the annual salary", "2200000", "20")]),
    ("mab-1", "MABUHAY", 33, None,
     [("placement_fee", "Executive Chef, Lapu-Lapu: fixed fee", "180000", None)]),
    ("mab-2", "MABUHAY", 12, "void",
     [("placement_fee", "Front Office Manager: fixed fee", "120000", None)]),
    ("mer-1", "MERLION", 110, "paid",
     [("placement_fee", "Regional Ops Director: 22% of the annual salary", "210000", "22")]),
    ("mer-2", "MERLION", 70, None,
     [("retainer_stage", "Customs compliance search: stage 1 of 2", "15000", None)]),
    ("har-1", "HARBOURSIDE", 85, None,
     [("placement_fee", "Data Engineering Lead: fixed fee", "24000", None)]),
    ("har-2", "HARBOURSIDE", 8, None,
     [("retainer_stage", "Head of Platform search: stage 1 of 3", "9000", None)]),
    ("sch-1", "SOUTHERNCROSS", 58, "part:4200",
     [("placement_fee", "Registered nurses, wave 2: per hire", "4200", None)]),
    ("rhe-1", "RHEINWERK", 132, None,
     [("placement_fee", "Plant Director, Lipa: 30% of the annual salary", "140000", "30")]),
    ("rhe-2", "RHEINWERK", 26, None,
     [("expense", "Candidate travel, Stuttgart interviews", "3180.40", None)]),
    ("sak-1", "SAKURA", 47, "paid",
     [("placement_fee", "Production Engineering Manager: fixed fee", "2600000", None)]),
    ("sak-2", "SAKURA", None, None,
     [("retainer_stage", "Quality Director search: stage 1 of 3", "1500000", None)]),
)
# fmt: on


def load_billing(staff, count) -> None:
    """Create whatever part of the billing demo is missing (no commit: the caller commits)."""
    for day, name in HOLIDAYS:
        if db.session.scalar(select(Holiday.id).where(Holiday.day == day)) is None:
            db.session.add(Holiday(day=day, name=name))
            count("holidays")
    for currency, rates in RATES.items():
        for day, rate in zip(RATE_DAYS, rates, strict=True):
            found = db.session.scalar(
                select(ExchangeRate.id).where(
                    ExchangeRate.currency == currency, ExchangeRate.day == day
                )
            )
            if found is None:
                db.session.add(ExchangeRate(currency=currency, day=day, rate=Decimal(rate)))
                count("exchange rates")
    db.session.flush()
    clients = _clients({row[1] for row in INVOICES} | {row[0] for row in BILLING_CONTACTS})
    for short_name, last_name in BILLING_CONTACTS:
        _billing_contact(clients[short_name], last_name)
    finance = staff[ROLE_FINANCE]
    today = date.today()
    # Issued oldest first, so the numbers follow the dates.
    for key, short_name, days_ago, after, lines in sorted(
        INVOICES, key=lambda row: -(row[2] if row[2] is not None else -1)
    ):
        source = f"demo:{key}"
        if db.session.scalar(select(Invoice.id).where(Invoice.source == source)) is not None:
            continue
        invoice = Invoice.draft_for(clients[short_name], finance, source=source)
        for kind, description, price, percent in lines:
            invoice.add_line(description, Decimal(price), kind=kind, percent=percent)
        count("invoices")
        if days_ago is None:
            continue
        issued_on = today - timedelta(days=days_ago)
        invoice.issue(finance, today=issued_on)
        _after(invoice, after, issued_on, finance, count)
        db.session.flush()
    # The collection notices today's run would open for the overdue ones (not sent: the daily
    # job, `flask clientdesk collections`, mails them).
    for _ in run_collections(today, finance).created:
        count("collection notices")


def _after(invoice: Invoice, after: str | None, issued_on: date, by, count) -> None:
    """What happened to an issued demo invoice: paid, part paid, overpaid, credited, voided."""
    if after is None:
        return
    paid_on = min(issued_on + timedelta(days=21), date.today())
    reference = f"BANK-{invoice.number}"
    if after == "paid":
        invoice.register_payment(invoice.total, "bank_transfer", paid_on, reference, by)
        count("payments")
    elif after.startswith("part:"):
        invoice.register_payment(Decimal(after[5:]), "bank_transfer", paid_on, reference, by)
        count("payments")
    elif after.startswith("over:"):
        # More than the invoice: the excess is kept as the client's credit.
        amount = invoice.total + Decimal(after[5:])
        invoice.register_payment(amount, "bank_transfer", paid_on, reference, by)
        count("payments")
    elif after.startswith("credit:"):
        note = invoice.draft_credit_note(
            "Agreed fee reduction: the candidate's start was deferred by two months",
            by,
            amount=Decimal(after[7:]),
        )
        note.source = f"demo:credit:{invoice.source[5:]}"
        note.issue(by, today=min(issued_on + timedelta(days=30), date.today()))
        count("credit notes")
    elif after == "void":
        invoice.void("Issued to the wrong entity: re-invoiced to the resort's holding company", by)


def _clients(short_names: set[str]) -> dict[str, Client]:
    rows = db.session.scalars(
        select(Client)
        .where(func.upper(Client.short_name).in_(short_names), Client.archived.is_(False))
        .order_by(Client.id)
    )
    return {client.short_name.upper(): client for client in rows}


def _billing_contact(client: Client, last_name: str | None) -> None:
    """Give the billing right to one contact of a client that has no billing contact yet."""
    if any(link.can_billing for link in client.contact_links):
        return
    for link in client.contact_links:
        if (last_name is None and link.role == "primary") or link.contact.last_name == last_name:
            link.can_billing = True
            return
