"""The texts of the built-in email templates, one module per category (see
``models/template_library.py``, which loads them).

Each text is plain: paragraphs separated by a blank line, links as bare URLs from ``links.*``,
and only the variables of ``models.mail_templates.VARIABLES``. ``template()`` adds the
signature, so every mail ends with the sender's name and the agency's.
"""

from __future__ import annotations

from textwrap import dedent

SIGNATURE = "{{ sender.full_name }}\n{{ agency.name }}"


def template(
    category: str,
    key: str,
    name: str,
    description: str,
    subject: str,
    body: str,
    sign_off: str = "Kind regards,",
) -> dict[str, str]:
    """One built-in template: ``body`` dedented, then ``sign_off`` and the signature."""
    text = dedent(body).strip()
    return {
        "key": key,
        "name": name,
        "category": category,
        "description": description,
        "subject": subject,
        "body": f"{text}\n\n{sign_off}\n{SIGNATURE}",
    }
