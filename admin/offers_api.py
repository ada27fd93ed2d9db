"""Offers to candidates in the REST API: list, read (the current terms, the job order's
budget, whether the offer is over it and needs approval), make one for an application,
counter-offer (``PATCH /<id>``: a new negotiation round), read the negotiation in order, and
the workflow as explicit endpoints: approve, extend, accept, decline, withdraw. Never a free
status edit: every step is a model verb (extending goes through
``jobs.contract_documents.extend_offer``), a refusal is JSON (409 when the offer's status
forbids it, 422 naming the field otherwise), and each committed change re-renders the offer
letter."""

from __future__ import annotations

from flask import Response
from flask_appbuilder.api import expose, protect, safe
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import permission_name
from marshmallow import Schema, fields
from sqlalchemy.orm import selectinload

from extensions import db
from jobs.contract_documents import extend_offer
from models import Application, NotFoundError, Offer
from models.offers import OFFER_STATUSES, PROPOSERS, TERM_LABELS, OfferRound

from .base import READ_WRITE
from .rendered_api import COMMENT, REASON, Comment, Reason, RenderedApi
from .roles import RESOURCE_PERMISSIONS
from .shaped_api import Choice, Id, Money, Person, Text, db_id, error_paths, one_of
from .visibility import acting_user, client_is_visible

# ---------------------------------------------------------------- the shape


class Terms(Schema):
    """An offer's terms, as each negotiation round holds them in full."""

    base_salary = Money(data_key="baseSalary", allow_none=False)
    bonus = Money()
    equity = Text(191)
    currency = fields.String(allow_none=False)
    benefits = Text(5000)
    start_date = fields.Date(data_key="startDate", allow_none=True)  # null: to be agreed
    terms = Text(5000)


class RoundShape(Terms):
    """One negotiation round: the full terms, who proposed them, who recorded them, when."""

    number = fields.Integer()
    proposed_by = fields.String(data_key="proposedBy")
    note = fields.String()
    at = fields.DateTime()
    recorded_by = fields.Nested(Person, data_key="recordedBy", allow_none=True)
    total_cash = Money(data_key="totalCash")


class NewOffer(Terms):
    """The body of ``POST /``: the application and the first round's terms (the currency is
    the job order's unless given)."""

    application_id = Id(data_key="applicationId", required=True)
    base_salary = Money(data_key="baseSalary", required=True)
    note = Text(1000)


class CounterOffer(Terms):
    """The body of ``PATCH /<id>``: who proposes, and the terms that change (the others are
    the latest round's)."""

    proposed_by = Choice(PROPOSERS, data_key="proposedBy", required=True)
    note = Text(1000)


class Extension(Schema):
    """The body of ``POST /<id>/extend``: until when the candidate may accept (by default
    ``OFFER_VALID_DAYS`` from today)."""

    expires_on = fields.Date(data_key="expiresOn", allow_none=False)


class OfferAcceptance(Schema):
    """The body of ``POST /<id>/accept``: an optional note."""

    note = Text(1000)


def _job_order(offer: Offer) -> dict:
    job = offer.job_order
    return {"id": job.id, "reference": job.reference, "title": job.title}


class OfferShape(Schema):
    """An offer: whom to, for which job order, its current round and where it stands."""

    id = fields.Integer(dump_only=True)
    number = fields.String(dump_only=True)
    status = fields.String(dump_only=True)
    status_label = fields.String(data_key="statusLabel", dump_only=True)
    expired = fields.Function(lambda o: o.is_expired, dump_only=True)
    application_id = Id(data_key="applicationId", required=True)
    client_id = fields.Integer(data_key="clientId", dump_only=True)
    job_order = fields.Function(_job_order, data_key="jobOrder", dump_only=True)
    candidate = fields.Function(
        lambda o: {"id": o.candidate.id, "name": o.candidate.full_name}, dump_only=True
    )
    current = fields.Nested(RoundShape, dump_only=True)
    round_count = fields.Function(lambda o: len(o.rounds), data_key="rounds", dump_only=True)
    budget = Money(dump_only=True)
    budget_currency = fields.Function(
        lambda o: o.job_order.currency, data_key="budgetCurrency", dump_only=True
    )
    over_budget = fields.Boolean(data_key="overBudget", dump_only=True)
    needs_approval = fields.Boolean(data_key="needsApproval", dump_only=True)
    approved_round = fields.Integer(data_key="approvedRound", dump_only=True)
    approved_by = fields.Nested(Person, data_key="approvedBy", dump_only=True, allow_none=True)
    approved_at = fields.DateTime(data_key="approvedAt", dump_only=True)
    expires_on = fields.Date(data_key="expiresOn", dump_only=True)
    extended_at = fields.DateTime(data_key="extendedAt", dump_only=True)
    decided_at = fields.DateTime(data_key="decidedAt", dump_only=True)
    decision_note = fields.String(data_key="decisionNote", dump_only=True)
    created_by = fields.Nested(Person, data_key="createdBy", dump_only=True, allow_none=True)
    created_at = fields.DateTime(data_key="createdAt", dump_only=True)
    updated_at = fields.DateTime(data_key="updatedAt", dump_only=True)


