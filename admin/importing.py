"""CSV import in the admin: upload, preview (counts and every bad row), confirm, result.

The uploaded file is kept server-side under ``instance/imports/`` (``IMPORT_FOLDER``) by a
random token until it is confirmed; only the user who uploaded it may confirm it or download
its rejected rows. Confirming checks the file again (the data may have changed meanwhile) and
imports the rows that are still good. The rules and the writing are in ``models.importing``.
"""

from __future__ import annotations

import json
import re
import secrets
from pathlib import Path

from flask import abort, current_app, flash, redirect, request, send_file, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access

from extensions import db
from models import visible_client_ids
from models.importing import COLUMNS, REQUIRED, ImportFileError, check_csv, import_csv

from .roles import RESOURCE_PERMISSIONS
from .visibility import acting_user

MAX_BYTES = 20 * 1024 * 1024  # 100,000 contact rows are about 8 MB
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
KINDS = {"clients": "Clients", "contacts": "Contacts"}


def _folder() -> Path:
    configured = current_app.config.get("IMPORT_FOLDER")
    folder = Path(configured) if configured else Path(current_app.instance_path) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _stored(token: str) -> tuple[dict, bytes]:
    """The upload behind ``token``, if it is the current user's.

    :raise 404: for a malformed or unknown token, or another user's upload.
    """
    if not TOKEN_RE.match(token):
        abort(404)
    meta_path = _folder() / f"{token}.json"
    if not meta_path.exists():
        abort(404)
    meta = json.loads(meta_path.read_text())
    if meta["user_id"] != acting_user().id:
        abort(404)
    return meta, (_folder() / f"{token}.csv").read_bytes()


def _may_import(kind: str) -> bool:
    """Clients need write on Client (the view's permission); contacts also on Contact."""
    return kind != "contacts" or current_app.appbuilder.sm.has_access("can_write", "Contact")


class ImportView(BaseView):
    """Import clients or contacts from a CSV file (Clients › Import CSV)."""

    route_base = "/import"
    default_view = "upload"
    class_permission_name = "Client"
    base_permissions = RESOURCE_PERMISSIONS["Client"]
    method_permission_name = {
        "upload": "write",
        "confirm": "write",
        "rejected": "write",
    }

    def _render(self, template: str, **context):
        return self.render_template(template, kinds=KINDS, columns=COLUMNS, **context)

    @expose("/", methods=["GET", "POST"])
    @has_access
    def upload(self):
        """The upload form; a posted file is stored and previewed."""
        if request.method == "GET":
            return self._render("admin/import_upload.html", required=REQUIRED)
        kind = request.form.get("kind", "")
        upload = request.files.get("file")
        problem = None
        if kind not in KINDS:
            problem = "Choose what the file holds: clients or contacts."
        elif not _may_import(kind):
            abort(403)
        elif upload is None or not upload.filename:
            problem = "Choose a CSV file to upload."
        if problem is None:
            data = upload.read(MAX_BYTES + 1)
            if len(data) > MAX_BYTES:
                problem = f"The file is over {MAX_BYTES // (1024 * 1024)} MB: split it."
        if problem is None:
            try:
                report = self._check(kind, data, upload.filename)
            except ImportFileError as error:
                problem = error.message
        if problem is not None:
            flash(problem, "danger")
            return self._render("admin/import_upload.html", required=REQUIRED, kind=kind), 400
        token = secrets.token_urlsafe(24)
        (_folder() / f"{token}.csv").write_bytes(data)
        meta = {"kind": kind, "filename": Path(upload.filename).name, "user_id": acting_user().id}
        (_folder() / f"{token}.json").write_text(json.dumps(meta))
        return self._render("admin/import_preview.html", report=report, token=token, done=False)

    @expose("/confirm/<token>", methods=["POST"])
    @has_access
    def confirm(self, token: str):
        """Import the good rows of an uploaded file and show what happened."""
        meta, data = _stored(token)
        if not _may_import(meta["kind"]):
            abort(403)
        try:
            report = import_csv(
                db.session,
                meta["kind"],
                data,
                meta["filename"],
                by=acting_user(),
                visible=visible_client_ids(acting_user()),
            )
        except ImportFileError as error:
            flash(error.message, "danger")
            return redirect(url_for("ImportView.upload"))
        (_folder() / f"{token}.rejected.csv").write_text(report.rejected_csv())
        flash(f"{report.imported} {meta['kind']} imported from {meta['filename']}.", "success")
        return self._render("admin/import_preview.html", report=report, token=token, done=True)

    @expose("/rejected/<token>")
    @has_access
    def rejected(self, token: str):
        """The rejected rows of an upload as a CSV file with an ``errors`` column."""
        meta, data = _stored(token)
        path = _folder() / f"{token}.rejected.csv"
        if not path.exists():
            report = self._check(meta["kind"], data, meta["filename"])
            path.write_text(report.rejected_csv())
        response = send_file(
            path,
            mimetype="text/csv",
            as_attachment=True,
            download_name=f"{Path(meta['filename']).stem}-rejected.csv",
        )
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    def _check(self, kind, data, filename):
        return check_csv(db.session, kind, data, filename, visible_client_ids(acting_user()))
