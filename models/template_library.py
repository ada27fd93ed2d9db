"""The built-in email templates, and their loader (``flask clientdesk load-templates``, also
run by the demo).

``BUILTIN_TEMPLATES`` holds the library: at least three templates in each category of
``CATEGORIES``, written for an agency's mail to a client's hiring managers, finance people and
executives. Their texts are in ``models/template_texts/``, one module per category.

``load_builtin_templates`` matches templates by key (in any case), so it can run any number of
times:
- a key with no template is created, marked ``builtin``;
- a template whose text is the one shipped now is kept as it is;
- a built-in template whose text is one shipped earlier (``SHIPPED_BEFORE``), which nobody has
  edited since, is brought up to date;
- any other template with that key is kept: a user edited it, or wrote their own under that
  key, and loading never overwrites their text. It does not touch ``active`` either.

A built-in template someone deleted comes back on the next load: deactivate it instead.
"""

from __future__ import annotations

import hashlib
from typing import NamedTuple

from sqlalchemy import select

from .mail_templates import EmailTemplate
from .template_texts import (
    candidates,
    collections,
    contracts_offers,
    follow_ups,
    onboarding,
    project_updates,
    surveys,
)

BUILTIN_TEMPLATES: list[dict[str, str]] = [
    *onboarding.TEMPLATES,
    *candidates.TEMPLATES,
    *project_updates.TEMPLATES,
    *contracts_offers.TEMPLATES,
    *follow_ups.TEMPLATES,
    *collections.TEMPLATES,
    *surveys.TEMPLATES,
]
# The fields a load writes, and compares to tell an untouched template from an edited one.
FIELDS = ("name", "category", "description", "subject", "body")

# Fingerprints of earlier shipped texts, by key. When you change a shipped template, add the
# fingerprint of its old text here (``fingerprint(old)``): copies nobody edited then get the
# new text on the next load, and edited copies are still left alone.
SHIPPED_BEFORE: dict[str, frozenset[str]] = {}


class Loaded(NamedTuple):
    """What a load did: templates created, brought up to date, and left as they were."""

    created: int
    updated: int
    kept: int


def fingerprint(template) -> str:
    """A hash of a template's text (a dict of the library or an ``EmailTemplate``)."""
    get = template.get if isinstance(template, dict) else lambda f: getattr(template, f)
    text = "\x1f".join(get(f) or "" for f in FIELDS)
    return hashlib.sha256(text.encode()).hexdigest()


def builtin_template(key: str) -> dict[str, str]:
    """The shipped text of the built-in template ``key``.

    :raise KeyError: when no built-in template has that key.
    """
    for template in BUILTIN_TEMPLATES:
        if template["key"] == key:
            return template
    raise KeyError(key)


def load_builtin_templates(session) -> Loaded:
    """Create the missing built-in templates and update the untouched ones (see the module's
    docstring); flushes, never commits (the caller does).
    """
    existing = {t.key.lower(): t for t in session.scalars(select(EmailTemplate))}
    created = updated = kept = 0
    for shipped in BUILTIN_TEMPLATES:
        template = existing.get(shipped["key"].lower())
        if template is None:
            session.add(EmailTemplate(**shipped, active=True, builtin=True))
            created += 1
        elif (
            template.builtin
            and fingerprint(template) != fingerprint(shipped)
            and fingerprint(template) in SHIPPED_BEFORE.get(shipped["key"], ())
        ):
            for field in FIELDS:
                setattr(template, field, shipped[field])
            updated += 1
        else:
            kept += 1
    session.flush()
    return Loaded(created, updated, kept)