ROUND = RoundShape()
COUNTER, EXTENSION, ACCEPTANCE = CounterOffer(), Extension(), OfferAcceptance()
TERM_BY_LABEL = {label: term for term, label in TERM_LABELS.items()}


def history_json(offer: Offer) -> list[dict]:
    """The rounds in order, each with what changed from the round before (the terms named
    and shown as in the round itself: amounts as decimal strings, dates as YYYY-MM-DD)."""
    history, previous, shown_before = [], None, None
    for round_ in offer.rounds:
        shown = ROUND.dump(round_)
        changes = []
        for label, _, _ in round_.changes_from(previous):
            key = ROUND.fields[TERM_BY_LABEL[label]].data_key or TERM_BY_LABEL[label]
            changes.append(
                {"term": key, "label": label, "before": shown_before[key], "after": shown[key]}
            )
        history.append({**shown, "changes": changes})
        previous, shown_before = round_, shown
    return history


def _round_of(offer: Offer, data: dict) -> OfferRound:
    proposed_by, note = data.pop("proposed_by"), data.pop("note", None)
    return offer.action_propose(proposed_by, acting_user(), note, **data)


# ---------------------------------------------------------------- the API

# The endpoints besides FAB's, and the Offer permission each needs.
ENDPOINTS = {
    "patch": "write",
    "negotiation_history": "read",
    "approve": "approve",
    "extend": "write",
    "accept": "write",
    "decline": "write",
    "withdraw": "write",
}


