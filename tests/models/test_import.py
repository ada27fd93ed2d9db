"""CSV import: every bad row reported with its line, field and rule; good rows written at once;
re-importing the same file creates nothing twice."""

import csv
import io

import pytest
from sqlalchemy import func, select

import models.importing as importing
from extensions import db
from models import Activity, Client, ClientContact, Contact
from models.importing import ImportFileError, check_csv, import_csv
from tests.factories import ClientFactory, ContactFactory, IndustryFactory, TagFactory

CLIENT_HEADER = ["Name", "Short name", "Location", "Status", "Currency", "Industry", "Tags"]


def good_rows(n):
    return [
        [f"Imported Company {i}", f"IMP{i}", "Local", "prospect", "PHP", "Logistics", "vip"]
        for i in range(n)
    ]


def client_rows():
    """Fifty rows, three of them bad (file lines 11, 21 and 41)."""
    rows = good_rows(50)
    rows[9][2] = "Abroad"  # line 11: location
    rows[19][4] = "XYZ"  # line 21: currency
    rows[39][1] = "IMP0"  # line 41: short name repeated from line 2
    return rows


def as_csv(header, rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


@pytest.fixture
def references(ctx):
    IndustryFactory(name="Logistics")
    TagFactory(name="vip")


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_three_bad_rows_among_fifty_import_47_and_report_each_line_field_and_rule(references):
    data = as_csv(CLIENT_HEADER, client_rows())
    report = import_csv(db.session, "clients", data, "clients.csv")
    assert report.imported == 47 and count(Client) == 47
    found = {(e.line, e.field) for e in report.errors}
    assert found == {(11, "location"), (21, "currency"), (41, "short_name")}
    messages = {e.line: e.message for e in report.errors}
    assert "Local or Foreign" in messages[11]
    assert "ISO 4217" in messages[21]
    assert "line 2" in messages[41]
    saved = db.session.scalar(select(Client).where(Client.short_name == "IMP5"))
    assert saved.industry.name == "Logistics" and [t.name for t in saved.tags] == ["vip"]


def test_re_importing_the_same_file_creates_no_duplicates(references):
    data = as_csv(CLIENT_HEADER, client_rows())
    import_csv(db.session, "clients", data, "clients.csv")
    again = import_csv(db.session, "clients", data, "clients.csv")
    assert again.imported == 0 and len(again.present) == 47
    assert count(Client) == 47
    assert {e.line for e in again.errors} == {11, 21, 41}


def test_the_preview_writes_nothing(references):
    report = check_csv(db.session, "clients", as_csv(CLIENT_HEADER, client_rows()))
    assert len(report.good) == 47 and report.bad_lines == [11, 21, 41]
    db.session.commit()
    assert count(Client) == 0


def test_rejected_rows_come_back_as_csv_with_an_errors_column(references):
    report = check_csv(db.session, "clients", as_csv(CLIENT_HEADER, client_rows()))
    rows = list(csv.DictReader(io.StringIO(report.rejected_csv())))
    assert [row["line"] for row in rows] == ["11", "21", "41"]
    assert rows[0]["Name"] == "Imported Company 9"
    assert rows[0]["errors"].startswith("location: ")


def test_each_imported_client_gets_one_imported_event(references):
    import_csv(db.session, "clients", as_csv(CLIENT_HEADER, good_rows(5)), "five.csv")
    kinds = db.session.scalars(select(Activity.kind).where(Activity.kind == "imported")).all()
    assert len(kinds) == 5


def test_an_unknown_column_refuses_the_whole_file(ctx):
    with pytest.raises(ImportFileError) as caught:
        check_csv(db.session, "clients", b"name,short_name,location,colour\nA Co,AC,Local,red\n")
    assert "Line 1" in caught.value.message and "'colour'" in caught.value.message


def test_a_file_that_is_not_utf8_text_is_refused(ctx):
    with pytest.raises(ImportFileError) as caught:
        check_csv(db.session, "contacts", b"first_name,last_name\n\xff\xfe\x00\x01,x\n")
    assert "UTF-8" in caught.value.message


def test_unknown_industry_and_tag_and_bad_numbers_name_their_fields(references):
    data = as_csv(
        ["name", "short_name", "location", "industry", "tags", "new_business_year"],
        [["Odd Co", "ODD", "Local", "Mining", "vip;nope", "soon"]],
    )
    report = check_csv(db.session, "clients", data)
    assert {e.field for e in report.errors} == {"industry", "tags", "new_business_year"}


CONTACT_HEADER = ["first_name", "last_name", "email", "phone", "title", "client"]


def test_contacts_are_linked_to_their_client_and_bad_ones_reported(ctx):
    client = ClientFactory(short_name="ACME")
    ContactFactory(email="taken@example.test")
    rows = [
        ["Ana", "Cruz", "ana@acme.test", "+63 2 555 0101", "CFO", "acme"],
        ["Ben", "Diaz", "not-an-email", "", "", "ACME"],
        ["", "Lim", "lim@acme.test", "", "", "ACME"],
        ["Cy", "Tan", "cy@acme.test", "", "", "NOPE"],
        ["Ana", "Cruz", "ANA@acme.test", "", "", "ACME"],
        ["Old", "Hand", "taken@example.test", "", "", "ACME"],
        ["Dee", "Go", "", "12", "", ""],
    ]
    report = import_csv(db.session, "contacts", as_csv(CONTACT_HEADER, rows), "people.csv")
    assert report.imported == 1
    assert {(e.line, e.field) for e in report.errors} == {
        (3, "email"),
        (4, "first_name"),
        (5, "client"),
        (6, "email"),
        (8, "phone"),
    }
    assert report.present == [(7, "taken@example.test")]
    link = db.session.scalar(select(ClientContact).where(ClientContact.client_id == client.id))
    assert link.contact.email == "ana@acme.test" and link.role == "secondary"
    event = db.session.scalar(select(Activity).where(Activity.kind == "imported"))
    assert event.client_id == client.id and "1 contact imported" in event.summary


def test_contacts_re_imported_are_already_present(ctx):
    ClientFactory(short_name="ACME")
    data = as_csv(CONTACT_HEADER, [["Ana", "Cruz", "ana@acme.test", "", "", "ACME"]])
    import_csv(db.session, "contacts", data)
    again = import_csv(db.session, "contacts", data)
    assert again.imported == 0 and count(Contact) == 1 and count(ClientContact) == 1


def test_a_failure_while_writing_writes_nothing(ctx, monkeypatch):
    ClientFactory(short_name="ACME")
    data = as_csv(CONTACT_HEADER, [["Ana", "Cruz", "ana@acme.test", "", "", "ACME"]])

    def crash(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(importing, "record_activity", crash)
    with pytest.raises(RuntimeError):
        import_csv(db.session, "contacts", data)
    assert count(Contact) == 0 and count(ClientContact) == 0


def test_contacts_may_be_linked_only_to_visible_clients(ctx):
    hidden = ClientFactory(short_name="HID")
    data = as_csv(CONTACT_HEADER, [["Ana", "Cruz", "ana@acme.test", "", "", "HID"]])
    visible = select(Client.id).where(Client.id != hidden.id)
    report = check_csv(db.session, "contacts", data, visible=visible)
    assert [(e.line, e.field) for e in report.errors] == [(2, "client")]
