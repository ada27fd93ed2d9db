"""Privacy on the contact's page: consent records, the JSON export and erasure on request."""

from __future__ import annotations

import json

from flask import Response, abort, flash, redirect, url_for
from flask_appbuilder.actions import action
from flask_appbuilder.models.sqla.interface import SQLAInterface
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice

from extensions import db
from models import DomainError, erase_contact, export_contact, utcnow
from models.consent import CONSENT_PURPOSES, CONSENT_SOURCES, ConsentRecord, log_for_contact

from .base import READ_WRITE, RulesModelView, selected_visible
from .roles import RESOURCE_PERMISSIONS
from .visibility import acting_user, contacts_visible_to_user

# Contact actions that reach everything held about a person need the ``privacy`` permission.
PRIVACY_METHODS = {"export_data": "privacy", "erase_data": "privacy"}


def _choices(label: str, values, default) -> SelectField:
    return SelectField(
        label, choices=[SelectChoice(value, value) for value in values], default=default
    )


def _answer(value) -> bool:
    return value is True or value == "granted"


class ConsentRecordView(RulesModelView):
    """A contact's consent history (their page's Consent tab): add-only, never edited."""

    datamodel = SQLAInterface(ConsentRecord)
    class_permission_name = "Contact"
    base_permissions = RESOURCE_PERMISSIONS["Contact"]
    method_permission_name = READ_WRITE
    base_filters = [contacts_visible_to_user()]
    add_form_query_rel_fields = {"contact": [contacts_visible_to_user("id")]}
    exclude_route_methods = {"edit", "delete"}  # a change of mind is a new record
    base_order = ("at", "desc")
    list_title = "Consent"
    list_columns = ["at", "purpose", "answer", "source", "recorded_by", "note"]
    show_columns = ["contact", "at", "purpose", "answer", "source", "recorded_by", "note"]
    add_columns = ["contact", "purpose", "granted", "source", "note"]
    search_columns = ["purpose", "source"]
    label_columns = {"at": "Date", "granted": "Answer", "recorded_by": "Recorded by"}
    description_columns = {
        "source": "How the person gave or withdrew their consent.",
        "note": "Where the proof is, e.g. the web form's reference or the email's date.",
    }
    formatters_columns = {"at": lambda value: value.strftime("%d %b %Y, %H:%M UTC")}
    add_form_extra_fields = {
        "purpose": _choices("Purpose", CONSENT_PURPOSES, CONSENT_PURPOSES[0]),
        "source": _choices("Source", CONSENT_SOURCES, CONSENT_SOURCES[0]),
        "granted": SelectField(
            "Answer",
            choices=[SelectChoice("granted", "Granted"), SelectChoice("withdrawn", "Withdrawn")],
            default="granted",
            coerce=_answer,
        ),
    }

    def pre_add(self, item):
        item.at = utcnow()
        item.recorded_by = acting_user()
        item.validate()
        item.action_log()


class ContactPrivacyActions:
    """The contact page's "Export data (JSON)" and "Erase personal data" buttons."""

    @action("export_data", "Export data (JSON)", "", "fa-download", multiple=False)
    def export_data(self, item):
        contact = _one(self, item)
        data = export_contact(contact)
        log_for_contact(
            db.session,
            contact,
            "contact",
            f"Personal data of contact #{contact.id} exported",
            actor=acting_user(),
        )
        db.session.commit()
        return Response(
            json.dumps(data, indent=2, ensure_ascii=False),
            mimetype="application/json",
            headers={
                "Content-Disposition": f"attachment; filename=contact-{contact.id}.json",
                "X-Content-Type-Options": "nosniff",
            },
        )

    @action(
        "erase_data",
        "Erase personal data",
        "Erase this person's personal data everywhere (name, email, phone, portal login, "
        "mail, timeline)? Their links to clients are kept. This cannot be undone.",
        "fa-eraser",
        multiple=False,
    )
    def erase_data(self, item):
        contact = _one(self, item)
        contact_id = contact.id
        try:
            erase_contact(contact, acting_user())
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "danger")
        else:
            flash(f"The personal data of contact #{contact_id} was erased.", "success")
        return redirect(url_for(f"{self.endpoint}.show", pk=contact_id))


def _one(view, item):
    """The one contact a show-page action is about; 404 when it does not exist or is not the
    user's to see (FAB's action route does not apply the view's base filters)."""
    items = selected_visible(item, view) if item is not None else []
    if len(items) != 1:
        abort(404)
    return items[0]