class OfferApi(RenderedApi):
    """Offers: list, read, make, counter-offer, the negotiation's history; the workflow
    through ``POST /<id>/approve``, ``/extend``, ``/accept``, ``/decline``, ``/withdraw``."""

    resource_name = "offer"
    class_permission_name = "Offer"
    base_permissions = RESOURCE_PERMISSIONS["Offer"]
    method_permission_name = {**READ_WRITE, **ENDPOINTS}
    include_route_methods = {"get", "get_list", "post", *ENDPOINTS}
    document_kind = "offer"
    datamodel = SQLAInterface(Offer)
    schema = OfferShape
    list_load_options = (
        selectinload(Offer.rounds),
        selectinload(Offer.approved_by),
        selectinload(Offer.created_by),
    )
    more_error_paths = {
        **error_paths(NewOffer),
        **error_paths(CounterOffer),
        "application": "applicationId",
        "expires_on": "expiresOn",
        "reason": "reason",
    }
    openapi_spec_component_schemas = (
        CounterOffer,
        Extension,
        OfferAcceptance,
        Reason,
        Comment,
    )
    search_columns = ["client", "job_order", "status", "number"]
    order_columns = ["id", "number", "status", "expires_on", "extended_at"]
    base_order = ("id", "desc")
    query_filters = {
        "client_id": (db_id, lambda value: Offer.client_id == value),
        "job_order_id": (db_id, lambda value: Offer.job_order_id == value),
        "candidate_id": (db_id, lambda value: Offer.candidate_id == value),
        "application_id": (db_id, lambda value: Offer.application_id == value),
        "status": (one_of(OFFER_STATUSES), lambda value: Offer.status == value),
    }

    def _init_model_schemas(self) -> None:
        super()._init_model_schemas()
        self.add_model_schema = NewOffer()  # the first round's terms, flat

    def create(self, data: dict) -> Offer:
        """A draft offer with its first round.  :raise NotFoundError: for an application of
        a client the user may not see."""
        application = db.session.get(Application, data.pop("application_id"))
        if application is None or not client_is_visible(application.client_id):
            raise NotFoundError("No such application.", "application")
        note = data.pop("note", None)
        return Offer.action_create(application, acting_user(), note=note, **data)

    @expose("/<int:pk>", methods=["PATCH"])
    @protect()
    @safe
    @permission_name("patch")
    def patch(self, pk: int) -> Response:
        """A counter-offer: a new negotiation round with the changed terms, who proposed them
        (agency, client or candidate) and a note. An extended offer goes back to
        negotiating until the agency extends the new terms.
        ---
        patch:
          parameters:
          - {in: path, schema: {type: integer}, name: pk}
          requestBody:
            required: true
            content:
              application/json:
                schema: {$ref: '#/components/schemas/CounterOffer'}
          responses:
            200: {description: The offer at its new round}
            400: {$ref: '#/components/responses/400'}
            404: {$ref: '#/components/responses/404'}
            409: {description: Accepted, declined, withdrawn or expired}
            422: {$ref: '#/components/responses/422'}
        """
        return self.run_on(pk, _round_of, COUNTER)

    @expose("/<int:pk>/negotiation-history", methods=["GET"])
    @protect()
    @safe
    @permission_name("negotiation_history")
    def negotiation_history(self, pk: int) -> Response:
        """The negotiation in order: each round's full terms, who proposed them and when,
        and what changed from the round before.
        ---
        get:
          parameters:
          - {in: path, schema: {type: integer}, name: pk}
          responses:
            200: {description: The rounds, first to latest}
            404: {$ref: '#/components/responses/404'}
        """
        offer = self.visible(pk)
        if offer is None:
            return self.response_404()
        history = history_json(offer)
        return self.response(200, id=pk, count=len(history), result=history)

    @expose("/<int:pk>/approve", methods=["POST"])
    @protect()
    @safe
    @permission_name("approve")
    def approve(self, pk: int) -> Response:
        """Approve the latest round above the job order's budget (an Account Manager or an
        Admin), so that it may be extended.
        ---
        post:
          parameters:
          - {in: path, schema: {type: integer}, name: pk}
          requestBody:
            content:
              application/json:
                schema: {$ref: '#/components/schemas/Comment'}
          responses:
            200: {description: Approved}
            403: {$ref: '#/components/responses/403'}
            404: {$ref: '#/components/responses/404'}
            409: {description: No approval needed}
        """
        return self.run_on(
            pk,
            lambda offer, data: offer.action_approve(acting_user(), data.get("comment")),
            COMMENT,
        )

    @expose("/<int:pk>/extend", methods=["POST"])
    @protect()
    @safe
    @permission_name("extend")
    def extend(self, pk: int) -> Response:
        """Put the latest round to the candidate until ``expiresOn``; the application moves
        to the Offer stage and the offer letter is rendered.
        ---
        post:
          parameters:
          - {in: path, schema: {type: integer}, name: pk}
          requestBody:
            content:
              application/json:
                schema: {$ref: '#/components/schemas/Extension'}
          responses:
            200: {description: Extended}
            404: {$ref: '#/components/responses/404'}
            409: {description: Not a draft or in negotiation, or over budget unapproved}
            422: {$ref: '#/components/responses/422'}
        """
        return self.run_on(
            pk,
            lambda offer, data: extend_offer(offer, acting_user(), data.get("expires_on")),
            EXTENSION,
            render=False,  # extend_offer queued the letter
        )

    @expose("/<int:pk>/accept", methods=["POST"])
    @protect()
    @safe
    @permission_name("accept")
    def accept(self, pk: int) -> Response:
        """Record that the candidate accepted the extended terms.
        ---
        post:
          parameters:
          - {in: path, schema: {type: integer}, name: pk}
          requestBody:
            content:
              application/json:
                schema: {$ref: '#/components/schemas/OfferAcceptance'}
          responses:
            200: {description: Accepted}
            404: {$ref: '#/components/responses/404'}
            409: {description: Not extended, or expired}
        """
        return self.run_on(
            pk,
            lambda offer, data: offer.action_accept(acting_user(), data.get("note")),
            ACCEPTANCE,
        )

    @expose("/<int:pk>/decline", methods=["POST"])
    @protect()
    @safe
    @permission_name("decline")
    def decline(self, pk: int) -> Response:
        """Record that the candidate declined, with their reason.
        ---
        post:
          parameters:
          - {in: path, schema: {type: integer}, name: pk}
          requestBody:
            required: true
            content:
              application/json:
                schema: {$ref: '#/components/schemas/Reason'}
          responses:
            200: {description: Declined}
            404: {$ref: '#/components/responses/404'}
            409: {description: Not extended or in negotiation, or expired}
            422: {$ref: '#/components/responses/422'}
        """
        return self.run_on(
            pk,
            lambda offer, data: offer.action_decline(acting_user(), data["reason"]),
            REASON,
        )

    @expose("/<int:pk>/withdraw", methods=["POST"])
    @protect()
    @safe
    @permission_name("withdraw")
    def withdraw(self, pk: int) -> Response:
        """Take the offer back (the agency's or the client's decision), with the reason.
        ---
        post:
          parameters:
          - {in: path, schema: {type: integer}, name: pk}
          requestBody:
            required: true
            content:
              application/json:
                schema: {$ref: '#/components/schemas/Reason'}
          responses:
            200: {description: Withdrawn}
            404: {$ref: '#/components/responses/404'}
            409: {description: Decided already}
            422: {$ref: '#/components/responses/422'}
        """
        return self.run_on(
            pk,
            lambda offer, data: offer.action_withdraw(acting_user(), data["reason"]),
            REASON,
        )
