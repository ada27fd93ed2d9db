"""Contract and offer communications: proposals, agreements, renewals and job offers."""

# A paragraph of a mail is one line here: a line break would show in the mail.
# ruff: noqa: E501
from __future__ import annotations

from functools import partial

from . import template

t = partial(template, "contracts_offers")

TEMPLATES = [
    t(
        "quote-sent",
        "Proposal sent",
        "Sends a quote: its total and validity, how to accept it online, and what happens once"
        " it is accepted.",
        "Our proposal for {{ client.short_name }}: {{ quote.title }}",
        """
        Dear {{ contact.first_name }},

        Thank you for telling us about your hiring needs. Our proposal is ready for you:

        {{ quote.title }} ({{ quote.number }})
        Total: {{ quote.total }}
        Valid until: {{ quote.valid_until }}

        You can read it, download the PDF and accept it online here:

        {{ links.quote }}

        Once you accept, we send the agreement for signature and can start the search within two working days. If you would like anything changed, whether the scope, the fees or the terms, reply to this email and I will send a revised version.
        """,
    ),
    t(
        "quote-accepted",
        "Proposal accepted: thank you",
        "When a client accepts a quote: thanks them and sets out the next three steps.",
        "Thank you: {{ quote.title }} accepted",
        """
        Dear {{ contact.first_name }},

        Thank you for accepting our proposal {{ quote.number }}, {{ quote.title }}, for {{ quote.total }}. We are looking forward to getting started.

        The next steps:
        1. Within one working day, we send you the agreement for signature.
        2. We book a kick-off call to confirm the profile for each role and your interview process.
        3. The search starts as soon as the agreement is signed.

        A copy of the accepted proposal stays in your portal:

        {{ links.quote }}
        """,
    ),
    t(
        "contract-sent-for-signature",
        "Agreement sent for signature",
        "Sends an agreement for signature, with its term, and asks for it to be signed within"
        " five working days.",
        "For signature: {{ contract.title }} ({{ contract.number }})",
        """
        Dear {{ contact.first_name }},

        Our agreement with {{ client.name }}, {{ contract.number }} ({{ contract.title }}), is ready for your signature. It starts on {{ contract.start_date }}{% if contract.end_date %} and runs until {{ contract.end_date }}{% endif %}.

        You can review and sign it here:

        {{ links.contract }}

        It would help to have it signed within five working days, so that the work can start on the date we agreed. If your legal or procurement team has comments, send them to me and I will come back to you within 48 hours with our answer or a revised draft.
        """,
    ),
    t(
        "contract-signed-thank-you",
        "Agreement signed: thank you",
        "When an agreement is signed: thanks the client, says when it takes effect and asks who"
        " should receive invoices.",
        "Thank you: agreement {{ contract.number }} is signed",
        """
        Dear {{ contact.first_name }},

        Thank you for signing our agreement {{ contract.number }} ({{ contract.title }}). It takes effect on {{ contract.start_date }}, and a copy of the signed agreement is in your portal for your records:

        {{ links.contract }}

        Your account team will be in touch this week to arrange the kick-off and agree the first priorities.

        If someone in your finance team should receive our invoices, please send me their name and email address, so that we can set them up before the first invoice is issued.
        """,
    ),
    t(
        "contract-renewal-outreach",
        "Contract renewal outreach",
        "Ahead of a contract's renewal date: says whether it renews automatically and proposes a"
        " review of the year before it does.",
        "Renewal of our agreement {{ contract.number }} ({{ contract.title }})",
        """
        Dear {{ contact.first_name }},

        Our agreement {{ contract.number }} ({{ contract.title }}) is due for renewal{% if contract.renewal_date %} on {{ contract.renewal_date }}{% endif %}.

        {% if contract.renews_automatically == "yes" %}It renews automatically on its current terms, so there is nothing you need to do if you are happy to continue.{% else %}It does not renew automatically: to keep working together without a break, we need your go-ahead before the renewal date.{% endif %}

        Before then, I would welcome 30 minutes with you to look back at the year (the roles filled, the time to hire, what worked and what did not) and ahead at your hiring plans, so that the terms still fit what you need. Please reply with a time that suits you, or with any changes you would like us to consider.

        {{ links.contract }}
        """,
    ),
    t(
        "contract-amendment-for-review",
        "Contract changes for review",
        "Sends proposed changes to an agreement for the client's review within ten working days.",
        "Proposed changes to agreement {{ contract.number }} for your review",
        """
        Dear {{ contact.first_name }},

        As discussed, we have prepared changes to our agreement {{ contract.number }} ({{ contract.title }}). The revised version is ready for you to review:

        {{ links.contract }}

        Nothing changes until both sides have signed the revised version; until then, the current terms apply. Please let me have your comments or your approval within ten working days.

        If it would help to go through the changes together, reply with a time and I will set up a call.
        """,
    ),
    t(
        "offer-extended",
        "Offer extended to a candidate",
        "Tells the hiring manager that their offer has gone to the candidate, and how we manage"
        " the decision and any counter-offer.",
        "Offer extended to {{ candidate.full_name }} for {{ job_order.title }}",
        """
        Dear {{ contact.first_name }},

        As agreed, we have extended your offer for the {{ job_order.title }} role to {{ candidate.full_name }} and talked it through with {{ candidate.first_name }} today.

        We will stay in close contact while {{ candidate.first_name }} considers it, and tell you at once of any question about salary, start date or anything else.

        Two things would help:
        - please keep the hiring manager available for a call with {{ candidate.first_name }}, should they ask for one;
        - let me know straight away if anything changes on your side.

        Counter-offers from current employers are common at this stage. If one arrives, I will call you before anything else happens.
        """,
    ),
    t(
        "offer-accepted",
        "Offer accepted",
        "When a candidate accepts the client's offer: the good news and what happens until the"
        " start date.",
        "{{ candidate.full_name }} has accepted your offer",
        """
        Dear {{ contact.first_name }},

        Good news: {{ candidate.full_name }} has accepted your offer for the {{ job_order.title }} role.

        What happens now:
        - {{ candidate.first_name }} gives notice{% if candidate.current_company %} at {{ candidate.current_company }}{% endif %} and confirms a start date with us; I will pass it on as soon as I have it.
        - Please send the written contract of employment to {{ candidate.first_name }}, or to me to forward, within the next few days.
        - We keep in touch with {{ candidate.first_name }} throughout the notice period and will tell you at once of any concern.

        Congratulations on the hire, and thank you for working with us on it.
        """,
    ),
]
