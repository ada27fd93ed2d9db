"""Reports › Time entries, Import time entries, Staff capacity.

Time entries are the TimeEntry resource: a user who may not read the Utilization report (a
recruiter) sees, logs and edits only their own entries (the list is filtered to them and a
new entry is theirs); others see every entry of the clients they may see. Staff capacity
(weekly hours and cost rates) is the Utilization resource. The CSV import is all or nothing
(``models.time_import``): a preview lists every bad row by line and field, and the rows are
written only when there is none.
"""

from __future__ import annotations

from flask import current_app, flash, request
from flask_appbuilder import BaseView, expose
from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import has_access
from wtforms.validators import Optional

from extensions import db
from models import StaffCapacity, TimeEntry
from models.importing import ImportFileError
from models.time_import import COLUMNS, KIND, REQUIRED, check_time_entries, import_time_entries

from .base import READ_WRITE, RulesModelView
from .formats import day
from .roles import RESOURCE_PERMISSIONS
from .visibility import acting_user, staff_users, visible_to_user

MAX_BYTES = 2 * 1024 * 1024


def sees_everyone() -> bool:
    """Whether the acting user may see every recruiter's time (reads the Utilization report)."""
    return current_app.appbuilder.sm.has_access("can_read", "Utilization")


class FilterOwnEntries(BaseFilter):
    """Keep the acting user's own entries unless they read the Utilization report."""

    name = "Yours"
    arg_name = "own"

    def apply(self, query, value):
        if sees_everyone():
            return query
        return query.filter(TimeEntry.user_id == acting_user().id)


class TimeEntryView(RulesModelView):
    datamodel = SQLAInterface(TimeEntry)
    class_permission_name = "TimeEntry"
    base_permissions = RESOURCE_PERMISSIONS["TimeEntry"]
    method_permission_name = {**READ_WRITE, "delete": "write"}
    base_filters = [visible_to_user(), ["id", FilterOwnEntries, None]]
    list_title = "Time entries"
    add_title = "Log time"
    edit_title = "Edit time entry"
    show_title = "Time entry"
    list_columns = ["day", "user", "client", "job_order", "hours", "billable", "note"]
    add_columns = edit_columns = ["user", "day", "client", "project", "job_order", "hours",
                                  "billable", "note"]  # fmt: skip
    show_columns = [*add_columns, "created_by", "created_at"]
    search_columns = ["user", "client", "job_order", "day", "billable"]
    order_columns = ["day", "hours"]
    base_order = ("day", "desc")
    label_columns = {"user": "Recruiter", "job_order": "Job order"}
    description_columns = {
        "hours": "More than 0, at most 24 (e.g. 1.5).",
        "job_order": "Its client and project are taken from it.",
        "client": "Leave empty when a job order is chosen.",
    }
    formatters_columns = {"day": day}
    # The dropdowns offer only the clients the user may see, and only their job orders and
    # projects (``*_form_query_rel_fields``: the ModelView names; ``add_query_rel_fields`` is
    # the REST API's and a ModelView ignores it).
    add_form_query_rel_fields = edit_form_query_rel_fields = {
        "user": [staff_users()],
        "client": [visible_to_user("id")],
        "job_order": [visible_to_user()],
        "project": [visible_to_user()],
    }

    def _init_forms(self):
        """The client may be left empty when a job order is chosen (the model fills it in
        and its rules name a missing client)."""
        super()._init_forms()
        for form in (self.add_form, self.edit_form):
            for name in ("client", "user"):
                getattr(form, name).kwargs.update(validators=[Optional()], allow_blank=True)

    def _own(self, item):
        if not sees_everyone():
            item.user = acting_user()

    def pre_add(self, item):
        self._own(item)
        item.created_by = acting_user()

    def pre_update(self, item):
        self._own(item)


class StaffCapacityView(RulesModelView):
    datamodel = SQLAInterface(StaffCapacity)
    class_permission_name = "Utilization"
    base_permissions = RESOURCE_PERMISSIONS["Utilization"]
    method_permission_name = {**READ_WRITE, "delete": "write"}
    list_title = "Staff capacity"
    add_title = "New staff capacity"
    edit_title = "Edit staff capacity"
    show_title = "Staff capacity"
    list_columns = add_columns = edit_columns = show_columns = ["user", "weekly_hours", "cost_rate"]
    label_columns = {"user": "Staff user", "cost_rate": "Cost rate (base currency per hour)"}
    description_columns = {
        "weekly_hours": "Hours a week they work (without a row: DEFAULT_WEEKLY_CAPACITY_HOURS).",
        "cost_rate": "What an hour of theirs costs (without a row: DEFAULT_COST_RATE).",
    }
    add_form_query_rel_fields = edit_form_query_rel_fields = {"user": [staff_users()]}


class TimeEntryImportView(BaseView):
    """Upload a CSV of time entries, preview every bad row, import when all are good."""

    route_base = "/time-import"
    default_view = "upload"
    class_permission_name = "TimeEntry"
    base_permissions = RESOURCE_PERMISSIONS["TimeEntry"]
    method_permission_name = {"upload": "write"}

    @expose("/", methods=["GET", "POST"])
    @has_access
    def upload(self):
        """GET: the form. POST with a file: the preview. POST ``confirm`` with the checked
        text: the import (checked again)."""
        context = {"columns": COLUMNS[KIND], "required": REQUIRED[KIND]}
        if request.method == "GET":
            return self.render_template("admin/time_import.html", **context)
        only = None if sees_everyone() else acting_user()
        upload = request.files.get("file")
        text = request.form.get("text") if request.form.get("confirm") else None
        if text is None and (upload is None or not upload.filename):
            flash("Choose a CSV file to upload.", "danger")
            return self.render_template("admin/time_import.html", **context), 400
        data = text if text is not None else upload.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            flash(f"The file is over {MAX_BYTES // (1024 * 1024)} MB: split it.", "danger")
            return self.render_template("admin/time_import.html", **context), 400
        try:
            if text is not None:
                report = import_time_entries(db.session, data, "upload.csv", acting_user(), only)
            else:
                report = check_time_entries(
                    db.session, data, upload.filename, only, viewer=acting_user()
                )
        except ImportFileError as error:
            flash(error.message, "danger")
            return self.render_template("admin/time_import.html", **context), 400
        if report.imported:
            flash(f"{report.imported} time entries imported.", "success")
        if isinstance(data, bytes):
            data = data.decode("utf-8-sig")
        return self.render_template("admin/time_import.html", report=report, text=data, **context)
