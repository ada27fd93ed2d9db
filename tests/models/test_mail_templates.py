"""Email templates: variables are checked when a template is saved, rendering happens in
Jinja's sandbox on plain values, and a template names the record it needs."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from extensions import db
from models import EmailTemplate, MessageError, OutboxMessage, mark_mails_answered, utcnow
from models.mail_context import template_context, text_to_html
from models.mail_templates import TemplateRenderError, check_source, render_message
from tests.factories import ClientContactFactory, ClientFactory, issued_invoice

pytestmark = pytest.mark.usefixtures("ctx")


def a_template(**fields) -> EmailTemplate:
    values = {
        "key": "invoice-due",
        "name": "Invoice due",
        "category": "collections",
        "subject": "Invoice {{ invoice.number }} is due on {{ invoice.due_date }}",
        "body": "Hello {{ contact.first_name }},\n\nThe balance is {{ invoice.balance }}.",
    }
    return EmailTemplate(**{**values, **fields})


def errors_of(template: EmailTemplate) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for error in template.violations():
        found.setdefault(error.field, []).append(error.message)
    return found


def test_a_template_using_known_variables_is_valid():
    assert a_template().violations() == []


def test_an_unknown_variable_is_reported_on_save_naming_the_field():
    errors = errors_of(a_template(body="Dear {{ customer.name }},"))
    assert list(errors) == ["body"]
    assert "{{ customer }}" in errors["body"][0] and "not a template variable" in errors["body"][0]


def test_an_unknown_attribute_is_reported_with_the_ones_that_exist():
    errors = errors_of(a_template(subject="Hi {{ contact.name }}"))
    [message] = errors["subject"]
    assert "{{ contact.name }}" in message and "first_name" in message


def test_a_syntax_error_names_the_line():
    errors = errors_of(a_template(body="Hello\n{% if contact.first_name %}no end"))
    assert errors["body"][0].startswith("Body, line 2:")


def test_saving_a_template_with_an_unknown_variable_fails_before_the_database():
    db.session.add(a_template(body="{{ nobody }}"))
    with pytest.raises(MessageError, match="nobody"):
        db.session.flush()
    db.session.rollback()
    assert db.session.scalar(select(EmailTemplate)) is None


def test_keys_are_unique_and_lower_case():
    db.session.add(a_template())
    db.session.commit()
    assert errors_of(a_template())["key"] == ["Key invoice-due belongs to another template."]
    assert "lower-case" in errors_of(a_template(key="Invoice Due"))["key"][0]


def test_loop_variables_are_not_reported():
    assert check_source("{% for x in [1, 2] %}{{ x }}{% endfor %}", "body") == []


def test_the_template_names_the_record_it_needs():
    template = a_template()
    assert template.needs == ["invoice"]
    context = template_context(ClientFactory(), None)
    with pytest.raises(TemplateRenderError, match="an invoice of the client") as caught:
        template.render(context)
    assert caught.value.field == "invoice"


def test_rendering_fills_plain_values_for_the_contact_and_the_invoice():
    link = ClientContactFactory(client=ClientFactory(currency="PHP"), contact__first_name="Maria")
    invoice = issued_invoice(link.client, on=date(2026, 11, 2))
    context = template_context(link.client, link.contact, None, {"invoice": invoice})
    subject, body = a_template().render(context)
    assert subject == f"Invoice {invoice.number} is due on {invoice.due_date:%d %b %Y}".replace(
        " 0", " "
    )
    assert body.startswith("Hello Maria,\n\nThe balance is PHP ")


def test_the_sandbox_gives_no_way_out_of_the_plain_values():
    context = template_context(ClientFactory(), None)
    # A template only ever holds dicts of strings: no model, no method, no class to climb.
    with pytest.raises(MessageError):
        render_message("x", "{{ ''.__class__.__mro__[1].__subclasses__() }}", context)
    assert check_source("{{ client.__class__ }}", "body")[0].message.startswith("Body uses")


def test_the_html_part_keeps_paragraphs_and_escapes_text():
    html = text_to_html("Hi <b>you</b>,\n\nSee https://example.test/a.\nBye")
    assert html.count("<p") == 2
    assert "&lt;b&gt;you&lt;/b&gt;" in html
    assert '<a href="https://example.test/a">https://example.test/a</a>.<br>' in html


def test_a_contacts_answer_marks_the_mails_sent_to_them_lately_as_responded():
    link = ClientContactFactory()
    recent = OutboxMessage(
        to_email="a@example.test",
        subject="s",
        body_text="b",
        status="sent",
        contact_id=link.contact_id,
    )
    old = OutboxMessage(
        to_email="a@example.test",
        subject="s",
        body_text="b",
        status="sent",
        contact_id=link.contact_id,
        created_at=utcnow() - timedelta(days=30),
    )
    db.session.add_all([recent, old])
    db.session.commit()
    assert mark_mails_answered(db.session, link.contact_id) == 1
    db.session.commit()
    db.session.expire_all()
    assert recent.responded_at is not None and old.responded_at is None
