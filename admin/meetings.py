"""The Meetings tab of the client page: schedule, reschedule, cancel, follow-up actions and the
``.ics`` invitation. Rules and the timeline are the ``Meeting`` model's."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import abort, flash, make_response, redirect, request, url_for
from flask_appbuilder import expose, has_access
from flask_appbuilder.actions import action
from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.models.sqla.interface import SQLAInterface
from markupsafe import Markup
from sqlalchemy import select
from wtforms import BooleanField, DateTimeField
from wtforms.widgets import html_params

from extensions import db
from models import DomainError, Meeting, MeetingAction, NotFoundError, visible_client_ids

from .base import READ_WRITE, RulesModelView, selected_visible
from .documents import _client_visible
from .formats import when_or_blank
from .roles import RESOURCE_PERMISSIONS
from .visibility import acting_user, visible_to_user

DATETIME_FORMATS = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M"]


class UTCDateTimeWidget:
    """The browser's own date-and-time input. FAB's picker keeps only a date, and wipes a
    typed time, so a meeting's hour could not be entered with it."""

    def __call__(self, field, **kwargs):
        kwargs.setdefault("id", field.id)
        kwargs.setdefault("name", field.name)
        kwargs.setdefault("class", "form-control")
        kwargs.pop("placeholder", None)
        params = html_params(type="datetime-local", step="60", value=field._value(), **kwargs)
        return Markup(f"<input {params}>")


class UTCDateTimeField(DateTimeField):
    """A date and time typed in UTC, stored as a timezone-aware UTC value."""

    def __init__(self, label, **kwargs):
        super().__init__(label, format=DATETIME_FORMATS, widget=UTCDateTimeWidget(), **kwargs)

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None:
            self.data = self.data.replace(tzinfo=UTC)

    def _value(self):
        if self.raw_data:
            return " ".join(self.raw_data)
        if isinstance(self.data, datetime):
            return self.data.astimezone(UTC).strftime("%Y-%m-%dT%H:%M")
        return ""


def _ics_link(pk) -> Markup:
    link = '<a href="{}"><i class="fa fa-calendar-plus-o"></i> Invitation (.ics)</a>'
    return Markup(link).format(url_for("MeetingView.ics", pk=pk))


class FilterMeetingVisible(BaseFilter):
    """Follow-up actions of meetings with the clients the current user may see."""

    name = "Visible to you"
    arg_name = "mvis"

    def apply(self, query, value):
        meetings = select(Meeting.id).where(
            Meeting.client_id.in_(visible_client_ids(acting_user()))
        )
        return query.filter(MeetingAction.meeting_id.in_(meetings))


class MeetingActionView(RulesModelView):
    """A meeting's follow-up actions (a tab of the meeting's page)."""

    datamodel = SQLAInterface(MeetingAction)
    class_permission_name = "Client"
    base_permissions = RESOURCE_PERMISSIONS["Client"]
    method_permission_name = {**READ_WRITE, "mark_done": "write"}
    base_filters = [["meeting_id", FilterMeetingVisible, None]]
    exclude_route_methods = {"delete"}
    add_form_query_rel_fields = search_form_query_rel_fields = {"meeting": [visible_to_user()]}
    list_title = "Follow-up actions"
    list_columns = ["description", "owner", "due_on", "done"]
    add_columns = ["meeting", "description", "owner", "due_on", "done"]
    edit_columns = add_columns[1:]  # an action stays with its meeting
    show_columns = add_columns
    label_columns = {"owner": "Owner", "due_on": "Due", "done": "Done"}
    # FAB makes a NOT NULL boolean "required", which refuses an unticked box.
    add_form_extra_fields = edit_form_extra_fields = {"done": BooleanField("Done")}

    def pre_add(self, item):
        with db.session.no_autoflush:  # ``item`` joins the session only after this check
            if item.meeting is None or not _client_visible(item.meeting.client):
                raise NotFoundError("No such meeting.")

    @action("mark_done", "Mark done", "Mark the selected actions done?", "fa-check", single=False)
    def mark_done(self, items):
        for item in selected_visible(items, self):
            item.action_mark_done(acting_user())
        db.session.commit()
        return redirect(request.referrer or self.get_redirect())


