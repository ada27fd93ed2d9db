"""Email templates in the staff admin: write, preview against a real record, see how each does.

The rules (categories, keys, the variables a template may use) are
``EmailTemplate.violations``: an unknown variable is shown beside the subject or body when the
template is saved. Templates are retired (``active`` off), never deleted: sent mail keeps a
link to the template it came from.
"""

from __future__ import annotations

from flask import abort, request
from flask_appbuilder import BaseView
from flask_appbuilder.baseviews import expose
from flask_appbuilder.fieldwidgets import BS3TextAreaFieldWidget
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import has_access
from sqlalchemy import select
from wtforms import BooleanField, TextAreaField

from extensions import db
from models import Client, ClientContact, EmailTemplate, MessageError
from models.mail_context import template_context, text_to_html
from models.mail_records import load_records, record_choices
from models.mail_templates import CATEGORIES, VARIABLES, template_performance

from .base import READ_WRITE, RulesModelView
from .fields import choice
from .roles import RESOURCE_PERMISSIONS
from .visibility import acting_user, client_is_visible, visible_client_ids

VARIABLE_HELP = "; ".join(
    f"{name} ({', '.join(attributes)})" for name, (_what, attributes) in VARIABLES.items()
)


class MailTemplateView(RulesModelView):
    """The template library: list, write, preview."""

    datamodel = SQLAInterface(EmailTemplate)
    class_permission_name = "MailTemplate"
    base_permissions = RESOURCE_PERMISSIONS["MailTemplate"]
    method_permission_name = READ_WRITE
    exclude_route_methods = {"delete"}
    show_template = "admin/mail_template_show.html"

    list_title = "Email templates"
    add_title = "New email template"
    edit_title = "Edit email template"
    show_title = "Email template"
    list_columns = ["name", "category_label", "key", "needs_label", "active", "builtin"]
    search_columns = ["name", "key", "category", "subject", "active", "builtin"]
    order_columns = ["name", "key"]
    base_order = ("name", "asc")
    add_columns = edit_columns = ["name", "key", "category", "description", "subject", "body"]
    edit_columns = [*edit_columns, "active"]
    show_columns = ["name", "key", "category_label", "description", "subject", "active", "builtin"]
    label_columns = {
        "category_label": "Category",
        "needs_label": "Needs",
        "builtin": "Built-in",
        "body": "Body",
    }
    description_columns = {
        "key": "How commands and workflows name it: lower-case letters, digits, - and _.",
        "subject": "One line; it may use variables, e.g. Invoice {{ invoice.number }} is due.",
        "body": "Plain text: paragraphs separated by a blank line, links as bare addresses. "
        "Variables: " + VARIABLE_HELP + ".",
        "active": "Offered on the compose form and to workflows.",
    }
    add_form_extra_fields = {
        "category": choice("Category", list(CATEGORIES), blank=None, labels=CATEGORIES),
        "body": TextAreaField("Body", widget=BS3TextAreaFieldWidget()),
    }
    edit_form_extra_fields = {
        **add_form_extra_fields,
        "active": BooleanField("Active", default=True),
    }

    def pre_add(self, item):
        item.active = True if item.active is None else item.active
        item.builtin = False

    @expose("/show/<pk>", methods=["GET"])
    @has_access
    def show(self, pk):
        """The template, a preview against a chosen client, contact and record, and its figures."""
        template = db.session.get(EmailTemplate, int(pk)) if str(pk).isdigit() else None
        if template is None:
            abort(404)
        preview = template_preview(template, request.args)
        return self.render_template(
            self.show_template,
            pk=pk,
            title=f"Email template: {template.name}",
            widgets=self._show(pk),
            email_template=template,
            figures=template_performance([template.id]).get(template.id),
            **preview,
        )


def template_preview(template: EmailTemplate, args) -> dict:
    """The preview form's choices and, once a client is chosen, the rendered mail or the reason
    it cannot be rendered (a record it needs, named)."""
    clients = db.session.execute(
        select(Client.id, Client.name)
        .where(Client.id.in_(visible_client_ids(acting_user())), Client.archived.is_(False))
        .order_by(Client.name)
    ).all()
    chosen = args.get("client_id", type=int)
    result = {"clients": clients, "client_id": chosen, "contacts": [], "records": []}
    if chosen is None or not client_is_visible(chosen):
        return result
    client = db.session.get(Client, chosen)
    links = db.session.scalars(
        select(ClientContact).where(ClientContact.client_id == chosen).order_by(ClientContact.id)
    ).all()
    contact_id = args.get("contact_id", type=int)
    link = next((lk for lk in links if lk.contact_id == contact_id), links[0] if links else None)
    about = args.get("about") or ""
    result.update(
        contacts=[lk.contact for lk in links],
        contact_id=link.contact_id if link else None,
        records=record_choices(chosen),
        about=about,
    )
    try:
        records = load_records(chosen, about)
        context = template_context(client, link.contact if link else None, None, records)
        subject, body = template.render(context)
    except MessageError as error:
        result["preview_error"] = error.message
        return result
    result.update(preview_subject=subject, preview_body=body, preview_html=text_to_html(body))
    return result


class TemplatePerformanceView(BaseView):
    """Open, click and response rates of every template, in one grouped query."""

    route_base = "/template-performance"
    default_view = "index"
    class_permission_name = "MailTemplate"
    base_permissions = RESOURCE_PERMISSIONS["MailTemplate"]
    method_permission_name = {"index": "read"}

    @expose("/")
    @has_access
    def index(self):
        """Every template with its figures, the most sent first."""
        figures = template_performance()
        templates = db.session.scalars(select(EmailTemplate).order_by(EmailTemplate.name)).all()
        rows = sorted(
            ((t, figures.get(t.id)) for t in templates),
            key=lambda row: (-(row[1] or {}).get("sent", 0), row[0].name),
        )
        return self.render_template(
            "admin/template_performance.html", title="Template performance", rows=rows
        )
