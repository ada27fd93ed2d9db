"""Reading an inbound mail: the reply without its quote, HTML without its tags, a stable
Message-ID for a mail without one."""

from email.message import EmailMessage

from models.mail_parsing import clean_subject, derived_message_id, parse_mail, reply_text


def test_a_reply_loses_the_quoted_message_below_it_even_when_the_header_line_wraps():
    body = "Works now.\n\nOn Mon, 7 Dec 2026 at 09:12, Support\n<support@agency.test> wrote:\n> old"
    assert reply_text(body) == "Works now."
    assert reply_text("Yes.\n> quoted\nThanks") == "Yes.\nThanks"
    assert reply_text("> only a quote") == "> only a quote"  # never emptied


def test_reply_and_forward_prefixes_leave_the_subject():
    assert clean_subject("Re: RE: Fwd: [T-00012] Portal down") == "[T-00012] Portal down"


def test_an_html_only_mail_is_read_as_text_and_one_without_message_id_gets_a_stable_one():
    message = EmailMessage()
    message["From"] = "Maria <MARIA@Example.test>"
    message["Subject"] = "Hello"
    message.set_content("<p>First&nbsp;line</p><script>x()</script><p>Second</p>", subtype="html")
    raw = message.as_bytes()
    parsed = parse_mail(raw)
    assert parsed.body == "First line\nSecond"
    assert parsed.from_address == "maria@example.test" and parsed.from_name == "Maria"
    assert parsed.message_id == derived_message_id(raw) == parse_mail(raw).message_id
    assert parsed.message_id.endswith("@clientdesk.invalid>")
