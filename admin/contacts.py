"""The client page's Contacts and Mail tabs, and contact relationships.

The Contacts tab (``ClientContactView`` in views.py, with ``ContactsTabMixin``) assigns an
existing contact, creates one for the client in one step, delinks, marks the primary contact,
and sends mail or SMS to the selected contacts through a compose form. The rules are the
models' verbs and ``jobs.client_messages``; this module only maps them to pages.
"""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import ModelView
from flask_appbuilder.actions import action
from flask_appbuilder.baseviews import expose
from flask_appbuilder.fieldwidgets import BS3TextAreaFieldWidget, BS3TextFieldWidget
from flask_appbuilder.forms import DynamicForm
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import has_access
from flask_appbuilder.widgets import FormWidget, ListWidget
from sqlalchemy import select
from wtforms import SelectField, StringField, TextAreaField

from extensions import db
from models import (
    Client,
    ClientContact,
    Contact,
    DomainError,
    EmailTemplate,
    MessageError,
    OutboxMessage,
    visible_client_ids,
)
from models.clients import CONTACT_ROLES
from models.contact_relationships import RELATIONSHIP_KINDS, ContactRelationship
from models.contacts import BEST_TIMES, CHANNELS, ENGAGEMENT_LEVELS, FREQUENCY_MAX
from models.mail_records import load_records, record_choices
from models.messaging import SMS_MAX

from .base import READ_WRITE, RulesModelView, selected_visible
from .fields import choice, flag
from .roles import RESOURCE_PERMISSIONS
from .visibility import acting_user, contacts_visible_to_user, visible_to_user

# The contact's communication preferences, on the contact forms and in the API.
CONTACT_PREFERENCES = [
    "preferred_channel",
    "best_time",
    "frequency_limit",
    "opt_out_email",
    "opt_out_sms",
    "opt_out_phone",
    "engagement_level",
]
CONTACT_PREFERENCE_CHOICES = {
    "preferred_channel": choice("Preferred channel", CHANNELS),
    "best_time": choice("Best time to contact", BEST_TIMES),
    "engagement_level": choice("Engagement level", ENGAGEMENT_LEVELS),
    "opt_out_email": flag("No email", "Opted out of email: mail from the client page skips them."),
    "opt_out_sms": flag("No SMS", "Opted out of SMS: SMS from the client page skips them."),
    "opt_out_phone": flag("No calls", "Opted out of phone calls."),
}
# The link's portal areas (NOT NULL booleans, which FAB's generated fields would require).
CLIENT_CONTACT_FLAGS = {
    "can_hiring": flag("Hiring"),
    "can_billing": flag("Billing"),
    "can_sign": flag("Signatory"),
    "is_client_admin": flag("Client admin"),
}
CONTACT_PREFERENCE_LABELS = {
    "preferred_channel": "Preferred channel",
    "best_time": "Best time to contact",
    "frequency_limit": "Frequency limit",
    "opt_out_email": "No email",
    "opt_out_sms": "No SMS",
    "opt_out_phone": "No calls",
    "engagement_level": "Engagement",
}
CONTACT_PREFERENCE_DESCRIPTIONS = {
    "frequency_limit": f"At most this many messages per 7 days (1 to {FREQUENCY_MAX}); "
    "empty for no limit.",
}
NEW_CONTACT_FIELDS = ["first_name", "last_name", "title", "department", "email", "phone", "role"]
CONTACTS_TAB_PERMISSIONS = {
    "delink": "write",
    "make_primary": "write",
    "send_mail": "write",
    "send_sms": "write",
    "compose": "write",
    "new_contact": "write",
}


class ContactsTabListWidget(ListWidget):
    """The list, plus a "New contact" button when it is a client's Contacts tab."""

    template = "admin/contacts_tab_list.html"


class NewContactForm(DynamicForm):
    first_name = StringField("First name", widget=BS3TextFieldWidget())
    last_name = StringField("Last name", widget=BS3TextFieldWidget())
    title = StringField("Title", widget=BS3TextFieldWidget())
    department = StringField("Department", widget=BS3TextFieldWidget())
    email = StringField("Email", widget=BS3TextFieldWidget())
    phone = StringField("Phone", widget=BS3TextFieldWidget())
    role = choice("Role at this client", CONTACT_ROLES, blank=None, default="secondary")


class MailForm(DynamicForm):
    template = SelectField(
        "Template",
        choices=[],
        validate_choice=False,
        description="A template writes the subject and message (leave the fields below empty).",
    )
    about = SelectField(
        "About",
        choices=[],
        validate_choice=False,
        description="The record the message is about, for templates that use its variables.",
    )
    subject = StringField(
        "Subject",
        widget=BS3TextFieldWidget(),
        description="Without a template. Variables work here too, e.g. {{ contact.first_name }}.",
    )
    body_text = TextAreaField("Message", widget=BS3TextAreaFieldWidget())


