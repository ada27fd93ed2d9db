"""Communication › Surveys and Communication › Survey results.

Surveys: the list of the user's clients' surveys, a new survey (client, project, type,
recipients, send and expiry dates) made by ``Survey.create_for`` so its questions are copied
from the type's definitions, Send (``Survey.action_send``; the job mails the invitations now or
on the send date), Close, and the show page with the recipients and their responses.

Survey results: NPS, CSAT and response rate overall and per visible client for a period, the
monthly trend as a server-rendered SVG chart, and the same figures as CSV.
"""

from __future__ import annotations

from datetime import date, datetime

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.actions import action
from flask_appbuilder.fields import QuerySelectMultipleField
from flask_appbuilder.fieldwidgets import Select2ManyWidget
from flask_appbuilder.security.decorators import has_access, permission_name
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms import StringField
from wtforms.validators import Length, Optional

from extensions import db
from jobs.surveys import send_survey_later
from models import (
    ClientContact,
    Contact,
    DomainError,
    NotFoundError,
    Survey,
    SurveyResponse,
    survey_results,
    visible_client_ids,
)
from models.surveys import KIND_LABELS, SURVEY_KINDS

from .base import READ_WRITE, RulesModelView, field_error, id_fits, selected_visible
from .charts import Series, line_chart
from .csv_export import csv_response
from .fields import choice
from .formats import when
from .meetings import UTCDateTimeField
from .projects import EagerInterface
from .roles import RESOURCE_PERMISSIONS
from .visibility import acting_user, client_is_visible, visible_to_user


def _visible_contacts():
    """Contacts linked to a client the user may see (the model checks it is the survey's)."""
    ids = visible_client_ids(acting_user())
    return (
        db.session.query(Contact)
        .filter(
            Contact.id.in_(select(ClientContact.contact_id).where(ClientContact.client_id.in_(ids)))
        )
        .order_by(Contact.last_name, Contact.first_name)
    )


def _kind(value) -> str:
    return KIND_LABELS.get(value, value)


class SurveyView(RulesModelView):
    """Surveys of the clients the user works on."""

    datamodel = EagerInterface(Survey, (selectinload(Survey.recipients),))
    class_permission_name = "Survey"
    base_permissions = RESOURCE_PERMISSIONS["Survey"]
    method_permission_name = {
        **READ_WRITE,
        "send_survey": "send",
        "close_survey": "send",
        "send": "send",
    }
    base_filters = [visible_to_user()]
    # Surveys are kept (their answers feed the results); a sent one does not change.
    exclude_route_methods = {"delete", "edit"}
    add_form_query_rel_fields = {"client": [visible_to_user("id")]}
    search_form_query_rel_fields = {"client": [visible_to_user("id")]}
    show_template = "admin/survey_show.html"

    list_title = "Surveys"
    add_title = "New survey"
    show_title = "Survey"
    list_columns = ["title", "client", "kind", "status", "send_at", "expires_at", "response_count"]
    search_columns = ["title", "client", "kind", "status"]
    order_columns = ["title", "kind", "status", "send_at", "expires_at"]
    base_order = ("id", "desc")
    add_columns = ["client", "project", "kind", "title", "contacts", "send_at", "expires_at"]
    label_columns = {
        "kind": "Type",
        "send_at": "Send date (UTC)",
        "expires_at": "Expires (UTC)",
        "response_count": "Responses",
        "contacts": "Recipients",
    }
    description_columns = {
        "project": "Optional: one of the client's projects (a project completion survey).",
        "title": "Leave blank for the type and the client's (or project's) name.",
        "contacts": "Contacts of the client; each gets their own link.",
        "send_at": "Leave blank to send as soon as you press Send.",
        "expires_at": "Leave blank for 14 days after the send date.",
    }
    formatters_columns = {"send_at": when, "expires_at": when, "kind": _kind}
    add_form_extra_fields = {
        "title": StringField("Title", validators=[Optional(), Length(max=191)]),
        "kind": choice("Type", SURVEY_KINDS, blank=None, labels=KIND_LABELS, default="nps"),
        "contacts": QuerySelectMultipleField(
            "Recipients",
            query_func=_visible_contacts,
            get_pk_func=lambda contact: contact.id,
            widget=Select2ManyWidget(),
        ),
        "send_at": UTCDateTimeField("Send date (UTC)", validators=[Optional()]),
        "expires_at": UTCDateTimeField("Expires (UTC)", validators=[Optional()]),
    }

    def _init_forms(self):
        # The rules run in ``Survey.create_for`` (its defaults fill the blank title and expiry),
        # not on a scratch survey populated from the form.
        super(RulesModelView, self)._init_forms()

    @expose("/add", methods=["GET", "POST"])
    @has_access
    def add(self):
        """A draft through ``Survey.create_for`` (its questions copied from the type's); a
        refused rule re-renders the form with the values and the message on its field."""
        form = self.add_form.refresh()
        if form.is_submitted() and form.validate():
            client = form.client.data
            try:
                if client is None or not client_is_visible(client.id):
                    raise NotFoundError("Choose a client you work on.", "client")
                survey = Survey.create_for(
                    client,
                    form.kind.data,
                    list(form.contacts.data or []),
                    project=form.project.data,
                    by=acting_user(),
                    send_at=form.send_at.data,
                    expires_at=form.expires_at.data,
                    title=(form.title.data or "").strip() or None,
                )
                db.session.commit()
            except DomainError as error:
                db.session.rollback()
                if error.field == "recipients":
                    form.contacts.errors = [*form.contacts.errors, error.message]
                else:
                    field_error(form, error)
            else:
                flash(f"Survey “{survey.title}” drafted: check it, then send it.", "success")
                return redirect(url_for(".show", pk=survey.id))
        widget = self._get_add_widget(form=form)
        page = self.render_template(self.add_template, title=self.add_title, widgets=widget)
        return page, 422 if any(f.errors for f in form) else 200

    def _survey_or_404(self, pk) -> Survey:
        survey = self.datamodel.get(pk, self._base_filters) if id_fits(pk) else None
        if survey is None:
            abort(404)
        return survey

    @expose("/show/<pk>", methods=["GET"])
    @has_access
    def show(self, pk):
        """The survey: questions, recipients (sent, skipped, answered) and each response."""
        survey = self._survey_or_404(pk)
        responses = db.session.scalars(
            select(SurveyResponse)
            .where(SurveyResponse.survey_id == survey.id)
            .order_by(SurveyResponse.submitted_at)
        ).all()
        may_send = self.appbuilder.sm.has_access("can_send", self.class_permission_name)
        return self.render_template(
            self.show_template,
            survey=survey,
            responses=responses,
            may_send=may_send,
            when=when,
            title=survey.title,
        )

    @action("send", "Send", "Send the selected draft surveys?", "fa-paper-plane", single=False)
    def send(self, items):
        """Send each selected draft; a refusal is flashed with the model's message."""
        for survey in selected_visible([item for item in items if item is not None], self):
            try:
                now = survey.action_send(acting_user())
                db.session.commit()
            except DomainError as error:
                db.session.rollback()
                flash(f"{survey.title}: {error.message}", "danger")
                continue
            if now:
                send_survey_later(survey.id)
            flash(f"{survey.title}: {survey.status_label.lower()}.", "success")
        return redirect(request.referrer or self.get_redirect())

    @expose("/send/<int:pk>", methods=["POST"])
    @has_access
    @permission_name("send")
    def send_survey(self, pk):
        """Send a draft: the invitations go now, or on its send date."""
        survey = self._survey_or_404(pk)
        try:
            now = survey.action_send(acting_user())
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "danger")
            return redirect(url_for(".show", pk=pk))
        if now:
            run = send_survey_later(survey.id)
            skipped = getattr(run, "skipped", [])
            flash(
                f"Survey sent to {len(survey.recipients) - len(skipped)} recipient(s)."
                + "".join(f" {contact} skipped: {reason}." for _, contact, reason in skipped),
                "success",
            )
        else:
            flash(f"Survey scheduled for {when(survey.send_at)}.", "success")
        return redirect(url_for(".show", pk=pk))

    @expose("/close/<int:pk>", methods=["POST"])
    @has_access
    @permission_name("send")
    def close_survey(self, pk):
        """Take no more answers."""
        survey = self._survey_or_404(pk)
        try:
            survey.action_close(acting_user())
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "danger")
        else:
            flash("Survey closed: it takes no more answers.", "success")
        return redirect(url_for(".show", pk=pk))


