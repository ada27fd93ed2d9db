"""Collections: invoices issued, due and overdue, the three notices of seed 001 (first,
second, final: polite to firm), payments and queries.

The final notice says what the collection procedure does next (the matter is handed over
for collection, which may add costs and statutory interest), as the file template of
``jobs/collections.py`` does; no notice threatens more than that.
"""

# A paragraph of a mail is one line here: a line break would show in the mail.
# ruff: noqa: E501
from __future__ import annotations

from functools import partial

from . import template

t = partial(template, "collections")

TEMPLATES = [
    t(
        "invoice-issued",
        "Invoice issued",
        "Sends a new invoice: amount, due date, and where to view, download and pay it.",
        "Invoice {{ invoice.number }} from {{ agency.name }}",
        """
        Dear {{ contact.first_name }},

        Our invoice {{ invoice.number }} to {{ client.name }} is ready:

        Issued: {{ invoice.issue_date }}
        Amount: {{ invoice.total }}
        Due by: {{ invoice.due_date }}

        You can view it, download the PDF and pay online here:

        {{ links.invoice }}

        If you need a purchase order number on the invoice or a different billing address, or have a question about the charges, reply to this email and we will sort it out before the due date.
        """,
    ),
    t(
        "invoice-due-soon",
        "Invoice due soon",
        "A courtesy note a few days before an invoice is due, asking to raise anything that"
        " might hold the payment up.",
        "Invoice {{ invoice.number }} is due on {{ invoice.due_date }}",
        """
        Dear {{ contact.first_name }},

        A courtesy reminder that invoice {{ invoice.number }}, for {{ invoice.total }}, is due for payment on {{ invoice.due_date }}. The amount open is {{ invoice.balance }}.

        If the payment is already scheduled, thank you, and please disregard this note. If not, you can pay online, or download a copy for your accounts payable team, here:

        {{ links.invoice }}

        If anything is holding the invoice up (a missing purchase order, an approval, a question on the charges), let me know now and I will help resolve it before it falls due.
        """,
    ),
    t(
        "invoice-overdue-reminder",
        "Invoice overdue: courtesy reminder",
        "The day after an invoice's due date: a friendly reminder that assumes an oversight,"
        " before any formal notice.",
        "Reminder: invoice {{ invoice.number }} was due on {{ invoice.due_date }}",
        """
        Dear {{ contact.first_name }},

        Our records show that invoice {{ invoice.number }}, due on {{ invoice.due_date }}, has not yet been paid: {{ invoice.balance }} is still open. It may simply have been overlooked, or the payment may already be on its way.

        You can pay online or download the invoice here:

        {{ links.invoice }}

        If you have paid in the last few days, thank you, and please disregard this reminder. If there is a problem with the invoice, reply to this email and tell us what it is: we will look into it straight away.
        """,
    ),
    t(
        "collection-first-notice",
        "Collection: first notice",
        "The first collection notice on an overdue invoice: polite, asks for payment within 7"
        " days or for a reason to pause reminders.",
        'First notice: invoice {{ invoice.number }} is {{ invoice.days_overdue }} day{{ "" if invoice.days_overdue == 1 else "s" }} overdue',
        """
        Dear {{ contact.first_name }},

        This is a first notice about invoice {{ invoice.number }}, issued on {{ invoice.issue_date }}. It is now {{ invoice.days_overdue }} day{{ "" if invoice.days_overdue == 1 else "s" }} overdue.

        Invoice: {{ invoice.number }}
        Amount due: {{ invoice.balance }} (of {{ invoice.total }})
        Due date: {{ invoice.due_date }}
        {% if client.payment_terms %}Payment terms: {{ client.payment_terms }}
        {% endif %}
        We would be grateful if you could arrange payment within the next 7 days. You can pay online or download a copy of the invoice here:

        {{ links.invoice }}

        If you have already paid, please send us the payment date and reference so that we can match it. If you dispute any part of the invoice, reply with the reason: we will pause our reminders while we look into it.
        """,
    ),
    t(
        "collection-second-notice",
        "Collection: second notice",
        "The second collection notice: firmer, asks for payment within 7 days or a reason and a"
        " date by return.",
        "Second notice: invoice {{ invoice.number }} remains unpaid",
        """
        Dear {{ contact.first_name }},

        We wrote to you recently about invoice {{ invoice.number }} and have not yet received payment, or heard of a reason for the delay. The invoice is now {{ invoice.days_overdue }} day{{ "" if invoice.days_overdue == 1 else "s" }} overdue.

        Invoice: {{ invoice.number }}
        Amount due: {{ invoice.balance }} (of {{ invoice.total }})
        Due date: {{ invoice.due_date }}
        {% if client.payment_terms %}Payment terms: {{ client.payment_terms }}
        {% endif %}
        Please pay the open balance within 7 days of this notice, or reply by return to tell us why it cannot be paid and when it will be. If there is a query on the invoice, we need to hear about it now so that we can resolve it.

        {{ links.invoice }}

        If your payment has crossed with this notice, thank you, and please send us its date and reference.
        """,
    ),
    t(
        "collection-final-notice",
        "Collection: final notice",
        "The final notice before the debt is handed over for collection: 7 days to pay or to"
        " agree a payment plan.",
        "Final notice: invoice {{ invoice.number }}, {{ invoice.balance }} overdue",
        """
        Dear {{ contact.first_name }},

        This is our final notice about invoice {{ invoice.number }}, now {{ invoice.days_overdue }} day{{ "" if invoice.days_overdue == 1 else "s" }} overdue. Despite our earlier reminders, {{ invoice.balance }} remains unpaid.

        Invoice: {{ invoice.number }}
        Amount due: {{ invoice.balance }} (of {{ invoice.total }})
        Due date: {{ invoice.due_date }}
        {% if client.payment_terms %}Payment terms: {{ client.payment_terms }}
        {% endif %}
        Unless the open balance is paid within 7 days of this notice, or we agree a payment plan with you in that time, we will hand the matter over for collection, which may add collection costs and statutory interest.

        We would much rather resolve this with you directly. If there is a difficulty, whether a dispute over the invoice or a question of timing, please call me or reply to this email now and we will do our best to find a way forward.

        {{ links.invoice }}
        """,
        sign_off="Yours sincerely,",
    ),
    t(
        "payment-received-thank-you",
        "Payment received: thank you",
        "Confirms a payment on an invoice, with the balance still open and where the receipt is.",
        "Thank you: payment received for invoice {{ invoice.number }}",
        """
        Dear {{ contact.first_name }},

        Thank you: we have received your payment on invoice {{ invoice.number }}. The balance still open on the invoice is {{ invoice.balance }}.

        Your receipt, and your statement of account, are in the portal whenever you need them:

        {{ links.invoice }}

        Thank you for looking after this.
        """,
    ),
    t(
        "invoice-query-acknowledged",
        "Invoice query acknowledged",
        "After an invoice is marked as disputed: acknowledges the query, promises an answer"
        " within 2 working days and says reminders are paused.",
        "Your query on invoice {{ invoice.number }}",
        """
        Dear {{ contact.first_name }},

        Thank you for raising your query on invoice {{ invoice.number }} ({{ invoice.total }}, due on {{ invoice.due_date }}). We are looking into it, and I will come back to you with an answer within 2 working days.

        While we do, our payment reminders for this invoice are paused. If the query concerns only part of the invoice, we would be grateful if the undisputed amount could be paid by the due date as usual.

        If any documents would help us, such as a purchase order, a timesheet or an email confirming the agreed fee, please reply with them attached.
        """,
    ),
]
