"""Offers to candidates on the staff side: the list, a new offer for an application, and the
offer page with its budget, current terms, the whole negotiation in order, its offer letters,
and a form per action its status allows (counter-offer, approve, extend, accept, decline,
withdraw).

The rules are ``models.offers``'s: these routes parse, call a verb, commit (extending goes
through ``jobs.contract_documents.extend_offer``, which commits and renders the letter), and
show a refusal beside its field with the user's values kept.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import expose
from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.security.decorators import has_access, permission_name
from sqlalchemy import exists, select
from sqlalchemy.orm import joinedload, selectinload

from extensions import db
from jobs.contract_documents import extend_offer
from jobs.documents import enqueue_document, source_of
from models import (
    Application,
    ClientDocument,
    DomainError,
    JobOrder,
    Offer,
    OfferError,
    visible_client_ids,
)
from models.candidates import STAGE_LABELS, Candidate
from models.offers import OFFER_STATUSES, OPEN_STATUSES, STATUS_LABELS
from models.recruiting import LIVE_STATUSES

from .base import READ_WRITE, RulesModelView, field_error, id_fits
from .documents import attachment
from .fields import choice
from .formats import day, when
from .job_order_fields import person
from .offer_forms import (
    ACTION_FORMS,
    PROPOSER_LABELS,
    NewOfferForm,
    action_forms,
    optional_date,
)
from .pipeline import OFFER_STAGES
from .projects import EagerInterface
from .roles import RESOURCE_PERMISSIONS
from .visibility import acting_user, visible_to_user


def money(amount: Decimal | None, currency: str = "") -> str:
    if amount is None:
        return "—"
    return f"{currency} {amount:,.2f}".strip()


def term_text(value) -> str:
    """A term as the negotiation history shows it (amounts with separators, dates as days)."""
    if value is None:
        return "—"
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    if isinstance(value, date):
        return day(value)
    return str(value)


def _current_base(current) -> str:
    return "—" if current is None else money(current.base_salary, current.currency)


class FilterCandidateWithOffer(BaseFilter):
    """Candidates with an offer on a client the user may see (the list's candidate filter)."""

    name = "With an offer you may see"
    arg_name = "withoffer"

    def apply(self, query, value):
        offered = select(Offer.candidate_id).where(
            Offer.client_id.in_(visible_client_ids(acting_user()))
        )
        return query.filter(Candidate.id.in_(offered))


def offer_applications(include: int | None = None) -> list[Application]:
    """Applications a new offer may be made for: at submitted, client interview or offer on a
    live job order of a visible client, with no open offer (plus ``include``, if visible)."""
    open_offer = exists().where(
        Offer.application_id == Application.id, Offer.status.in_(OPEN_STATUSES)
    )
    eligible = Application.stage.in_(OFFER_STAGES) & JobOrder.status.in_(LIVE_STATUSES)
    eligible = eligible & ~open_offer
    if include is not None:
        eligible = eligible | (Application.id == include)
    return list(
        db.session.scalars(
            select(Application)
            .join(Application.job_order)
            .where(JobOrder.client_id.in_(visible_client_ids(acting_user())), eligible)
            .order_by(JobOrder.id.desc(), Application.id)
        ).unique()
    )


def application_label(application: Application) -> str:
    job = application.job_order
    return f"{application.candidate} · {job.reference} {job.title} ({application.stage_label})"


class OfferView(RulesModelView):
    """Offers to candidates on the job orders of the clients the user works on."""

    datamodel = EagerInterface(Offer, (selectinload(Offer.rounds), joinedload(Offer.client)))
    class_permission_name = "Offer"
    base_permissions = RESOURCE_PERMISSIONS["Offer"]
    method_permission_name = {
        **READ_WRITE,
        "propose": "write",
        "approve": "approve",
        "extend": "write",
        "accept": "write",
        "decline": "write",
        "withdraw": "write",
        "letter": "read",
    }
    base_filters = [visible_to_user()]
    # An offer changes through its rounds and verbs, and is kept whatever its outcome.
    exclude_route_methods = {"edit", "delete"}
    search_form_query_rel_fields = {
        "client": [visible_to_user("id")],
        "job_order": [visible_to_user()],
        "candidate": [["id", FilterCandidateWithOffer, None]],
    }
    search_form_extra_fields = {
        "status": choice("Status", OFFER_STATUSES, labels=STATUS_LABELS),
    }
    show_template = "admin/offer_show.html"
    add_template = "admin/offer_add.html"

    list_title = "Offers"
    show_title = "Offer"
    add_title = "New offer"
    list_columns = ["number", "candidate", "job_order", "client", "status", "current", "expires_on"]
    search_columns = ["client", "job_order", "status", "candidate", "number", "expires_on"]
    order_columns = ["number", "status", "expires_on"]
    base_order = ("id", "desc")
    label_columns = {
        "number": "Number",
        "job_order": "Job order",
        "current": "Current base",
        "expires_on": "Expires on",
    }
    formatters_columns = {
        "status": lambda status: STATUS_LABELS.get(status, status),
        "current": _current_base,
        "expires_on": day,
    }

    # ------------------------------------------------------------ access

    def _offer_or_404(self, pk) -> Offer:
        """:raise 404: for an offer that does not exist or whose client is not yours."""
        offer = self.datamodel.get(pk, self._base_filters) if id_fits(pk) else None
        if offer is None:
            abort(404)
        return offer

    # ------------------------------------------------------------ a new offer

    @expose("/add", methods=["GET", "POST"])
    @has_access
    def add(self):
        """A new draft offer for an application, through ``Offer.action_create``; a refusal
        re-renders the form with the user's values and the message on its field."""
        form = NewOfferForm(blank_currency="The job order's")
        # The application posted, or the one the link names (the board's "Make offer").
        picked = (
            form.application.data if request.method == "POST" else request.args.get("application")
        )
        picked = int(picked) if picked and picked.isdecimal() and id_fits(picked) else None
        choices = offer_applications(picked)
        form.application.choices = [("", "—")] + [
            (str(application.id), application_label(application)) for application in choices
        ]
        selected = next((a for a in choices if a.id == picked), None)
        if request.method == "GET" and selected is not None:
            form.application.data = str(selected.id)
            form.currency.data = selected.job_order.currency
        if request.method == "POST" and form.validate():
            try:
                if selected is None:  # none posted, or not one of the user's clients'
                    raise OfferError(
                        "Candidate and job order: choose one of the applications listed.",
                        "application",
                    )
                offer = Offer.action_create(
                    selected, acting_user(), form.note.data, **form.terms_data()
                )
                db.session.commit()
            except DomainError as error:
                db.session.rollback()
                field_error(form, error)
            else:
                enqueue_document("offer", offer.id)
                flash(f"Offer {offer.number} drafted for {offer.candidate}.", "success")
                return redirect(url_for(".show", pk=offer.id))
        page = self.render_template(
            self.add_template, title=self.add_title, form=form, selected=selected, money=money
        )
        return page, 422 if any(field.errors for field in form) else 200

    # ------------------------------------------------------------ the offer page

    @expose("/show/<pk>", methods=["GET"])
    @has_access
    def show(self, pk):
        """The offer: budget and approval, current terms, the rounds in order, letters, and
        the forms of the actions its status allows."""
        return self._page(self._offer_or_404(pk))

    def _page(self, offer: Offer, posted: str | None = None, form=None, status: int = 200):
        sm = self.appbuilder.sm
        may = {
            "write": sm.has_access("can_write", self.class_permission_name),
            "approve": sm.has_access("can_approve", self.class_permission_name),
        }
        actions = [
            action for action in offer.available_actions if may[self.method_permission_name[action]]
        ]
        current = offer.current
        letters = db.session.scalars(
            select(ClientDocument)
            .where(ClientDocument.source == source_of("offer", offer.id))
            .order_by(ClientDocument.id.desc())
        ).all()
        page = self.render_template(
            self.show_template,
            title=f"Offer {offer.number}",
            offer=offer,
            current=current,
            rounds=[
                (round_, round_.changes_from(offer.rounds[index - 1]) if index else [])
                for index, round_ in enumerate(offer.rounds)
            ],
            actions=actions,
            forms=action_forms(
                posted, form, propose={**current.package(), "proposed_by": "candidate"}
            ),
            letters=letters,
            proposers=PROPOSER_LABELS,
            stage_label=STAGE_LABELS.get(offer.application.stage, offer.application.stage),
            money=money,
            term=term_text,
            person=person,
            when=when,
            day=day,
        )
        return page, status

    def _act(self, pk, action: str, verb, done: str, renders: bool = False):
        """Run ``verb(offer, form)`` with the posted form of ``action``; commit (unless the
        verb is a helper that ``renders``, which commits itself), re-render the letter, and
        go back to the page. A refusal re-renders the page with the form as posted (422)."""
        offer = self._offer_or_404(pk)
        form = ACTION_FORMS[action](prefix=action)
        try:
            verb(offer, form)
            if not renders:
                db.session.commit()
        except DomainError as error:
            db.session.rollback()
            field_error(form, error)
            return self._page(self._offer_or_404(pk), action, form, 422)
        if not renders:
            enqueue_document("offer", offer.id)
        flash(done.format(offer=offer), "success")
        return redirect(url_for(".show", pk=offer.id))

    @expose("/propose/<int:pk>", methods=["POST"])
    @has_access
    @permission_name("write")
    def propose(self, pk):
        """A counter-offer: a new round with who proposed it and its terms."""

        def verb(offer, form):
            offer.action_propose(
                form.proposed_by.data, acting_user(), form.note.data, **form.terms_data()
            )

        return self._act(pk, "propose", verb, "Round {offer.current.number} recorded.")

    @expose("/approve/<int:pk>", methods=["POST"])
    @has_access
    @permission_name("approve")
    def approve(self, pk):
        """Approve the latest round above the job order's budget."""

        def verb(offer, form):
            offer.action_approve(acting_user(), form.comment.data)

        return self._act(
            pk, "approve", verb, "Round {offer.current.number} approved above the budget."
        )

    @expose("/extend/<int:pk>", methods=["POST"])
    @has_access
    @permission_name("write")
    def extend(self, pk):
        """Put the latest round to the candidate (their application moves to Offer)."""

        def verb(offer, form):
            expires_on = optional_date(form.expires_on.data, "expires_on", "Expires on")
            extend_offer(offer, acting_user(), expires_on)

        done = "Offer {offer.number} extended until {offer.expires_on:%d %b %Y}."
        return self._act(pk, "extend", verb, done, renders=True)

    @expose("/accept/<int:pk>", methods=["POST"])
    @has_access
    @permission_name("write")
    def accept(self, pk):
        """Record that the candidate accepted the extended terms."""

        def verb(offer, form):
            offer.action_accept(acting_user(), form.note.data)

        return self._act(pk, "accept", verb, "Offer {offer.number} accepted.")

    @expose("/decline/<int:pk>", methods=["POST"])
    @has_access
    @permission_name("write")
    def decline(self, pk):
        """Record that the candidate declined, with their reason."""

        def verb(offer, form):
            offer.action_decline(acting_user(), form.reason.data)

        return self._act(pk, "decline", verb, "Offer {offer.number} declined.")

    @expose("/withdraw/<int:pk>", methods=["POST"])
    @has_access
    @permission_name("write")
    def withdraw(self, pk):
        """Take the offer back, with the reason."""

        def verb(offer, form):
            offer.action_withdraw(acting_user(), form.reason.data)

        return self._act(pk, "withdraw", verb, "Offer {offer.number} withdrawn.")

    @expose("/letter/<int:pk>/<int:document_id>", methods=["GET"])
    @has_access
    @permission_name("read")
    def letter(self, pk, document_id):
        """An offer letter rendered for this offer, as an attachment.

        :raise 404: for another offer's document, or a file that is not there.
        """
        offer = self._offer_or_404(pk)
        document = db.session.get(ClientDocument, document_id) if id_fits(document_id) else None
        if document is None or document.source != source_of("offer", offer.id):
            abort(404)
        if not document.path.is_file():
            abort(404)
        return attachment(document)