class SmsForm(DynamicForm):
    body_text = TextAreaField(
        "Text", widget=BS3TextAreaFieldWidget(), description=f"At most {SMS_MAX} characters."
    )


def _field_errors(form, errors) -> None:
    """Show each domain error beside its field (or as a message when no field matches)."""
    for error in errors:
        field = form._fields.get(error.field or "")
        if field is not None:
            field.errors = [*field.errors, error.message]
        else:
            flash(error.message, "danger")


def _mail_choices(form, client_id: int) -> None:
    """The compose form's templates (active ones, by category) and this client's records."""
    templates = db.session.scalars(
        select(EmailTemplate)
        .where(EmailTemplate.active.is_(True))
        .order_by(EmailTemplate.category, EmailTemplate.name)
    ).all()
    form.template.choices = [("", "— none: write the message below —")] + [
        (str(t.id), f"{t.category_label}: {t.name}") for t in templates
    ]
    form.about.choices = [("", "— nothing in particular —"), *record_choices(client_id)]


def _template_and_records(form, client_id: int, channel: str):
    """The chosen template and the variables of the chosen record.

    :raise MessageError: for a template that is not (or no longer) active, or a record that
        is not this client's.
    """
    if channel != "email":
        return None, {}
    template = None
    if form.template.data:
        template = db.session.get(EmailTemplate, int(form.template.data))
        if template is None or not template.active:
            raise MessageError("Choose an active template.", "template")
    return template, load_records(client_id, form.about.data)


def _preview(links, channel, body, subject, template, records):
    """The message the first contact who can receive it would get (nothing is stored)."""
    from jobs.client_messages import prepare_messages

    sending = prepare_messages(links, channel, body, subject, template, records, acting_user())
    first = sending.queued[0] if sending.queued else None
    db.session.rollback()  # a preview stores nothing
    if first is None:
        raise MessageError("None of the selected contacts can receive this message.", "body_text")
    return {"to": first.to_name, "subject": first.subject, "body": first.body_text}


class ContactsTabMixin:
    """Verbs of the client page's Contacts tab, for ``ClientContactView``."""

    list_widget = ContactsTabListWidget

    # -- assign and edit through FAB's own forms: each change goes on the timeline
    def pre_add(self, item):
        item.record(f"assigned as {item.role} contact")

    def pre_update(self, item):
        item.record_changes()

    # -- actions on the selected rows
    @action("delink", "Delink", "Detach the selected contacts from their client?", "fa-unlink")
    def delink(self, items):
        for link in selected_visible(items, self):
            label = f"{link.contact} delinked from {link.client}."
            link.action_delink()
            db.session.commit()
            flash(label, "success")
        return redirect(request.referrer or self.get_redirect())

    @action("make_primary", "Make primary", "Make this the client's primary contact?", "fa-star")
    def make_primary(self, items):
        links = selected_visible(items, self)
        if len(links) != 1:
            flash("Choose one contact to make the primary contact.", "danger")
            return redirect(request.referrer or self.get_redirect())
        [link] = links
        try:
            link.action_make_primary()
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "danger")
        else:
            flash(f"{link.contact} is now the primary contact of {link.client}.", "success")
        return redirect(request.referrer or self.get_redirect())

    @action("send_mail", "Send mail", "", "fa-envelope-o")
    def send_mail(self, items):
        return self._compose_for(items, "email")

    @action("send_sms", "Send SMS", "", "fa-mobile")
    def send_sms(self, items):
        return self._compose_for(items, "sms")

    def _compose_for(self, items, channel: str):
        ids = [link.id for link in selected_visible(items, self)]
        return redirect(url_for(f"{self.endpoint}.compose", channel=channel, link=ids))

    # -- pages
    @expose("/compose/<channel>", methods=["GET", "POST"])
    @has_access
    def compose(self, channel):
        """Write one mail or SMS to the selected contacts: one message each, skips reported."""
        from jobs.client_messages import message_contacts

        if channel not in ("email", "sms"):
            abort(404)
        links = self._selected_links(request.args.getlist("link", type=int))
        if not links:
            flash("Select the contacts to write to on the client's Contacts tab.", "warning")
            return redirect(request.referrer or self.get_redirect())
        form = (MailForm if channel == "email" else SmsForm).refresh()
        client_id = links[0].client_id
        if channel == "email":
            _mail_choices(form, client_id)
        preview = None
        if request.method == "POST" and form.validate():
            sending = None
            try:
                template, records = _template_and_records(form, client_id, channel)
                subject = form.subject.data if channel == "email" else None
                body = form.body_text.data
                if "preview" in request.form:
                    preview = _preview(links, channel, body, subject, template, records)
                else:
                    sending = message_contacts(
                        links, channel, body, subject, template, records, sender=acting_user()
                    )
            except DomainError as error:
                db.session.rollback()
                _field_errors(form, [error])
            if sending is not None:
                what = "mail" if channel == "email" else "SMS"
                if sending.queued:
                    flash(f"{len(sending.queued)} {what} queued.", "success")
                for contact, reason in sending.skipped:
                    flash(f"{contact} skipped: {reason}.", "warning")
                return redirect(url_for("ClientView.show", pk=links[0].client_id))
        recipients = [(link.contact, link.contact.refusal(channel)) for link in links]
        return self.render_template(
            "admin/compose.html",
            title="Send mail" if channel == "email" else "Send SMS",
            channel=channel,
            recipients=recipients,
            preview=preview,
            widgets={
                "form": FormWidget(
                    form=form,
                    include_cols=list(form._fields),
                    exclude_cols=["csrf_token"],
                    fieldsets=[],
                )
            },
        )

    @expose("/new/<int:client_id>", methods=["GET", "POST"])
    @has_access
    def new_contact(self, client_id: int):
        """Create a contact and assign it to this client in one step."""
        client = db.session.scalar(
            select(Client).where(
                Client.id == client_id, Client.id.in_(visible_client_ids(acting_user()))
            )
        )
        if client is None:
            abort(404)
        form = NewContactForm.refresh()
        if request.method == "POST" and form.validate():
            values = {name: form[name].data for name in NEW_CONTACT_FIELDS if name != "role"}
            contact = Contact(**values)
            errors = contact.violations()
            if not errors:
                try:
                    client.action_link_contact(contact, form.role.data or "secondary")
                    db.session.commit()
                except DomainError as error:
                    errors = [error]
                else:
                    flash(f"{contact} added to {client}.", "success")
                    return redirect(url_for("ClientView.show", pk=client.id))
            db.session.rollback()
            _field_errors(form, errors)
        return self.render_template(
            "appbuilder/general/model/add.html",
            title=f"New contact for {client}",
            widgets={
                "add": FormWidget(
                    form=form, include_cols=NEW_CONTACT_FIELDS, exclude_cols=[], fieldsets=[]
                )
            },
        )

    def _selected_links(self, ids: list[int]) -> list[ClientContact]:
        """The links with these ids that the user may see (others are left out silently)."""
        return [
            link for pk in ids if (link := self.datamodel.get(pk, self._base_filters)) is not None
        ]


