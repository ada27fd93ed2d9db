"""The monthly client report: its figures for the month (hand-built data), the PDF mailed to
each client's engagement manager over real SMTP (pypdf reads what it says), once per client and
month however often the job runs, and the send to the client's contacts on request, skipping
(and naming) those opted out of email."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pypdf
import pytest
from sqlalchemy import select

from extensions import db
from jobs.client_reports import send_monthly_reports, send_report_to_contacts
from models import ClientDocument, OutboxMessage
from models.client_report import monthly_report
from tests.factories import (
    ClientContactFactory,
    ClientFactory,
    JobOrderFactory,
    add_candidate,
    issued_invoice,
    make_user,
    open_job_order,
)
from tests.jobs.test_mail import mail_to, smtp  # noqa: F401  (fixtures)

pytestmark = pytest.mark.usefixtures("ctx")

MONTH = date(2026, 10, 1)



@pytest.fixture
def acme():
    """Acme (EUR, rate 1.08) in October 2026: two job orders opened (one of them filled in
    October), one opened in September; two invoices issued in October (100 and 50 → 108.00 +
    54.00 = 162.00 USD), one in November (not counted); three applications, two sourced and
    one submitted. Bolt has an engagement manager too; Cold Co has none."""
    manager = make_user("Account Manager", email="maria@agency.test", first_name="Maria")
    client = ClientFactory(name="Acme Logistics", short_name="ACME", currency="EUR",
                           location="Foreign", engagement_manager=manager)
    JobOrderFactory(client=client, opened_at=datetime(2026, 10, 2, tzinfo=UTC),
                    filled_at=datetime(2026, 10, 20, tzinfo=UTC))
    JobOrderFactory(client=client, opened_at=datetime(2026, 10, 31, 23, tzinfo=UTC))
    JobOrderFactory(client=client, opened_at=datetime(2026, 9, 30, 23, tzinfo=UTC))
    issued_invoice(client, on=date(2026, 10, 5), lines=[("Fee", "100.00")])
    issued_invoice(client, on=date(2026, 10, 25), lines=[("Fee", "50.00")])
    issued_invoice(client, on=date(2026, 11, 1), lines=[("Fee", "999.00")])
    job = open_job_order(JobOrderFactory(client=client))
    add_candidate(job)
    add_candidate(job)
    add_candidate(job, "submitted")
    other = make_user("Account Manager", email="otto@agency.test", first_name="Otto")
    ClientFactory(name="Bolt Energy", engagement_manager=other)
    ClientFactory(name="Cold Co")
    db.session.commit()
    return client


def _text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def test_the_months_figures(acme):
    report = monthly_report(db.session, acme, MONTH)
    # Opened in October: the one of 2 Oct and the one of 31 Oct 23:00 UTC (not 30 Sep's) and
    # the open_job_order of today is not October: 2. Filled in October: 1.
    assert (report.jobs_opened, report.jobs_filled, report.placements) == (2, 1, 0)
    assert report.pipeline["sourced"] == 2 and report.pipeline["submitted"] == 1
    assert (report.invoices_issued, report.issued_amount) == (2, Decimal("162.00"))
    assert report.invoices_paid == 0
    assert report.surveys.nps is None
    kpis = {kpi.key: value for kpi, value in report.kpis}
    # the one order filled in October took 2 → 20 October: 18 days
    assert kpis["time_to_fill"] == Decimal("18.0")
    # only the client-facing KPIs: never the agency's fees, costs or margins
    assert not {"revenue", "margin", "cost_of_time", "churn_rate"} & set(kpis)
    assert report.health is not None and report.health.client_id == acme.id


def test_the_job_mails_each_manager_the_pdf_once(acme, mail_to):  # noqa: F811
    first = send_monthly_reports(MONTH)
    assert len(first) == 2  # Acme's and Bolt's managers; Cold Co has none
    assert send_monthly_reports("2026-10") == []  # run again: nothing more
    assert sorted(m["To"].addresses[0].addr_spec for m in mail_to.messages) == [
        "maria@agency.test",
        "otto@agency.test",
    ]
    [mail] = [m for m in mail_to.messages if "Acme" in m["Subject"]]
    assert mail["Subject"].startswith("Acme Logistics: monthly report for October 2026")
    [part] = list(mail.iter_attachments())
    assert part.get_filename() == "monthly-report-ACME-2026-10.pdf"
    text = _text(part.get_content())
    assert "Acme Logistics: October 2026" in text
    assert "Job orders opened 2" in text and "Job orders filled 1" in text
    assert "Issued this month 2 USD 162.00" in text
    assert "Submitted to client 1" in text
    assert "KPIs for the month" in text and "Time to fill 18.0 days" in text
    assert "Relationship health:" in text
    documents = db.session.scalars(
        select(ClientDocument).where(ClientDocument.source == f"client_report:{acme.id}:2026-10")
    ).all()
    assert len(documents) == 1 and documents[0].type == "report"


def test_sending_to_the_contacts_skips_and_names_those_opted_out(acme, mail_to):  # noqa: F811
    ClientContactFactory(client=acme, contact__email="ana@acme.test", contact__first_name="Ana")
    ClientContactFactory(client=acme, contact__email="ben@acme.test", contact__first_name="Ben",
                         contact__last_name="Opted", contact__opt_out_email=True)
    db.session.commit()
    queued, skipped = send_report_to_contacts(acme, MONTH)
    assert len(queued) == 1 and skipped == ["Ben Opted (opted out of email)"]
    assert [m["To"].addresses[0].addr_spec for m in mail_to.messages] == ["ana@acme.test"]
    [attachment] = [p for p in mail_to.messages[0].walk() if p.get_filename()]
    text = _text(attachment.get_payload(decode=True))
    # the client's copy: the month's KPIs, never the agency's health score of the client
    assert "KPIs for the month" in text and "Relationship health" not in text
    again, skipped = send_report_to_contacts(acme, MONTH)
    assert again == [] and "Ana Reyes (sent this report already)" in skipped
    kinds = db.session.scalars(select(OutboxMessage.kind)).all()
    assert len(kinds) == 1 and kinds[0].startswith(f"client-report:{acme.id}:2026-10:contact:")
