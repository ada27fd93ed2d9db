"""Reading an inbound email (standard library ``email``, ``policy.default``): who sent it, its
subject and text, its files, and the reply without the quoted message below it.

Nothing here touches the database; ``mail_intake.py`` decides what the mail becomes.
"""

from __future__ import annotations

import hashlib
import html
import mimetypes
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import message_from_bytes
from email.errors import MessageError
from email.message import EmailMessage
from email.policy import default as email_policy
from email.utils import parseaddr, parsedate_to_datetime
from html.parser import HTMLParser

MESSAGE_ID_MAX = 255
# "Re:", "Fwd:", "AW:" ... repeated, in front of a subject.
REPLY_PREFIX_RE = re.compile(r"^\s*((re|fwd?|aw|sv|wg)\s*(\[\d+\])?\s*:\s*)+", re.IGNORECASE)
# Where the quoted message starts in a reply: "On Mon, 7 Dec 2026, Ana <a@b> wrote:" (the
# "wrote:" may be wrapped to the next line), Outlook's separators, a signature.
QUOTE_HEAD_RE = re.compile(r"^On\b.{0,300}\bwrote:\s*$", re.IGNORECASE | re.DOTALL)
CUT_LINE_RE = re.compile(r"^(-{2,}\s*Original Message\s*-{2,}|_{10,}|-- )\s*$", re.IGNORECASE)
# What email parsing raises on a malformed message (a bad header, an unknown charset).
UNREADABLE = (MessageError, ValueError, TypeError, LookupError, IndexError, AttributeError)


@dataclass(frozen=True)
class MailFile:
    filename: str
    content_type: str
    data: bytes


@dataclass
class ParsedMail:
    message_id: str
    from_address: str = ""
    from_name: str = ""
    subject: str = ""
    body: str = ""
    received_at: datetime | None = None
    in_reply_to: str | None = None
    auto_submitted: str | None = None
    files: list[MailFile] = field(default_factory=list)


def derived_message_id(raw: bytes) -> str:
    """A stable Message-ID for a mail that has none (or one too long to keep)."""
    return f"<{hashlib.sha256(raw).hexdigest()}@clientdesk.invalid>"


def parse_mail(raw: bytes) -> ParsedMail:
    """The parts of ``raw`` (an RFC 5322 message) the intake needs.

    :raise ValueError: (or another of ``UNREADABLE``) when the message cannot be read.
    """
    message = message_from_bytes(raw, policy=email_policy)
    message_id = str(message.get("Message-ID") or "").strip()
    if not message_id or len(message_id) > MESSAGE_ID_MAX:
        message_id = derived_message_id(raw)
    name, address = parseaddr(str(message.get("From") or ""))
    auto = str(message.get("Auto-Submitted") or "").strip().lower()
    return ParsedMail(
        message_id=message_id,
        from_address=address.strip().lower(),
        from_name=_storable(name).strip(),
        subject=_storable(" ".join(str(message.get("Subject") or "").split())),
        body=body_text(message),
        received_at=_date(message.get("Date")),
        in_reply_to=(str(message.get("In-Reply-To") or "").strip() or None),
        auto_submitted=auto if auto and auto != "no" else None,
        files=list(_files(message)),
    )


def clean_subject(subject: str) -> str:
    """The subject without its "Re:"/"Fwd:" prefixes."""
    return REPLY_PREFIX_RE.sub("", subject or "").strip()


def reply_text(body: str) -> str:
    """What the sender wrote: the text above the quoted message, without ">" lines.

    A text that would be empty once trimmed is kept whole.
    """
    lines = (body or "").splitlines()
    kept: list[str] = []
    for index, line in enumerate(lines):
        stripped = line.strip()
        two = f"{stripped} {lines[index + 1].strip()}" if index + 1 < len(lines) else stripped
        if (
            CUT_LINE_RE.match(line)
            or QUOTE_HEAD_RE.match(stripped)
            or (stripped.startswith("On ") and QUOTE_HEAD_RE.match(two))
        ):
            break
        if not stripped.startswith(">"):
            kept.append(line)
    text = "\n".join(kept).strip()
    return text or (body or "").strip()


# ---------------------------------------------------------------- helpers


def body_text(message: EmailMessage) -> str:
    """The plain text part; else the HTML part stripped of its tags."""
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    text = _decoded(part)
    if part.get_content_subtype() == "html":
        text = html_to_text(text)
    return _storable(text.replace("\r\n", "\n")).strip()


def _storable(text: str) -> str:
    """``text`` without NUL characters, which a PostgreSQL text column refuses."""
    return text.replace("\x00", "")


def _decoded(part) -> str:
    try:
        return part.get_content()
    except LookupError:  # an unknown charset: read it as UTF-8, replacing what is not
        return (part.get_payload(decode=True) or b"").decode("utf-8", "replace")


class _TextOnly(HTMLParser):
    BREAKS = {"br", "p", "div", "li", "tr", "h1", "h2", "h3", "blockquote"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skipping += 1
        elif tag in self.BREAKS:
            self.chunks.append("\n")

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.skipping = max(self.skipping - 1, 0)

    def handle_data(self, data):
        if not self.skipping:
            self.chunks.append(data)


def html_to_text(markup: str) -> str:
    parser = _TextOnly()
    parser.feed(markup or "")
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.chunks).splitlines())
    return html.unescape(re.sub(r"\n{3,}", "\n\n", "\n".join(lines))).strip()


def _files(message: EmailMessage):
    for number, part in enumerate(message.iter_attachments(), start=1):
        content_type = part.get_content_type()
        data = part.get_payload(decode=True) or b""
        filename = part.get_filename()
        if not filename:
            extension = mimetypes.guess_extension(content_type) or ".bin"
            filename = f"attachment-{number}{extension}"
        yield MailFile(filename=filename, content_type=content_type, data=data)


def _date(value) -> datetime | None:
    """The Date header in UTC (a date without a zone is taken as UTC); ``None`` if unreadable."""
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(str(value))
    except (TypeError, ValueError, IndexError):
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)
