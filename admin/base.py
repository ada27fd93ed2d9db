"""What every ClientDesk admin view and API shares: model rules inside form validation,
domain errors as JSON, and the read/write permission map."""

from __future__ import annotations

from flask import abort, flash, redirect, request
from flask_appbuilder import ModelRestApi, ModelView, expose, has_access

from extensions import db
from models import DomainError

READ_WRITE = {
    # views
    "list": "read",
    "show": "read",
    "download": "read",
    "add": "write",
    "edit": "write",
    "action": "write",
    "action_post": "write",
    # APIs
    "get": "read",
    "get_list": "read",
    "info": "read",
    "post": "write",
    "put": "write",
}


def _with_model_rules(form_class, model):
    """Subclass a FAB form so that ``validate()`` also runs the model's ``violations()``.

    A broken rule is shown beside its field and the form re-renders with the user's values.
    The check populates a scratch object and rolls the session back, so nothing it touched
    (a persistent record under edit, a back-reference collection) survives the check.
    """

    class ModelRulesForm(form_class):
        def populate_obj(self, obj):
            # Fields that depend on each other (a late fee policy and its amount) are set one
            # by one: a query between them (a relation's choices) must not flush a record
            # that is only half filled in, which the model's rules would refuse.
            with db.session.no_autoflush:
                super().populate_obj(obj)

        def validate(self, extra_validators=None):
            if not super().validate(extra_validators=extra_validators):
                return False
            pk = getattr(self, "_id", None)
            session = db.session
            try:
                with session.no_autoflush:
                    item = session.get(model, pk) if pk is not None else model()
                    self.populate_obj(item)
                    errors = item.violations()
            finally:
                session.rollback()
            for error in errors:
                field = self._fields.get(error.field or "")
                if field is not None:
                    field.errors = [*field.errors, error.message]
                else:
                    flash(error.message, "danger")
            return not errors

    ModelRulesForm.__name__ = f"{model.__name__}RulesForm"
    return ModelRulesForm


class RulesModelView(ModelView):
    """A ModelView whose add and edit forms enforce the model's own rules."""

    method_permission_name = READ_WRITE

    @expose("/download/<string:filename>")
    @has_access
    def download(self, filename):
        """Closed: FAB's own route would serve any file at the top of ``UPLOAD_FOLDER`` to any
        reader, past the row filters. Files are served by views that check the row first."""
        abort(404)

    def _init_forms(self):
        super()._init_forms()
        model = self.datamodel.obj
        if hasattr(model, "violations"):
            self.add_form = _with_model_rules(self.add_form, model)
            self.edit_form = _with_model_rules(self.edit_form, model)


class DomainModelApi(ModelRestApi):
    """A ModelRestApi that validates with the model's rules and answers them as 4xx JSON."""

    method_permission_name = READ_WRITE
    include_route_methods = {"get", "get_list", "post", "put", "info"}
    allow_browser_login = True

    def pre_add(self, item):
        if hasattr(item, "validate"):
            item.validate()

    def pre_update(self, item):
        if hasattr(item, "validate"):
            item.validate()

    def get_headless(self, pk, **kwargs):
        if not id_fits(pk):
            return self.response_404()
        return super().get_headless(pk, **kwargs)

    def _verb(self, pk: int, verb):
        """Run a model verb on a row this API's filters let the user see; answer it as JSON."""
        item = self.datamodel.get(pk, self._base_filters) if id_fits(pk) else None
        if item is None:
            return self.response_404()
        try:
            verb(item)
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            return self.response(error.status_code, **error.as_json())
        return self.response(200, result=self.show_model_schema.dump(item))

    def _domain_errors_as_json(self, call):
        try:
            return call()
        except DomainError as error:
            db.session.rollback()
            return self.response(error.status_code, **error.as_json())

    def post_headless(self):
        return self._domain_errors_as_json(super().post_headless)

    def put_headless(self, pk):
        if not id_fits(pk):
            return self.response_404()
        return self._domain_errors_as_json(lambda: super(DomainModelApi, self).put_headless(pk))


def field_error(form, error: DomainError) -> None:
    """Show a model's refusal beside the form field it names, or as a flash when the form has
    no such field (a rule about the whole record)."""
    field = form._fields.get(error.field or "")
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        flash(error.message, "danger")


DB_INT_MAX = 2**31 - 1


def id_fits(pk) -> bool:
    """Whether ``pk`` can be a row id at all: an id past the database's integers names no
    record (PostgreSQL would refuse to compare it, which FAB answers with a 500)."""
    try:
        return 1 <= int(pk) <= DB_INT_MAX
    except (TypeError, ValueError):
        return False


# ---------------------------------------------------------------- actions on selected rows


def run_verb(call, done: str | None = None) -> bool:
    """Call a model verb and commit once; flash ``done``, or the rule it broke (rolled back).
    Returns whether it went through."""
    try:
        call()
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "danger")
        return False
    if done:
        flash(done, "success")
    return True


def apply_to_selected(items, verb, done: str, view):
    """Run a model verb on each selected row the user may see; one commit per row."""
    for item in selected_visible(items, view):
        try:
            verb(item)
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            flash(f"{item}: {error.message}", "danger")
        else:
            flash(f"{item} {done}.", "success")
    return redirect(request.referrer or view.get_redirect())


def selected_visible(items, view) -> list:
    """The selected rows that pass the view's base filters (FAB's action_post skips them)."""
    items = items if isinstance(items, list) else [items]
    pk = view.datamodel.get_pk_name()
    return [item for item in items if view.datamodel.get(getattr(item, pk), view._base_filters)]
