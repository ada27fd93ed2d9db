"""Email templates in the admin: a template with an unknown variable is refused on save with
the message beside its field; the show page previews it against a chosen client, contact and
record; the Contacts tab composes from it; roles decide who writes."""

import re

import pytest
from sqlalchemy import func, select

from extensions import db
from models import EmailTemplate, OutboxMessage
from tests.conftest import csrf_token, login_staff
from tests.factories import ClientContactFactory, ClientFactory, issued_invoice, make_user


@pytest.fixture
def manager(app, client):
    with app.app_context():
        user = make_user("Account Manager", first_name="Ana", last_name="Cruz")
        login_staff(client, user.username)
        return user.id


def a_template(app, **fields) -> int:
    values = {
        "key": "invoice-due",
        "name": "Invoice due",
        "category": "collections",
        "subject": "Invoice {{ invoice.number }} is due",
        "body": "Hello {{ contact.first_name }},\n\nPlease pay {{ invoice.balance }}.",
    }
    with app.app_context():
        template = EmailTemplate(**{**values, **fields})
        db.session.add(template)
        db.session.commit()
        return template.id


def form(client, **values):
    return {
        "key": "welcome",
        "name": "Welcome",
        "category": "onboarding",
        "subject": "Welcome, {{ contact.first_name }}",
        "body": "Dear {{ contact.first_name }},\n\nWelcome to {{ agency.name }}.",
        "csrf_token": csrf_token(client, "/mailtemplateview/add"),
        **values,
    }


def test_an_unknown_variable_is_shown_beside_the_body_and_the_values_stay(app, client, manager):
    response = client.post(
        "/mailtemplateview/add", data=form(client, body="Dear {{ customer.name }},")
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "{{ customer }}, which is not a template variable" in page
    assert 'value="Welcome, {{ contact.first_name }}"' in page  # what they typed is kept
    with app.app_context():
        assert db.session.scalar(select(func.count(EmailTemplate.id))) == 0


def test_a_good_template_is_saved(app, client, manager):
    response = client.post("/mailtemplateview/add", data=form(client))
    assert response.status_code == 302
    with app.app_context():
        template = db.session.scalar(select(EmailTemplate))
        assert (template.key, template.active, template.builtin) == ("welcome", True, False)


def test_the_preview_renders_the_mail_for_the_chosen_contact_and_invoice(app, client, manager):
    template_id = a_template(app)
    with app.app_context():
        link = ClientContactFactory(
            client=ClientFactory(owner_id=manager), contact__first_name="Maria"
        )
        invoice = issued_invoice(link.client)
        client_id, contact_id, number = link.client_id, link.contact_id, invoice.number
        about = f"invoice:{invoice.id}"
    url = f"/mailtemplateview/show/{template_id}?client_id={client_id}&contact_id={contact_id}"
    page = client.get(url).get_data(as_text=True)
    assert "Choose an invoice of the client" in page  # no invoice chosen yet: it says which
    page = client.get(f"{url}&about={about}").get_data(as_text=True)
    assert f'<span id="preview-subject">Invoice {number} is due</span>' in page
    assert "Hello Maria," in page and "Please pay PHP " in page


def test_the_preview_offers_only_clients_the_user_may_see(app, client, manager):
    template_id = a_template(app)
    with app.app_context():
        hidden = ClientFactory(name="Somebody Else Ltd").id
        ClientContactFactory(client_id=hidden)
    page = client.get(f"/mailtemplateview/show/{template_id}?client_id={hidden}")
    text = page.get_data(as_text=True)
    assert "Somebody Else Ltd" not in text and 'id="preview-subject"' not in text


def test_the_contacts_tab_composes_from_a_template_one_rendering_per_contact(app, client, manager):
    template_id = a_template(app)
    with app.app_context():
        owned = ClientFactory(owner_id=manager)
        links = [
            ClientContactFactory(client=owned, contact__first_name=name) for name in ("Maria", "Jo")
        ]
        invoice = issued_invoice(owned)
        ids, about, number = [lk.id for lk in links], f"invoice:{invoice.id}", invoice.number
    compose = "/clientcontactview/compose/email?" + "&".join(f"link={i}" for i in ids)
    data = {"template": str(template_id), "about": about, "subject": "", "body_text": ""}
    preview = client.post(
        compose, data={**data, "preview": "1", "csrf_token": csrf_token(client, compose)}
    )
    page = preview.get_data(as_text=True)
    assert f'<strong id="preview-subject">Invoice {number} is due</strong>' in page
    with app.app_context():
        assert (
            db.session.scalar(select(func.count(OutboxMessage.id))) == 0
        )  # a preview sends nothing
    response = client.post(compose, data={**data, "csrf_token": csrf_token(client, compose)})
    assert response.status_code == 302
    with app.app_context():
        messages = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        assert [m.body_text.splitlines()[0] for m in messages] == ["Hello Maria,", "Hello Jo,"]
        assert {m.subject for m in messages} == {f"Invoice {number} is due"}
        assert {m.template_id for m in messages} == {template_id}


def test_a_template_needing_a_record_that_was_not_chosen_is_refused_on_compose(
    app, client, manager
):
    template_id = a_template(app)
    with app.app_context():
        link_id = ClientContactFactory(client=ClientFactory(owner_id=manager)).id
    compose = f"/clientcontactview/compose/email?link={link_id}"
    response = client.post(
        compose,
        data={"template": str(template_id), "about": "", "csrf_token": csrf_token(client, compose)},
    )
    assert response.status_code == 200
    assert "Choose an invoice of the client" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0


def test_another_clients_record_cannot_be_the_subject_of_a_message(app, client, manager):
    template_id = a_template(app)
    with app.app_context():
        link_id = ClientContactFactory(client=ClientFactory(owner_id=manager)).id
        foreign = issued_invoice(ClientFactory()).id
    compose = f"/clientcontactview/compose/email?link={link_id}"
    response = client.post(
        compose,
        data={
            "template": str(template_id),
            "about": f"invoice:{foreign}",
            "csrf_token": csrf_token(client, compose),
        },
    )
    assert f"No invoice {foreign} of this client." in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("role", "may_read", "may_write"),
    [
        ("Account Manager", True, True),
        ("Recruiter", True, False),
        ("Finance", True, False),
    ],
)
def test_who_reads_and_writes_templates(app, client, role, may_read, may_write):
    with app.app_context():
        login_staff(client, make_user(role).username)
    listing = client.get("/mailtemplateview/list/")
    assert (listing.status_code == 200) is may_read
    add = client.get("/mailtemplateview/add")
    assert (add.status_code == 200) is may_write


