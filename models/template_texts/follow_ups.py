"""Follow-ups and reminders: proposals not yet read, reviews waiting, quiet clients, reviews
of the relationship and seasonal greetings."""

# A paragraph of a mail is one line here: a line break would show in the mail.
# ruff: noqa: E501
from __future__ import annotations

from functools import partial

from . import template

t = partial(template, "follow_ups")

TEMPLATES = [
    t(
        "quote-follow-up-not-viewed",
        "Proposal not yet opened",
        "A few days after a quote was sent and not opened: sends the link again and offers a"
        " short walk-through.",
        "Did our proposal reach you? {{ quote.title }}",
        """
        Dear {{ contact.first_name }},

        {% if quote.sent_on %}On {{ quote.sent_on }}{% else %}Recently{% endif %} I sent you our proposal {{ quote.number }}, {{ quote.title }}, and I do not think it has been opened yet. It may have been caught by a spam filter, or simply arrived at a busy moment, so here is the link again:

        {{ links.quote }}

        The proposal is valid until {{ quote.valid_until }}. If someone else at {{ client.short_name }} should receive it, or you would like me to walk you through it in 15 minutes, just reply to this email.
        """,
    ),
    t(
        "quote-expiring-soon",
        "Proposal about to expire",
        "Before a quote's valid-until date: a reminder, with the offer to extend or revise it"
        " rather than let it lapse.",
        "{{ quote.title }}: our proposal is valid until {{ quote.valid_until }}",
        """
        Dear {{ contact.first_name }},

        A short reminder that our proposal {{ quote.number }}, {{ quote.title }} ({{ quote.total }}), is valid until {{ quote.valid_until }}.

        If you would like to go ahead, you can accept it online in a minute:

        {{ links.quote }}

        If the timing is not right, or the scope needs to change, tell me and I will extend the proposal or send a revised one. There is no need to let it lapse.
        """,
    ),
    t(
        "shortlist-review-reminder",
        "Candidates waiting for review",
        "When candidates have waited some days for the client's decision: a friendly nudge, with"
        " the offer of a 15-minute call.",
        "Candidates waiting for your review: {{ job_order.title }}",
        """
        Hello {{ contact.first_name }},

        A friendly reminder that candidates for the {{ job_order.title }} role are waiting for your review in the portal:

        {{ links.job_order }}

        Good candidates usually have more than one process under way, and after a few days without news their interest cools. A quick rating on each profile is enough for now; the detail can follow.

        If you are short of time, reply with a time for a 15-minute call and I will take you through them.
        """,
    ),
    t(
        "guarantee-period-ending",
        "Replacement guarantee ending",
        "Before the replacement guarantee of a placement ends: checks how the candidate has"
        " settled, while a replacement is still covered.",
        "{{ candidate.full_name }}: the replacement guarantee ends soon",
        """
        Dear {{ contact.first_name }},

        The replacement guarantee for {{ candidate.full_name }}, whom we placed with you as {{ job_order.title }}, ends soon. Before it does, I would like to check that all is going well.

        Could you let me know, ideally within the week:
        - how {{ candidate.first_name }} has settled into the role and the team;
        - any concerns about performance, attendance or fit.

        If something is not working, please tell us before the guarantee ends, so that we can help put it right or, under the terms of our agreement, find a replacement. If all is well, no action is needed, though I would be glad to hear it.
        """,
    ),
    t(
        "meeting-follow-up",
        "Meeting follow-up",
        "After a meeting with the client: thanks them and says when the written summary of"
        " actions will follow.",
        "Thank you for your time today",
        """
        Dear {{ contact.first_name }},

        Thank you for meeting with me today. It was useful to hear first-hand how things are going at {{ client.short_name }}.

        I will send you a short written summary of what we agreed, with who does what and by when, by the end of the next working day. If you would like to add or correct anything in the meantime, reply to this email.

        Everything we are working on for you is also in your portal:

        {{ links.portal }}
        """,
    ),
    t(
        "re-engagement-check-in",
        "Re-engagement check-in",
        "To a client who has been quiet for a while: asks about their hiring plans and offers"
        " a short call with no commitment.",
        "Planning any hires in the months ahead, {{ contact.first_name }}?",
        """
        Dear {{ contact.first_name }},

        It has been a while since we last worked together, and I wanted to ask how things are at {{ client.short_name }}.

        If you are planning any hires in the coming months, I would be glad to help you think them through: the market for the roles you have in mind, realistic salaries and timelines, and whether a search is needed at all. A 20-minute call is usually enough, and there is no commitment.

        And if there is anything we could have done better last time, I would genuinely like to know.

        You can reply to this email, or open a new role directly in your portal:

        {{ links.portal }}
        """,
    ),
    t(
        "quarterly-business-review-invitation",
        "Quarterly business review invitation",
        "Invites the client to the quarterly review, with a proposed agenda.",
        "Your quarterly review with {{ agency.name }}",
        """
        Dear {{ contact.first_name }},

        It is time for our quarterly review of the work we do for {{ client.short_name }}. I would like to suggest an hour by video call within the next two weeks.

        Proposed agenda:
        1. The quarter in numbers: roles opened and filled, time to hire, interviews per offer.
        2. Quality: how the people we placed are doing, and your view of our shortlists.
        3. Service: our response times, updates and invoicing.
        4. The next quarter: your hiring plan and how we should prepare for it.

        Please reply with two or three times that suit you, and with anything you would like to add to the agenda. Your roles, placements and invoices are in the portal if you would like to look before we meet:

        {{ links.portal }}
        """,
    ),
    t(
        "holiday-greeting",
        "Holiday greeting",
        "The end-of-year greeting: thanks the client for the year and says how to reach us over"
        " the holidays.",
        "Season's greetings from {{ agency.name }}",
        """
        Dear {{ contact.first_name }},

        As the year draws to a close, thank you from all of us at {{ agency.name }} for working with us. It has been a pleasure to help {{ client.short_name }} build its team, and we appreciate the trust you have placed in us.

        We run a reduced service over the holidays. If you need anything urgently, reply to this email and it will reach the colleague on duty.

        We wish you and your colleagues a restful break and a happy and successful new year.
        """,
        sign_off="Warm wishes,",
    ),
]
