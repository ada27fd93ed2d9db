"""A client's account on the staff side: the statement of account for a period and currency
(printable, and as CSV), the payment history, and the figures of the client page's Billing
tab (open invoices, totals per currency, client credit, the credit limit). The statement is
``models.payments.statement_of_account``; the sums here are SQL."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from flask import Response, abort, request
from flask_appbuilder import expose
from flask_appbuilder.security.decorators import has_access
from flask_wtf import FlaskForm
from sqlalchemy import case, func, select
from wtforms import StringField

from extensions import db
from models import Client, ClientCredit, DomainError, Invoice, visible_client_ids
from models.billing import OPEN_STATUSES, ZERO, base_currency
from models.payments import payment_history, statement_of_account

from .base import field_error, id_fits
from .csv_export import csv_response
from .formats import day
from .invoice_forms import DayField
from .visibility import acting_user

HISTORY_LIMIT = 10  # payments shown on the Billing tab (the history page has them all)


def _money(amount) -> str:
    return "—" if amount is None else f"{amount:,.2f}"


class StatementForm(FlaskForm):
    """The period and currency of a statement, read from the query string."""

    class Meta:
        csrf = False

    start = DayField("Start")
    end = DayField("End")
    currency = StringField("Currency")


def _statement_form(client: Client) -> StatementForm:
    form = StatementForm(request.args)
    form.validate()
    today = date.today()
    if form.start.data is None and not form.start.errors:
        form.start.data = today.replace(month=1, day=1)
    if form.end.data is None and not form.end.errors:
        form.end.data = today
    form.currency.data = (form.currency.data or client.currency or base_currency()).upper()
    return form


class StatementRoutes:
    """Routes mixed into ``PaymentView`` (the Payment resource: statements are read)."""

    permissions = {"statement": "read", "statement_csv": "read", "history": "read"}

    def _client_or_404(self, client_id) -> Client:
        """:raise 404: for a client that does not exist or is not yours to see."""
        client = id_fits(client_id) and db.session.scalar(
            select(Client).where(
                Client.id == client_id, Client.id.in_(visible_client_ids(acting_user()))
            )
        )
        if not client:
            abort(404)
        return client

    def _statement(self, client_id):
        client = self._client_or_404(client_id)
        form = _statement_form(client)
        statement = None
        if not form.errors:
            try:
                statement = statement_of_account(
                    client, form.start.data, form.end.data, form.currency.data
                )
            except DomainError as error:
                field_error(form, error)
        return client, form, statement

    @expose("/statement/<int:client_id>", methods=["GET"])
    @has_access
    def statement(self, client_id):
        """The statement of account: opening balance, movements with a running balance, and
        the closing balance, for ``?start=&end=&currency=`` (this year to today by default)."""
        client, form, statement = self._statement(client_id)
        page = self.render_template(
            "admin/statement.html",
            title=f"Statement of account · {client.name}",
            client=client,
            form=form,
            statement=statement,
            money=_money,
            day=day,
        )
        return page, 200 if statement is not None else 422

    @expose("/statement_csv/<int:client_id>", methods=["GET"])
    @has_access
    def statement_csv(self, client_id):
        """The same statement as CSV (opening row, movements, closing row)."""
        client, form, statement = self._statement(client_id)
        if statement is None:
            errors = "; ".join(error for field in form for error in field.errors)
            return Response(errors, status=422, mimetype="text/plain")
        name = f"statement-{client.id}-{statement.currency}-{statement.start}-{statement.end}.csv"
        return csv_response(name, STATEMENT_HEADER, statement_rows(statement))

    @expose("/history/<int:client_id>", methods=["GET"])
    @has_access
    def history(self, client_id):
        """Every payment of the client, newest first."""
        client = self._client_or_404(client_id)
        return self.render_template(
            "admin/payment_history.html",
            title=f"Payment history · {client.name}",
            client=client,
            payments=payment_history(client),
            money=_money,
            day=day,
        )


STATEMENT_HEADER = ("date", "kind", "reference", "description", "debit", "credit", "balance")


def statement_rows(statement) -> list[list]:
    """The opening row, one row per movement, the closing row (text cells are made safe
    from spreadsheet formulas by ``csv_response``)."""
    opening = [statement.start.isoformat(), "opening", "", "Opening balance", "", ""]
    rows = [[*opening, statement.opening]]
    for line in statement.lines:
        rows.append(
            [
                line.on.isoformat(),
                line.kind,
                line.reference,
                line.description,
                line.debit or "",
                line.credit or "",
                line.balance,
            ]
        )
    closing = [statement.end.isoformat(), "closing", "", "Closing balance", "", ""]
    rows.append([*closing, statement.closing])
    return rows


# ---------------------------------------------------------------- the client's Billing tab


@dataclass
class BillingSummary:
    open_invoices: list[Invoice]
    totals: list[tuple[str, Decimal, Decimal]]  # currency, open balance, of which overdue
    credits: dict[str, Decimal]
    open_in_base: Decimal
    credit_limit: Decimal | None
    payments: list = field(default_factory=list)
    base: str = "USD"

    @property
    def over_limit(self) -> bool:
        return self.credit_limit is not None and self.open_in_base > self.credit_limit


def billing_summary(client: Client, today: date | None = None) -> BillingSummary:
    """What the Billing tab shows; the totals and the base-currency sum are SQL."""
    today = today or date.today()
    is_open = (
        Invoice.client_id == client.id,
        Invoice.kind == "invoice",
        Invoice.status.in_(OPEN_STATUSES),
        Invoice.balance > 0,
    )
    open_invoices = db.session.scalars(
        select(Invoice).where(*is_open).order_by(Invoice.due_date, Invoice.id)
    ).all()
    totals = db.session.execute(
        select(
            Invoice.currency,
            func.sum(Invoice.balance),
            func.sum(case((Invoice.due_date < today, Invoice.balance), else_=ZERO)),
            func.sum(Invoice.balance * func.coalesce(Invoice.exchange_rate, 0)),
        )
        .where(*is_open)
        .group_by(Invoice.currency)
        .order_by(Invoice.currency)
    ).all()
    open_in_base = sum((Decimal(row[3] or 0) for row in totals), ZERO)
    return BillingSummary(
        open_invoices=list(open_invoices),
        totals=[(row[0], Decimal(row[1]), Decimal(row[2])) for row in totals],
        credits=ClientCredit.balances(client),
        open_in_base=open_in_base.quantize(Decimal("0.01")),
        credit_limit=client.credit_limit,
        payments=payment_history(client, HISTORY_LIMIT),
        base=base_currency(),
    )
