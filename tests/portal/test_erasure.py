"""An erased contact's portal login stops working, in a live session and at the next sign-in."""

from sqlalchemy import select

from extensions import db
from models import ClientContact, erase_contact

from .conftest import sign_in


def erase(app, link_id):
    with app.app_context():
        erase_contact(
            db.session.scalar(select(ClientContact).where(ClientContact.id == link_id)).contact
        )
        db.session.commit()


def test_an_erased_contact_cannot_sign_in_again(app, client, company, member):
    erase(app, member.link_id)
    response = sign_in(client, member.username)
    assert response.status_code != 302 or response.headers["Location"] != "/portal/"
    assert company.name not in client.get("/portal/", follow_redirects=True).get_data(as_text=True)


def test_an_erased_contacts_open_session_loses_the_portal(app, client, company, member):
    assert sign_in(client, member.username).headers["Location"] == "/portal/"
    erase(app, member.link_id)
    page = client.get("/portal/", follow_redirects=True).get_data(as_text=True)
    assert company.name not in page