def test_the_performance_page_shows_each_templates_rates(app, client, manager):
    template_id = a_template(app, subject="Hello", body="Hello {{ contact.first_name }}")
    with app.app_context():
        link = ClientContactFactory()
        for opened in (True, False, False, False):
            db.session.add(
                OutboxMessage(
                    to_email="x@example.test",
                    subject="Hello",
                    body_text="b",
                    status="sent",
                    template_id=template_id,
                    contact_id=link.contact_id,
                    opened_at=db.func.now() if opened else None,
                )
            )
        db.session.commit()
    page = client.get("/template-performance/").get_data(as_text=True)
    row = re.search(r'<tr data-template="invoice-due">(.*?)</tr>', page, re.S).group(1)
    cells = re.findall(r'<td class="text-right">\s*(.*?)\s*</td>', row, re.S)
    assert cells[:2] == ["4", "25.0 %"]  # 4 delivered, 1 opened: 1 / 4 = 25 %


def test_the_outbox_shows_a_messages_tracking_and_next_attempt(app, client):
    with app.app_context():
        login_staff(client, make_user("Admin").username)
        message = OutboxMessage(
            to_email="x@example.test",
            subject="Hello",
            body_text="b",
            status="sent",
            open_count=3,
            click_count=1,
        )
        db.session.add(message)
        db.session.commit()
        message_id = message.id
    page = client.get(f"/outboxview/show/{message_id}").get_data(as_text=True)
    assert "Opens" in page and "Clicks" in page and "Next attempt" in page