class MeetingView(RulesModelView):
    """Meetings with a client: schedule them from the client page, download the invitation."""

    datamodel = SQLAInterface(Meeting)
    class_permission_name = "Client"
    base_permissions = RESOURCE_PERMISSIONS["Client"]
    method_permission_name = {
        **READ_WRITE,
        "ics": "read",
        "cancel": "write",
        "send_invitations": "write",
    }
    base_filters = [visible_to_user()]
    exclude_route_methods = {"delete"}  # cancel instead: the timeline says so
    add_form_query_rel_fields = {"client": [visible_to_user("id")]}
    base_order = ("starts_at", "desc")
    related_views = [MeetingActionView]

    list_title = "Meetings"
    add_title = "Schedule a meeting"
    edit_title = "Edit meeting"
    show_title = "Meeting"
    list_columns = ["title", "starts_at", "ends_at", "where", "organiser", "id"]
    search_columns = ["title", "location", "organiser"]
    add_columns = [
        "client",
        "title",
        "starts_at",
        "ends_at",
        "location",
        "video_link",
        "agenda",
        "contacts",
        "staff",
    ]
    edit_columns = [*add_columns[1:], "outcome"]
    show_columns = [*add_columns, "outcome", "organiser", "sequence", "id"]
    label_columns = {
        "starts_at": "Starts (UTC)",
        "ends_at": "Ends (UTC)",
        "video_link": "Video link",
        "contacts": "Client attendees",
        "staff": "Staff attendees",
        "outcome": "Outcome notes",
        "sequence": "Invitation version",
        "where": "Where",
        "id": "Invitation",
    }
    description_columns = {
        "starts_at": "UTC, as YYYY-MM-DD HH:MM.",
        "contacts": "The client's contacts who are invited.",
        "staff": "Agency staff who are invited.",
    }
    formatters_columns = {"starts_at": when_or_blank, "ends_at": when_or_blank, "id": _ics_link}
    add_form_extra_fields = edit_form_extra_fields = {
        "starts_at": UTCDateTimeField("Starts (UTC)"),
        "ends_at": UTCDateTimeField("Ends (UTC)"),
    }

    def pre_add(self, item):
        with db.session.no_autoflush:
            if item.client is None or not _client_visible(item.client):
                raise NotFoundError("No such client.")
        item.action_schedule(acting_user())

    def pre_update(self, item):
        item.action_update(acting_user())

    @expose("/ics/<int:pk>")
    @has_access
    def ics(self, pk):
        """The meeting's invitation as an iCalendar file (404 if not yours)."""
        meeting = self.datamodel.get(pk, self._base_filters)
        if meeting is None:
            abort(404)
        response = make_response(meeting.ics())
        response.headers["Content-Type"] = "text/calendar; charset=utf-8; method=REQUEST"
        response.headers["Content-Disposition"] = f'attachment; filename="meeting-{pk}.ics"'
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    @action(
        "send_invitations",
        "Send invitations",
        "Email each attendee of the selected meetings an invitation?",
        "fa-envelope",
        single=False,
    )
    def send_invitations(self, items):
        from jobs.meetings import send_invitations

        for item in selected_visible(items, self):
            messages, skipped = send_invitations(item, acting_user())
            flash(f"{item.title}: {len(messages)} invitation(s) sent.", "success")
            if skipped:
                flash(f"No email address for {', '.join(skipped)}: not invited.", "warning")
        return redirect(request.referrer or self.get_redirect())

    @action(
        "cancel",
        "Cancel meeting",
        "Cancel the selected meetings? They are removed; the timeline keeps a line.",
        "fa-calendar-times-o",
        single=False,
    )
    def cancel(self, items):
        for item in selected_visible(items, self):
            try:
                title = item.title
                item.action_cancel(acting_user())
                db.session.commit()
            except DomainError as error:
                db.session.rollback()
                flash(error.message, "danger")
            else:
                flash(f"{title} cancelled.", "success")
        return redirect(request.referrer or self.get_redirect())
