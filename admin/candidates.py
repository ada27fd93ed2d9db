"""Candidates: the agency-wide list, a candidate page with their CV (upload, download) and their
applications to the job orders of clients the user works on. The CV rules are the model's."""

from __future__ import annotations

from flask import abort, flash, redirect, send_file, url_for
from flask_appbuilder import expose
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import has_access, permission_name
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from extensions import db
from models import Application, Candidate, DomainError, JobOrder, visible_client_ids
from models.documents import ALLOWED_SUMMARY

from .base import READ_WRITE, RulesModelView
from .roles import RESOURCE_PERMISSIONS
from .visibility import acting_user

CANDIDATE_COLUMNS = [
    "first_name",
    "last_name",
    "email",
    "phone",
    "current_title",
    "current_company",
    "location",
    "linkedin_url",
    "summary",
]


class CvForm(FlaskForm):
    cv = FileField("CV", description=f"{ALLOWED_SUMMARY}; checked by content.")


class CandidateView(RulesModelView):
    """Every candidate of the agency (candidates belong to no client)."""

    datamodel = SQLAInterface(Candidate)
    class_permission_name = "Pipeline"
    base_permissions = RESOURCE_PERMISSIONS["Pipeline"]
    method_permission_name = {**READ_WRITE, "upload_cv": "write", "cv_file": "read"}
    exclude_route_methods = {"delete"}  # their moves are the pipeline's history
    show_template = "admin/candidate_show.html"
    base_order = ("last_name", "asc")

    list_title = "Candidates"
    add_title = "New candidate"
    edit_title = "Edit candidate"
    show_title = "Candidate"
    list_columns = [
        "first_name",
        "last_name",
        "email",
        "current_title",
        "current_company",
        "cv_filename",
    ]
    search_columns = [
        "first_name",
        "last_name",
        "email",
        "current_title",
        "current_company",
        "location",
    ]
    add_columns = edit_columns = CANDIDATE_COLUMNS
    label_columns = {
        "cv_filename": "CV",
        "current_title": "Current title",
        "current_company": "Current company",
        "linkedin_url": "LinkedIn",
    }

    def _candidate_or_404(self, pk) -> Candidate:
        candidate = self.datamodel.get(pk)
        if candidate is None:
            abort(404)
        return candidate

    @expose("/show/<pk>", methods=["GET"])
    @has_access
    def show(self, pk):
        """The candidate page: details, CV and their applications (clients you work on)."""
        candidate = self._candidate_or_404(self._deserialize_pk_if_composite(pk))
        return self._page(candidate, CvForm(formdata=None))

    def _page(self, candidate: Candidate, form: CvForm, status: int = 200):
        applications = db.session.scalars(
            select(Application)
            .join(Application.job_order)
            .where(
                Application.candidate_id == candidate.id,
                Application.client_id.in_(visible_client_ids(acting_user())),
            )
            .order_by(JobOrder.id.desc())
        ).all()
        page = self.render_template(
            self.show_template,
            candidate=candidate,
            applications=applications,
            form=form,
            may_write=self.appbuilder.sm.has_access("can_write", self.class_permission_name),
            title=candidate.full_name,
        )
        return page, status

    @expose("/cv/<int:pk>", methods=["POST"])
    @has_access
    @permission_name("write")
    def upload_cv(self, pk):
        """Attach a CV (it replaces the current one); a refused file is named beside the field."""
        candidate = self._candidate_or_404(pk)
        form = CvForm()
        if form.validate():
            try:
                replaced = candidate.action_attach_cv(form.cv.data, acting_user())
            except DomainError as error:
                db.session.rollback()
                form.cv.errors = [*form.cv.errors, error.message]
            else:
                stored = candidate.cv_stored_filename
                try:
                    db.session.commit()
                except (SQLAlchemyError, DomainError):
                    db.session.rollback()
                    Candidate.discard_cv(stored)
                    raise
                Candidate.discard_cv(replaced)
                flash(f"CV {candidate.cv_filename} attached to {candidate}.", "success")
                return redirect(url_for(".show", pk=pk))
        return self._page(self._candidate_or_404(pk), form, 422)

    @expose("/cv/<int:pk>/file", methods=["GET"])
    @has_access
    def cv_file(self, pk):
        """The candidate's CV as an attachment under its original name, never rendered."""
        candidate = self._candidate_or_404(pk)
        path = candidate.cv_path
        if path is None or not path.is_file():
            abort(404)
        response = send_file(
            path,
            mimetype=candidate.cv_content_type,
            as_attachment=True,
            download_name=candidate.cv_filename,
            max_age=0,
        )
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Cache-Control"] = "private, no-store"
        return response
