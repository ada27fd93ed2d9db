"""Possible duplicate clients and contacts, found by normalised keys.

Clients are grouped when their normalised names match ("ACME, Inc." and "Acme Ltd" are both
"acme"), when they share an email address, or when they share a web domain (taken from the
website, else from the email; free mail domains such as gmail.com say nothing about a company
and are ignored). Contacts are grouped by normalised email (case, and a "+tag" in the local
part, ignored) and by name with the same phone digits. Only live clients are considered, and
only those in ``visible`` when it is given (a user sees groups of their own clients only).
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from sqlalchemy import select

from .clients import Client
from .contacts import Contact

LEGAL_SUFFIXES = frozenset(
    {
        "ltd", "limited", "llc", "llp", "inc", "incorporated", "corp", "corporation", "co",
        "company", "gmbh", "ag", "plc", "sa", "sarl", "bv", "nv", "pty", "pte", "oy", "ab",
        "srl", "spa", "kk", "lp",
    }
)  # fmt: skip
FREE_MAIL_DOMAINS = frozenset(
    {
        "gmail.com", "googlemail.com", "yahoo.com", "ymail.com", "hotmail.com", "outlook.com",
        "live.com", "msn.com", "icloud.com", "me.com", "mac.com", "aol.com", "proton.me",
        "protonmail.com", "gmx.com", "gmx.net", "gmx.de", "web.de", "mail.com", "yandex.com",
        "yandex.ru", "zoho.com", "qq.com", "163.com",
    }
)  # fmt: skip
REASONS = {"name": "same name", "email": "same email", "domain": "same web domain"}


def normalise_name(name: str | None) -> str:
    """Lowercase, accents and punctuation removed, legal suffixes ("Ltd", "Inc.") dropped."""
    if not name:
        return ""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    text = text.replace("&", " and ")
    words = re.sub(r"[^a-z0-9]+", " ", text).split()
    while len(words) > 1 and words[-1] in LEGAL_SUFFIXES:
        words.pop()
    if len(words) > 1 and words[0] == "the":
        words.pop(0)
    return " ".join(words)


def normalise_email(email: str | None) -> str:
    """Lowercase, with a "+tag" in the local part dropped (the same mailbox)."""
    if not email or "@" not in email:
        return ""
    local, _, domain = email.strip().lower().rpartition("@")
    return f"{local.split('+', 1)[0]}@{domain}"


def web_domain(website: str | None = None, email: str | None = None) -> str:
    """The company's domain from its website, else its email ("" for free mail domains)."""
    host = ""
    if website and website.strip():
        url = website.strip().lower()
        host = urlsplit(url if "://" in url else f"http://{url}").hostname or ""
    elif email and "@" in email:
        host = email.strip().lower().rpartition("@")[2]
    host = host.removeprefix("www.").strip(".")
    return "" if host in FREE_MAIL_DOMAINS or "." not in host else host


def _plain(text: str) -> str:
    """Lowercase ASCII words only: a person's name compared loosely."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def phone_digits(phone: str | None) -> str:
    return re.sub(r"\D", "", phone or "")


@dataclass
class DuplicateGroup:
    """Records that look like one: why (``reason``), on what key, and their ids and labels."""

    reason: str
    key: str
    members: list[tuple[int, str]] = field(default_factory=list)

    @property
    def ids(self) -> list[int]:
        return [pk for pk, _ in self.members]

    @property
    def reason_label(self) -> str:
        return REASONS.get(self.reason, self.reason)


def _groups(keyed: dict[tuple[str, str], list[tuple[int, str]]]) -> list[DuplicateGroup]:
    groups = [
        DuplicateGroup(reason, key, sorted(members))
        for (reason, key), members in keyed.items()
        if len(members) > 1
    ]
    return sorted(groups, key=lambda g: (g.key, g.reason))


def client_duplicates(session, visible=None) -> list[DuplicateGroup]:
    """Groups of live clients that share a normalised name, an email or a web domain.

    ``visible`` is a ``select`` of client ids to restrict to (see ``visible_client_ids``).
    One query; the grouping is done in Python over (id, name, email, website).
    """
    query = select(Client.id, Client.name, Client.email, Client.website).where(
        Client.archived.is_(False)
    )
    if visible is not None:
        query = query.where(Client.id.in_(visible))
    keyed: dict[tuple[str, str], list[tuple[int, str]]] = defaultdict(list)
    for pk, name, email, website in session.execute(query):
        member = (pk, name)
        if key := normalise_name(name):
            keyed[("name", key)].append(member)
        if email and (key := email.strip().lower()):
            keyed[("email", key)].append(member)
        if key := web_domain(website, email):
            keyed[("domain", key)].append(member)
    return _groups(keyed)


def contact_duplicates(session) -> list[DuplicateGroup]:
    """Groups of contacts with the same normalised email, or the same name and phone digits."""
    query = select(Contact.id, Contact.first_name, Contact.last_name, Contact.email, Contact.phone)
    keyed: dict[tuple[str, str], list[tuple[int, str]]] = defaultdict(list)
    for pk, first, last, email, phone in session.execute(query):
        member = (pk, f"{first} {last}")
        if key := normalise_email(email):
            keyed[("email", key)].append(member)
        digits = phone_digits(phone)
        if digits:
            name = _plain(f"{first} {last}")
            keyed[("name_phone", f"{name} {digits}")].append(member)
    return _groups(keyed)
