"""Project status updates: kick-off, weekly and monthly reports, milestones done or at risk."""

# A paragraph of a mail is one line here: a line break would show in the mail.
# ruff: noqa: E501
from __future__ import annotations

from functools import partial

from . import template

t = partial(template, "project_updates")

TEMPLATES = [
    t(
        "project-kickoff",
        "Project under way",
        "When a project starts: its plan, how we will keep the client informed, and who to"
        " contact.",
        "{{ project.name }} is under way",
        """
        Dear {{ contact.first_name }},

        {{ project.name }} has started{% if project.start_date %} ({{ project.start_date }}){% endif %}. Thank you for the time you and your team have already given us.

        {% if project.milestones_total %}The plan has {{ project.milestones_total }} milestone{{ "" if project.milestones_total == 1 else "s" }}{% if project.target_end_date %}, with a target end date of {{ project.target_end_date }}{% endif %}. {% elif project.target_end_date %}The target end date is {{ project.target_end_date }}. {% endif %}This is how we will keep you informed:
        - a short update by email every week;
        - a monthly report, with a review call if you would like one;
        - a note on the day each milestone is completed, and early warning if one is at risk.

        You can follow progress at any time in your portal:

        {{ links.portal }}

        I am your day-to-day contact for the project. Reply to this email with any question and I will come back to you within 48 hours, or within 4 hours for anything critical.
        """,
    ),
    t(
        "weekly-status-update",
        "Weekly status update",
        "The weekly note on a project: its status and milestones, with the detail in the portal.",
        "Weekly update: {{ project.name }}",
        """
        Hello {{ contact.first_name }},

        Here is this week's update on {{ project.name }}.

        Status: {{ project.status }}
        Milestones completed: {{ project.milestones_done }} of {{ project.milestones_total }}
        {% if project.target_end_date %}Target end date: {{ project.target_end_date }}
        {% endif %}
        The portal has the detail for every role: the candidates at each stage, the interviews booked and the feedback still outstanding. Please look in particular at any candidates waiting for your decision.

        {{ links.portal }}

        Reply to this email with any questions: I will answer within 48 hours, or the same day if it is urgent.
        """,
    ),
    t(
        "monthly-project-report",
        "Monthly project report",
        "The monthly report on a project, with an offer of a 30-minute review call.",
        "Monthly report: {{ project.name }}",
        """
        Dear {{ contact.first_name }},

        Here is our monthly report on {{ project.name }}.

        Status: {{ project.status }}
        {% if project.start_date %}Started: {{ project.start_date }}
        {% endif %}Milestones completed: {{ project.milestones_done }} of {{ project.milestones_total }}
        {% if project.target_end_date %}Target end date: {{ project.target_end_date }}
        {% endif %}
        Over the coming month we will concentrate on the milestones still open and keep you updated every week. If your hiring priorities have changed, now is a good moment to tell us, so that we can adjust the plan before the next milestone.

        The detail is in your portal:

        {{ links.portal }}

        I would welcome 30 minutes with you to go through the month. Reply with a time that suits you, or let me know if the written report is enough.
        """,
    ),
    t(
        "milestone-completed",
        "Milestone completed",
        "When a project milestone is completed: what was done, where the project stands, and"
        " how to review it.",
        "{{ project.name }}: {{ milestone.name }} completed",
        """
        Hello {{ contact.first_name }},

        We have completed "{{ milestone.name }}" on {{ project.name }}{% if milestone.completed_on %}, on {{ milestone.completed_on }}{% endif %}. That makes {{ project.milestones_done }} of {{ project.milestones_total }} milestones done{% if project.target_end_date %}, against a target end date of {{ project.target_end_date }}{% endif %}.

        The detail, and what comes next, is in your portal:

        {{ links.portal }}

        If you would like to review the work before we move on to the next milestone, reply to this email and I will arrange a short call.
        """,
    ),
    t(
        "milestone-at-risk",
        "Milestone at risk",
        "Early warning that a milestone may slip: what would help from the client, and a call to"
        " agree a recovery plan.",
        "{{ project.name }}: {{ milestone.name }} is at risk",
        """
        Dear {{ contact.first_name }},

        I want to let you know early: "{{ milestone.name }}" on {{ project.name }}{% if milestone.due_date %}, due on {{ milestone.due_date }},{% endif %} is at risk of slipping.

        What would help most from your side:
        - interview slots for the candidates waiting to meet you;
        - decisions on any profiles still waiting for your review;
        - answers to any open questions from our last update.

        I will call you within one working day to agree a recovery plan, or you can reply with a time that suits you. If the date cannot be met, we will agree a new one with you rather than let it pass unannounced.

        {{ links.portal }}
        """,
    ),
    t(
        "project-timeline-change",
        "Revised project timeline",
        "Confirms a new target end date for a project and asks the client to raise any problem"
        " within the week.",
        "{{ project.name }}: revised target date",
        """
        Dear {{ contact.first_name }},

        I am writing to confirm a change to the timeline of {{ project.name }}: the target end date is now {{ project.target_end_date or "to be confirmed" }}.

        Milestones completed so far: {{ project.milestones_done }} of {{ project.milestones_total }}. The rest have been re-planned around the new date. You can see the updated plan in your portal:

        {{ links.portal }}

        Unless we have agreed otherwise, the scope and fees stay as they are. If the new date causes a problem on your side, please reply within the week so that we can look at the options together.
        """,
    ),
]