# ---------------------------------------------------------------- results


def _date_arg(name: str) -> tuple[date | None, str]:
    raw = (request.args.get(name) or "").strip()
    if not raw:
        return None, ""
    try:
        return datetime.strptime(raw, "%Y-%m-%d").date(), raw
    except ValueError:
        flash(f"{name.capitalize()} must be a date as YYYY-MM-DD; it was left out.", "danger")
        return None, ""


def trend_svg(months, width: int = 640, height: int = 220) -> Markup:
    """NPS (−100..100) and CSAT (0..100) per month as an inline SVG line chart."""
    return line_chart(
        "survey-trend",
        [m.label for m in months],
        [
            Series("nps", "NPS", [m.nps for m in months], "#1d4ed8"),
            Series("csat", "CSAT %", [m.csat for m in months], "#15803d"),
        ],
        "NPS and CSAT per month",
        y_range=(-100, 100),
        ticks=(-100, -50, 0, 50, 100),
        width=width,
        height=height,
    )


SURVEY_CSV_HEADER = (
    "scope",
    "name",
    "responses",
    "invited",
    "response_rate",
    "nps",
    "promoters",
    "passives",
    "detractors",
    "csat",
    "satisfied",
    "csat_answers",
)


class SurveyResultsView(BaseView):
    """NPS, CSAT and response rate for the user's clients, with the monthly trend."""

    route_base = "/survey-results"
    default_view = "index"
    class_permission_name = "Survey"
    base_permissions = RESOURCE_PERMISSIONS["Survey"]
    method_permission_name = {"index": "read", "csv": "read"}

    def _results(self):
        since, since_raw = _date_arg("since")
        until, until_raw = _date_arg("until")
        results = survey_results(visible_client_ids(acting_user()), since, until)
        return results, since_raw, until_raw

    @expose("/")
    @has_access
    def index(self):
        results, since, until = self._results()
        return self.render_template(
            "admin/survey_results.html",
            results=results,
            since=since,
            until=until,
            chart=trend_svg(results.months),
            title="Survey results",
        )

    @expose("/csv")
    @has_access
    def csv(self):
        """The per-client and per-month figures as CSV."""
        results, since, until = self._results()

        def row(scope, s):
            return [
                scope,
                s.label,
                s.responses,
                s.invited,
                s.response_rate,
                s.nps,
                s.promoters,
                s.passives,
                s.detractors,
                s.csat,
                s.satisfied,
                s.csat_answers,
            ]

        rows = [row("overall", results.overall)]
        rows += [row("client", scores) for scores in results.clients]
        rows += [row("month", scores) for scores in results.months]
        name = "survey-results" + (f"-{since}" if since else "") + (f"-to-{until}" if until else "")
        return csv_response(f"{name}.csv", SURVEY_CSV_HEADER, rows)