class ContactRelationshipView(RulesModelView):
    """How a contact relates to others (shown on the contact's page)."""

    datamodel = SQLAInterface(ContactRelationship)
    class_permission_name = "Contact"
    base_permissions = RESOURCE_PERMISSIONS["Contact"]
    method_permission_name = {**READ_WRITE, "remove": "write"}
    base_filters = [contacts_visible_to_user("from_contact_id")]
    add_form_query_rel_fields = edit_form_query_rel_fields = search_form_query_rel_fields = {
        "from_contact": [contacts_visible_to_user("id")],
        "to_contact": [contacts_visible_to_user("id")],
    }
    list_title = "Relationships"
    list_columns = ["from_contact", "kind", "to_contact", "note"]
    add_columns = edit_columns = show_columns = ["from_contact", "kind", "to_contact", "note"]
    search_columns = ["from_contact", "kind", "to_contact"]
    add_form_extra_fields = edit_form_extra_fields = {
        "kind": choice("Relationship", RELATIONSHIP_KINDS, blank=None, default="colleague")
    }
    label_columns = {
        "from_contact": "Contact",
        "kind": "Relationship",
        "to_contact": "Related contact",
    }

    @action("remove", "Remove", "Remove the selected relationships?", "fa-trash", single=False)
    def remove(self, items):
        for item in selected_visible(items, self):
            item.action_remove()
        db.session.commit()
        flash("Relationship removed.", "success")
        return redirect(request.referrer or self.get_redirect())


class ClientMailView(ModelView):
    """The Mail tab: the mail and SMS sent to a client's contacts, newest first (read-only)."""

    datamodel = SQLAInterface(OutboxMessage)
    class_permission_name = "Client"
    base_permissions = RESOURCE_PERMISSIONS["Client"]
    method_permission_name = READ_WRITE
    include_route_methods = {"list", "show"}
    base_filters = [visible_to_user()]
    base_order = ("created_at", "desc")
    list_title = "Mail"
    list_columns = ["created_at", "channel", "to_name", "recipient", "subject", "status"]
    show_columns = [
        "created_at",
        "channel",
        "to_name",
        "recipient",
        "subject",
        "body_text",
        "status",
        "delivered_at",
        "error",
    ]
    search_columns = ["channel", "subject", "status"]
    label_columns = {
        "created_at": "Sent",
        "to_name": "Contact",
        "recipient": "To",
        "body_text": "Message",
        "delivered_at": "Delivered",
    }
    formatters_columns = {
        "created_at": lambda value: value.strftime("%d %b %Y, %H:%M UTC") if value else "",
        "delivered_at": lambda value: value.strftime("%d %b %Y, %H:%M UTC") if value else "—",
    }
