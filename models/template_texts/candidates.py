"""Candidate presentations: a job order from intake to placement, written to hiring managers."""

# A paragraph of a mail is one line here: a line break would show in the mail.
# ruff: noqa: E501
from __future__ import annotations

from functools import partial

from . import template

t = partial(template, "candidates")

TEMPLATES = [
    t(
        "job-order-received",
        "Job order received",
        "When a client sends a new job order: confirms we have it, what we check and when the"
        " search starts.",
        "We have your request: {{ job_order.title }}",
        """
        Hello {{ contact.first_name }},

        Thank you for your new job order, {{ job_order.title }}{% if job_order.location %} ({{ job_order.location }}){% endif %}. It has reached us and is with our team.

        Within one working day we will review the brief, confirm the fee and timeline, and come back to you with any questions. As soon as the job order is approved, a recruiter is assigned and the search begins.

        You can follow its status here:

        {{ links.job_order }}

        If anything in the brief has changed since you sent it, reply to this email and we will update it before we start.
        """,
    ),
    t(
        "job-order-approved",
        "Job order approved: search started",
        "When a job order is approved: the search has started, what the client will hear from"
        " us and when, and the one thing we need (interview slots).",
        "The search for {{ job_order.title }} has started",
        """
        Hello {{ contact.first_name }},

        The job order for {{ job_order.title }}{% if job_order.location %} ({{ job_order.location }}){% endif %} is approved and our search has started. Openings to fill: {{ job_order.openings }}.

        What happens next:
        - This week: we approach candidates from our network and the wider market, and screen each one against your must-haves.
        - Every week until the role is filled: a short progress note with the numbers at each stage.
        - As soon as we have candidates we would put our name to: a shortlist in your portal, with our notes on each.

        One thing would help us move faster: please keep a few interview slots free over the next three weeks, so that strong candidates are not left waiting.

        {{ links.job_order }}
        """,
    ),
    t(
        "candidate-presented",
        "Candidate presented",
        "Presents one candidate for a job order and asks for a decision on an interview by the"
        " end of the next working day.",
        "Candidate for {{ job_order.title }}: {{ candidate.full_name }}",
        """
        Hello {{ contact.first_name }},

        I would like to present {{ candidate.full_name }} for your {{ job_order.title }} role.

        {% if candidate.current_title %}{{ candidate.first_name }} is currently {{ candidate.current_title }}{% if candidate.current_company %} at {{ candidate.current_company }}{% endif %}{% if candidate.location %}, based in {{ candidate.location }}{% endif %}. {% endif %}We have interviewed {{ candidate.first_name }}, checked the must-haves in your brief, and believe this is someone you should meet.

        The full profile, CV and our interview notes are in your portal:

        {{ links.job_order }}

        Could you let me know by the end of the next working day whether you would like to interview? Good candidates are rarely available for long, and a quick answer keeps {{ candidate.first_name }} engaged. You can rate the profile in the portal or simply reply to this email.
        """,
    ),
    t(
        "shortlist-ready",
        "Shortlist ready",
        "The shortlist for a job order is in the portal: asks the hiring manager to review each"
        " candidate within three working days.",
        "Your shortlist for {{ job_order.title }} is ready",
        """
        Hello {{ contact.first_name }},

        The shortlist for {{ job_order.title }} is ready in your portal. For each candidate you will find our interview notes, why we think they fit your brief, their notice period and their salary expectations.

        {{ links.job_order }}

        What we need from you: within three working days, a rating for each candidate and a line on why. The reasons matter as much as the decisions, because they tell us how to sharpen the search.

        If you would rather go through the shortlist together, reply with a time for a 20-minute call and I will walk you through it.
        """,
    ),
    t(
        "interview-scheduling",
        "Interview scheduling",
        "Once the client wants to meet a candidate: asks for times, format and panel, and says"
        " when the interview will be confirmed.",
        "Interview times for {{ candidate.full_name }} ({{ job_order.title }})",
        """
        Hello {{ contact.first_name }},

        Thank you for choosing to interview {{ candidate.full_name }} for the {{ job_order.title }} role. {{ candidate.first_name }} is keen to meet you.

        To set it up, could you reply with:
        - two or three times that suit you over the next five working days;
        - whether the interview is by video or in person, and the address if in person;
        - who will be on the panel, with their job titles;
        - anything the candidate should prepare.

        I will confirm a time with {{ candidate.first_name }} within 24 hours of your reply and send calendar invitations to you both. If you need to move the interview later, let me know as early as you can and I will rearrange it.
        """,
    ),
    t(
        "interview-feedback-request",
        "Interview feedback request",
        "After a client interview: asks for feedback by the end of the next working day, in three"
        " short questions.",
        "How did the interview with {{ candidate.full_name }} go?",
        """
        Hello {{ contact.first_name }},

        Thank you for interviewing {{ candidate.full_name }} for the {{ job_order.title }} role. I would be grateful for your feedback by the end of the next working day, while the conversation is fresh and while {{ candidate.first_name }} is still weighing up their options.

        Three short answers are enough:
        1. Would you like {{ candidate.first_name }} to move to the next stage?
        2. What impressed you?
        3. What concerns, if any, should we explore with them?

        You can record your feedback in the portal or reply to this email:

        {{ links.job_order }}

        Whatever the outcome, I will pass constructive feedback on to {{ candidate.first_name }}, so that they hear from us promptly.
        """,
    ),
    t(
        "placement-confirmed",
        "Placement confirmed",
        "When a candidate is placed: congratulates the client and sets out what we do until the"
        " start date and after it.",
        "Confirmed: {{ candidate.full_name }} joins you as {{ job_order.title }}",
        """
        Dear {{ contact.first_name }},

        I am delighted to confirm the placement of {{ candidate.full_name }} as {{ job_order.title }}. Congratulations to you and the team on a successful hire.

        From here:
        - We stay in touch with {{ candidate.first_name }} until their first day, so that nothing unexpected happens during the notice period.
        - We will check in with you both after the first few weeks in the role.
        - Our fee is invoiced under the terms of our agreement, and the replacement guarantee runs from the start date.

        If there is anything we can help with before {{ candidate.first_name }}'s first day, such as paperwork or an introduction to the team, just let me know.
        """,
    ),
]
