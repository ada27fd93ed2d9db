"""An application's page off the pipeline board: its stage moves, its interviews, and the form
that schedules one (``Application.action_schedule_interview`` holds the rules)."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import IntegerField, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, NumberRange, Optional

from extensions import db
from models import ClientContact, Contact, DomainError
from models.candidates import INTERVIEW_FORMATS, STAGE_LABELS

from .meetings import UTCDateTimeField


class InterviewForm(FlaskForm):
    scheduled_at = UTCDateTimeField("Time (UTC)", validators=[InputRequired()])
    format = SelectField(
        "Format", choices=[SelectChoice(f, f) for f in INTERVIEW_FORMATS], default="video"
    )
    duration_minutes = IntegerField(
        "Duration (minutes)", default=60, validators=[InputRequired(), NumberRange(5, 600)]
    )
    location = StringField("Location or video link", validators=[Optional()])
    interviewers = SelectMultipleField("Client interviewers", coerce=int, choices=[])
    other_interviewers = StringField("Other interviewers", validators=[Optional()])


def _client_contacts(client_id: int) -> list[Contact]:
    return list(
        db.session.scalars(
            select(Contact)
            .join(ClientContact, ClientContact.contact_id == Contact.id)
            .where(ClientContact.client_id == client_id, Contact.erased_at.is_(None))
            .order_by(Contact.last_name, Contact.first_name)
        )
    )


def _form(application, formdata=None) -> tuple[InterviewForm, dict[int, Contact]]:
    contacts = {c.id: c for c in _client_contacts(application.client_id)}
    form = InterviewForm(formdata=formdata)
    form.interviewers.choices = [
        SelectChoice(cid, str(contact)) for cid, contact in contacts.items()
    ]
    return form, contacts


def interview_page(view, job, application, form=None, status: int = 200):
    """The application's page: stage moves with their dates, interviews, the schedule form."""
    if form is None:
        form, _ = _form(application)
    page = view.render_template(
        "admin/pipeline_application.html",
        job=job,
        application=application,
        form=form,
        labels=STAGE_LABELS,
        may_write=view.appbuilder.sm.has_access("can_write", view.class_permission_name),
        title=f"{application.candidate} for {job.reference}",
    )
    return page, status


def schedule_interview(view, job, application):
    """Parse the form and call the verb; a refusal re-renders the form with the values."""

    form, contacts = _form(application, request.form)
    if form.validate():
        try:
            application.action_schedule_interview(
                form.scheduled_at.data,
                format=form.format.data,
                duration_minutes=form.duration_minutes.data,
                location=form.location.data,
                interviewers=[contacts[cid] for cid in form.interviewers.data],
                other_interviewers=form.other_interviewers.data,
                by=view.appbuilder.sm.current_user,
            )
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            field = form._fields.get(error.field or "")
            if field is not None:
                field.errors = [*field.errors, error.message]
            else:
                flash(error.message, "danger")
        else:
            flash("Interview scheduled.", "success")
            return redirect(
                url_for(".application", job_id=job.id, application_id=application.id), 303
            )
    return interview_page(view, job, application, form, 422)
