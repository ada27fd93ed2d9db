"""Client onboarding and welcome: the first weeks of a new client."""

# A paragraph of a mail is one line here: a line break would show in the mail.
# ruff: noqa: E501
from __future__ import annotations

from functools import partial

from . import template

t = partial(template, "onboarding")

TEMPLATES = [
    t(
        "welcome-new-client",
        "Welcome to a new client",
        "Sent when a client becomes active: who their account manager is, what happens in the"
        " first two weeks, and the link to their portal.",
        "Welcome to {{ agency.name }}, {{ contact.first_name }}",
        """
        Dear {{ contact.first_name }},

        Thank you for choosing {{ agency.name }}. I am your account manager: one person to call about anything, whether a new role, a candidate, a contract or an invoice.

        Here is what happens over the next two weeks:
        1. An intake call of about 45 minutes, in which we agree the roles, the profile of the people you want and how you like to interview.
        2. Your first job orders opened, each with a named recruiter.
        3. A first progress note from us within five working days of each role opening.

        To put the intake call in the diary, please reply with two or three times that suit you this week or next.

        Your client portal is ready. It shows your open roles, the candidates we present, and your quotes, contracts and invoices, all in one place:

        {{ links.portal }}

        I look forward to working with you and the {{ client.short_name }} team.
        """,
    ),
    t(
        "welcome-portal-tour",
        "Portal tour",
        "A few days after the welcome: the four things clients use the portal for, and how to"
        " give a colleague access.",
        "Your {{ agency.name }} portal: a two-minute tour",
        """
        Hello {{ contact.first_name }},

        Your portal lets you see everything we are doing for {{ client.short_name }} without waiting for an email. These are the four things clients use it for most:

        - Open a new role: fill in the job order form and we pick it up the same working day.
        - Review candidates: read each profile, rate it and tell us who you want to meet. Your comments go straight to the recruiter.
        - Approve proposals: read a quote, download the PDF and accept it online.
        - Pay invoices: see what is open, download copies and your statement, and pay online.

        Sign in with your work email address here:

        {{ links.portal }}

        If a colleague should have access too, reply with their name and email address and I will set them up.
        """,
    ),
    t(
        "welcome-first-check-in",
        "First check-in",
        "A few weeks in: asks whether the candidates, the updates and the way we work suit the"
        " client, and offers a 15-minute call.",
        "How are things going so far, {{ contact.first_name }}?",
        """
        Dear {{ contact.first_name }},

        We have been working together for a few weeks now, and I would like to make sure we are getting the basics right for {{ client.short_name }}.

        Could we have 15 minutes on a call in the next week? These are the three questions I would most like your view on:
        1. Are the candidates we present close to what you had in mind?
        2. Do you hear from us often enough, and in the way you prefer?
        3. Is there anything on your side, such as interview availability or approvals, that we could make easier?

        If it is simpler, just reply to this email with your thoughts. Whatever you raise goes straight into how we work on your roles.
        """,
    ),
    t(
        "onboarding-kickoff-agenda",
        "Kick-off meeting agenda",
        "Before the kick-off meeting: the agenda, and the documents and people to bring.",
        "Our kick-off meeting: agenda and what to bring",
        """
        Dear {{ contact.first_name }},

        Thank you for making time for our kick-off meeting. So that we make the most of the hour, here is the agenda:
        1. Your hiring plan: the roles, how many people and by when.
        2. The profile for each role: must-haves, nice-to-haves and deal-breakers.
        3. Your interview process: who interviews, how many rounds, and how quickly you can give feedback.
        4. Approvals: who signs off job orders, offers and invoices.
        5. Keeping you informed: weekly updates, the portal, and who to call.

        It would help if you could bring any existing job descriptions, the salary bands for the roles and the names of the people on your interview panels.

        If anyone else from {{ client.short_name }} should join, forward this email to them or send me their details and I will add them to the invitation.
        """,
    ),
    t(
        "onboarding-billing-setup",
        "Billing set-up with finance",
        "To the client's finance contact before the first invoice: confirms the payment terms"
        " and asks for the invoice recipient, purchase order rules and invoicing details.",
        "Setting up invoicing for {{ client.name }}",
        """
        Dear {{ contact.first_name }},

        I am writing to set up invoicing for {{ client.name }}, so that our first invoice reaches the right people and can be paid without delay.

        The payment terms we have on record are {{ client.payment_terms or "to be confirmed" }}, with invoices in {{ client.currency }}. Could you confirm these, and let me know:
        - who should receive our invoices, and at which email address;
        - whether each invoice needs a purchase order number, and who issues it;
        - the registered name and address to print on invoices, if different from {{ client.name }};
        - anything else your accounts payable team needs to process a new supplier.

        Once invoices are issued, you can view them, download copies and pay online in the portal:

        {{ links.portal }}

        Thank you for your help.
        """,
    ),
    t(
        "onboarding-team-introduction",
        "How to reach us and response times",
        "Early in the relationship: how to contact the account team, the response times we"
        " commit to, and how an issue is escalated.",
        "How to reach us, and how quickly we answer",
        """
        Dear {{ contact.first_name }},

        So that you always know who to contact at {{ agency.name }}, here is how we work with {{ client.short_name }}.

        For anything about your roles, candidates, contracts or invoices, reply to this email: it comes to me, and it keeps a record we can both refer to. For something urgent, please call. You can also message us from the portal, where each role and invoice has its own thread:

        {{ links.portal }}

        These are the response times we commit to:
        - Critical, such as a candidate about to accept another offer: within 4 hours
        - High priority: within 24 hours
        - Normal requests: within 48 hours
        - General questions: within 72 hours

        If an issue is not resolved to your satisfaction, it goes to our operations manager, who responds within 12 hours, and then to our managing director, within 4 hours. You should never need to chase us twice.
        """,
    ),
]
