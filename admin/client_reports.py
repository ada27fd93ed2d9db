"""The client page's "Monthly report": the month's report as HTML (the same template as the
PDF, ``templates/documents/_client_report_body.html``), a month picker, its CSV, and "Send to
the client's contacts" behind a confirmation page that lists who gets it and who is skipped
(contacts opted out of email, named with the reason). Client resource: read to see, write to
send; a client the user may not see answers 404."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access

from extensions import db
from jobs import enqueue
from jobs.client_reports import mail_report_to_contacts, report_contacts, report_context
from models import Client, Contact
from models.client_report import monthly_report, parse_month, previous_month

from .base import id_fits
from .csv_export import csv_response
from .roles import RESOURCE_PERMISSIONS
from .visibility import acting_user, client_is_visible


class ClientReportView(BaseView):
    route_base = "/client-report"
    class_permission_name = "Client"
    base_permissions = RESOURCE_PERMISSIONS["Client"]
    method_permission_name = {"show": "read", "export": "read", "send": "write"}

    def _client_or_404(self, client_id) -> Client:
        if not id_fits(client_id) or not client_is_visible(int(client_id)):
            abort(404)
        client = db.session.get(Client, int(client_id))
        if client is None:
            abort(404)
        return client

    def _month(self) -> date:
        raw = request.values.get("month")
        month = parse_month(raw)
        if month is None:
            month = previous_month()
            if raw:
                flash(f"Month must be a month as YYYY-MM; showing {month:%Y-%m}.", "danger")
        return month

    @expose("/<client_id>", methods=["GET"])
    @has_access
    def show(self, client_id):
        """The report of ``?month=YYYY-MM`` (last month by default); ``?confirm=1`` asks
        before sending it to the contacts."""
        client = self._client_or_404(client_id)
        month = self._month()
        report = self._visible(monthly_report(db.session, client, month))
        recipients = None
        if request.args.get("confirm"):
            recipients = self._recipients(client)
        return self.render_template(
            "admin/client_report.html",
            title=f"Monthly report · {client.name}",
            month=report.key,
            recipients=recipients,
            may_send=self.appbuilder.sm.has_access("can_write", "Client"),
            **report_context(report),
        )

    def _visible(self, report):
        """The report with what the user's role may not read left out: the health score
        without ClientHealth read, the invoices without Invoice read."""
        sm = self.appbuilder.sm
        if not sm.has_access("can_read", "ClientHealth"):
            report.health = None
        report.show_billing = sm.has_access("can_read", "Invoice")
        return report

    def _recipients(self, client: Client) -> list[tuple[Contact, str | None]]:
        return [(contact, contact.refusal("email")) for contact in report_contacts(client)]

    @expose("/<client_id>/csv", methods=["GET"])
    @has_access
    def export(self, client_id):
        """The report's figures as CSV (figure, value)."""
        client = self._client_or_404(client_id)
        report = self._visible(monthly_report(db.session, client, self._month()))
        billing = [
            ("invoices_issued", report.invoices_issued),
            (f"issued_amount_{report.base_currency}", report.issued_amount),
            ("invoices_paid", report.invoices_paid),
            (f"paid_amount_{report.base_currency}", report.paid_amount),
            ("invoices_overdue", report.invoices_overdue),
            (f"overdue_amount_{report.base_currency}", report.overdue_amount),
        ]
        rows = [
            ("jobs_opened", report.jobs_opened),
            ("jobs_filled", report.jobs_filled),
            ("placements", report.placements),
            *((f"pipeline_{stage}", count) for stage, count in report.pipeline.items()),
            *(billing if report.show_billing else []),
            ("nps", report.surveys.nps if report.surveys else None),
            *((f"kpi_{kpi.key}", value) for kpi, value in report.kpis),
        ]
        name = f"monthly-report-{client.id}-{report.key}.csv"
        return csv_response(name, ("figure", "value"), rows)

    @expose("/<client_id>/send", methods=["POST"])
    @has_access
    def send(self, client_id):
        """Email the month's PDF to the client's contacts who may be emailed (confirmed)."""
        client = self._client_or_404(client_id)
        month = self._month()
        user = acting_user()
        result = enqueue(
            mail_report_to_contacts, client.id, f"{month:%Y-%m}", user.id if user else None
        )
        if isinstance(result, tuple):  # ran inline (no REDIS_URL): the outcome is known
            queued, skipped = result
            flash(f"Monthly report {month:%B %Y} sent to {len(queued)} contact(s).", "success")
            if skipped:
                flash("Not sent to: " + "; ".join(skipped) + ".", "warning")
        else:
            flash(
                f"Monthly report {month:%B %Y} is being sent to the contacts; the client's "
                "timeline will say to whom.",
                "success",
            )
        return redirect(url_for(".show", client_id=client.id, month=f"{month:%Y-%m}"))
