"""Surveys: the project-completion survey, NPS and CSAT, a reminder and a thank-you.

The survey link (``links.survey``) is personal to the recipient and works without logging in.
"""

# A paragraph of a mail is one line here: a line break would show in the mail.
# ruff: noqa: E501
from __future__ import annotations

from functools import partial

from . import template

t = partial(template, "surveys")

TEMPLATES = [
    t(
        "project-completion-survey",
        "Project completion survey",
        "When a project is completed: thanks the client and asks for three minutes of feedback"
        " through their personal survey link.",
        "{{ project.name }} is complete: three minutes of feedback?",
        """
        Dear {{ contact.first_name }},

        With {{ project.name }} now complete, thank you for working with us on it. Before we close the file, I would value your honest view of how it went: what worked, and what we should do differently next time.

        The survey takes about three minutes:

        {{ links.survey }}

        The link is personal to you and works without logging in{% if survey.expires_on %} until {{ survey.expires_on }}{% endif %}. Your answers go to our leadership team as well as to me, and we read every one.
        """,
    ),
    t(
        "nps-survey",
        "NPS survey",
        "The Net Promoter Score question: how likely the client is to recommend us, with room"
        " for a reason.",
        "One question for you, {{ contact.first_name }}",
        """
        Dear {{ contact.first_name }},

        How likely are you to recommend {{ agency.name }} to a friend or colleague? We ask our clients this once or twice a year, and the answer tells us more than anything else about how we are doing.

        It takes less than a minute: a score from 0 to 10 and, if you have a moment, the reason for it.

        {{ links.survey }}

        The link is personal to you{% if survey.expires_on %} and open until {{ survey.expires_on }}{% endif %}. Whatever your score, I will read your comment myself and, if you would like, come back to you about it.
        """,
    ),
    t(
        "csat-survey",
        "CSAT survey",
        "The customer satisfaction survey: the candidates, our responsiveness and how easy we"
        " are to work with.",
        "How satisfied are you with our service?",
        """
        Dear {{ contact.first_name }},

        We would like to know how satisfied you are with the service {{ agency.name }} gives {{ client.short_name }}: the candidates we present, how quickly we respond, and how easy we are to work with.

        The survey, "{{ survey.title }}", takes about two minutes:

        {{ links.survey }}

        {% if survey.expires_on %}It is open until {{ survey.expires_on }}. {% endif %}Honest answers, critical ones included, are the most useful to us: they go straight into how we plan our work for you.
        """,
    ),
    t(
        "survey-reminder",
        "Survey reminder",
        "A reminder to answer a survey before it closes.",
        "A reminder: {{ survey.title }}",
        """
        Dear {{ contact.first_name }},

        A short reminder about our survey, "{{ survey.title }}". {% if survey.expires_on %}It closes on {{ survey.expires_on }}, and we{% else %}We{% endif %} would very much like your view to be part of it.

        It takes only a few minutes:

        {{ links.survey }}

        If you have answered already, thank you, and please disregard this note.
        """,
    ),
    t(
        "survey-thank-you",
        "Survey thank-you",
        "After a client answers a survey: thanks them and says what happens with their answers.",
        "Thank you for your feedback",
        """
        Dear {{ contact.first_name }},

        Thank you for answering our survey, "{{ survey.title }}". We read every response, and yours will be discussed at our next team review.

        If you raised something that needs action, I will come back to you personally within a week to tell you what we are doing about it. If you would rather talk it through sooner, reply to this email and I will call you.
        """,
    ),
]
