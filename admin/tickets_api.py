"""Tickets in the REST API (``/api/v1/tickets/``), staff side, JWT only.

- ``GET /``: the tickets of the clients the user may see; filters ``status``, ``priority``,
  ``client_id``, ``assignee_id`` and ``breached`` (``true``: response or resolution target
  missed, now), paged and ordered with FAB's ``q`` (``(page:0,page_size:25)``) like the others.
- ``GET /<id>``: one ticket with its deadlines, breach flags, comments (public and internal:
  ``internal`` says which) and events.
- ``POST /``: staff log a ticket (a call, a WhatsApp message): ``clientId``, ``contactId``,
  ``channel``, ``category``, ``priority``, ``subject``, ``description``, ``crisis`` (flagged
  through ``flag_crisis``, which escalates it as the escalation rules say).
- ``PATCH /<id>``: ``priority``, ``assigneeId`` (null: unassigned), ``status`` (acknowledged,
  in progress, waiting on client), ``crisis`` (true only).
- Actions, ``POST /<id>/...``: ``comment`` (``body``, ``internal``), ``acknowledge``,
  ``resolve`` (``note``), ``close``; and on the client's behalf (staff recording the client's
  answer by phone: ``contactId`` names who gave it) ``approve``, ``reopen`` (``comment``: what
  is still wrong) and ``rate`` (``rating`` 1–5, ``remark``).

Every change goes through ``jobs/tickets.py`` (the tickets' commit point, which mails the other
side). A ticket that does not exist or whose client the user may not see is a 404; a body that
is not JSON, a field of the wrong type or an unknown field is a 400 naming it; a value the
field cannot take (an unknown status) a 422; a model rule its own code (409 for a step the
ticket's status does not allow, 422 otherwise), always naming the field.
"""

from __future__ import annotations

from datetime import datetime

import yaml
from flask import Response
from flask_appbuilder.api import expose, protect, safe
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import permission_name
from marshmallow import Schema, ValidationError
from sqlalchemy import or_

from extensions import db
from jobs import tickets as desk
from models import Client, Contact, DomainError, NotFoundError, Ticket, TicketError
from models.base import utcnow
from models.service_reports import missed, response_missed
from models.sla import PRIORITIES
from models.tickets import STATUSES

from .base import READ_WRITE
from .roles import RESOURCE_PERMISSIONS
from .shaped_api import ShapedApi, db_id, flatten, one_of, staff_by_ids
from .ticket_shapes import (
    ClientAnswer,
    CommentBody,
    CommentShape,
    NoBody,
    RateBody,
    ReopenBody,
    ResolveBody,
    TicketChange,
    TicketShape,
)
from .visibility import acting_user, client_is_visible

ACTIONS = ("patch", "comment", "acknowledge", "resolve", "approve", "reopen", "rate", "close")
BOOLEANS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}
TYPE_ERRORS = ("invalid", "null", "type")


def breached(now: datetime | None = None):
    """SQL: the ticket missed its response or its resolution target (as of ``now``)."""
    now = now or utcnow()
    return or_(
        response_missed(now),
        missed(Ticket.resolved_at, Ticket.resolution_due_at, now, Ticket.paused_at),
    )


def _breached_condition(value: bool):
    return breached() if value else ~breached()


def _parse_flag(raw: str) -> bool:
    """A query-string parser for true/false.  :raise ValueError: for anything else."""
    try:
        return BOOLEANS[raw.strip().lower()]
    except KeyError:
        raise ValueError(raw) from None


def _bad_types(schema: Schema) -> set[str]:
    """The messages ``schema`` gives for a value of the wrong JSON type, or an unknown field."""
    messages = {schema.error_messages.get("unknown", "Unknown field.")}
    for field in schema.fields.values():
        messages |= {
            field.error_messages[key] for key in TYPE_ERRORS if key in field.error_messages
        }
    return {message for message in messages if isinstance(message, str) and "{" not in message}


def _contact(contact_id: int | None) -> Contact | None:
    """:raise TicketError: naming ``contactId`` for a contact that does not exist (the model
    refuses one of another client)."""
    if contact_id is None:
        return None
    contact = db.session.get(Contact, contact_id)
    if contact is None:
        raise TicketError(f"No contact with id {contact_id}.", "contact")
    return contact


def _ref(kind: str, name: str) -> dict:
    return {"$ref": f"#/components/{kind}/{name}"}


def _spec(summary: str, method: str, body: str | None, refused: str, answer: str) -> str:
    """The docstring FAB reads the route's OpenAPI description from (YAML after ``---``)."""
    responses = {
        404: _ref("responses", "404"),
        409: {"description": refused},
    }
    if answer:
        result = {"id": {"type": "integer"}, "result": _ref("schemas", answer)}
        responses[201] = {
            "description": "Created",
            "content": {"application/json": {"schema": {"type": "object", "properties": result}}},
        }
    else:
        responses[200] = {"description": "The ticket"}
    operation = {
        "parameters": [{"in": "path", "schema": {"type": "integer"}, "name": "pk"}],
        "responses": responses,
    }
    if body:
        responses.update({400: _ref("responses", "400"), 422: _ref("responses", "422")})
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": _ref("schemas", body)}},
        }
    return f"{summary}\n---\n{yaml.safe_dump({method.lower(): operation}, sort_keys=False)}"


def ticket_route(name: str, summary: str, body: str | None, refused: str, *, url: str = "",
                 method: str = "POST", answer: str = ""):  # fmt: skip
    """``@expose @protect() @safe @permission_name(name)`` with the route's OpenAPI text."""

    def decorate(func):
        func.__doc__ = _spec(summary, method, body, refused, answer)
        routed = safe(permission_name(name)(func))
        return expose(url or f"/<int:pk>/{name}", methods=[method])(protect()(routed))

    return decorate


class TicketApi(ShapedApi):
    """Tickets: list, read, log, change, and the steps of their life."""

    resource_name = "tickets"
    allow_browser_login = False  # JWT only: FAB's REST APIs are exempt from CSRF
    class_permission_name = "Ticket"
    base_permissions = RESOURCE_PERMISSIONS["Ticket"]
    method_permission_name = {**READ_WRITE, **{action: "write" for action in ACTIONS}}
    include_route_methods = {"get", "get_list", "post", *ACTIONS}
    datamodel = SQLAInterface(Ticket)
    schema = TicketShape
    list_exclude = ("comments", "events")
    more_error_paths = {
        "contact": "contactId",
        "assignee": "assigneeId",
        "resolution_note": "note",
        "author": "_schema",
    }
    openapi_spec_component_schemas = (
        TicketChange, CommentBody, CommentShape, ResolveBody, ClientAnswer, ReopenBody, RateBody
    )  # fmt: skip
    search_columns = ["client", "status", "priority", "category", "channel", "created_at"]
    order_columns = ["id", "created_at", "priority", "status", "response_due_at"]
    base_order = ("id", "desc")
    query_filters = {
        "status": (one_of(STATUSES), lambda value: Ticket.status == value),
        "priority": (one_of(PRIORITIES), lambda value: Ticket.priority == value),
        "client_id": (db_id, lambda value: Ticket.client_id == value),
        "assignee_id": (db_id, lambda value: Ticket.assignee_id == value),
        "breached": (_parse_flag, _breached_condition),
    }

    # ------------------------------------------------------------ reading the body

    def _load(self, schema: Schema, required: bool = True) -> dict | Response:
        """The body read by ``schema``: 400 for a body that is no JSON object or a field of
        the wrong type (or unknown), 422 for a value the field cannot take."""
        body = self.body(required=required)
        if isinstance(body, Response):
            return body
        try:
            return schema.load(body)
        except ValidationError as error:
            messages = flatten(error.messages)
            bad_types = _bad_types(schema)
            wrong_type = any(
                message in bad_types
                for found in messages.values()
                for message in (found if isinstance(found, list) else [found])
            )
            return self.response(400 if wrong_type else 422, message=messages)

    def _act(self, pk, schema: Schema, step, status: int = 200, answer=None) -> Response:
        """Run ``step(ticket, data)`` (a ``jobs.tickets`` function) on a visible ticket and
        answer it (or ``answer(result)``: ``(id, json)``)."""
        ticket = self.visible(pk)
        if ticket is None:
            return self.response_404()
        data = self._load(schema, required=not isinstance(schema, NoBody))
        if isinstance(data, Response):
            return data
        try:
            result = step(ticket, data)
        except DomainError as error:
            db.session.rollback()
            return self.domain_error(error)
        if answer is not None:
            pk, json = answer(result)
            return self.response(status, id=pk, result=json)
        return self.response(status, id=ticket.id, result=self.show_model_schema.dump(ticket))

    # ------------------------------------------------------------ create and change

    def post_headless(self) -> Response:
        """Log a ticket as the signed-in staff user (201 with the ticket)."""
        data = self._load(self.add_model_schema)
        if isinstance(data, Response):
            return data
        by = acting_user()
        try:
            if not client_is_visible(data["client_id"]):
                raise NotFoundError("No such client.", "client")
            ticket = desk.raise_ticket(
                db.session.get(Client, data["client_id"]),
                data["subject"],
                data["description"],
                priority=data["priority"],
                category=data["category"],
                channel=data["channel"],
                contact=_contact(data["contact_id"]),
                by=by,
            )
            if data["crisis"]:
                desk.flag_crisis(ticket, by)
        except DomainError as error:
            db.session.rollback()
            return self.domain_error(error)
        return self.response(201, id=ticket.id, result=self.show_model_schema.dump(ticket))

    @ticket_route("patch", "Change a ticket's priority, assignee, working status, or flag a "
                  "crisis.", "TicketChange", "The ticket's status does not allow it",
                  url="/<int:pk>", method="PATCH")  # fmt: skip
    def patch(self, pk: int) -> Response:
        return self._act(pk, TicketChange(), self._change)

    @staticmethod
    def _change(ticket: Ticket, data: dict) -> None:
        """Priority and status first: both need an open ticket, so a refusal comes before
        anything is saved (each step commits)."""
        by = acting_user()
        if "assignee_id" in data and data["assignee_id"] is not None:
            (assignee,) = staff_by_ids([data["assignee_id"]], "assignee")
        else:
            assignee = None
        if "priority" in data:
            desk.change_priority(ticket, data["priority"], by)
        if "status" in data:
            desk.set_status(ticket, data["status"], by)
        if "assignee_id" in data:
            desk.assign(ticket, assignee, by)
        if data.get("crisis"):
            desk.flag_crisis(ticket, by)

    # ------------------------------------------------------------ the steps

    @ticket_route("comment", "Comment as the signed-in staff user (internal: a note the client "
                  "never sees); 201 with the comment.", "CommentBody", "The ticket is closed",
                  answer="CommentShape")  # fmt: skip
    def comment(self, pk: int) -> Response:
        def step(ticket, data):
            return desk.comment(
                ticket, data["body"], user=acting_user(), internal=data["internal"], channel="api"
            )

        return self._act(pk, CommentBody(), step, 201, lambda c: (c.id, COMMENT.dump(c)))

    @ticket_route("acknowledge", "Acknowledge a new ticket (its first response when none came "
                  "before).", None, "The ticket is not new")  # fmt: skip
    def acknowledge(self, pk: int) -> Response:
        return self._act(pk, NoBody(), lambda ticket, _: desk.acknowledge(ticket, acting_user()))

    @ticket_route("resolve", "Resolve with a note: the client is asked to approve completion.",
                  "ResolveBody", "The ticket is not open")  # fmt: skip
    def resolve(self, pk: int) -> Response:
        return self._act(
            pk,
            ResolveBody(),
            lambda ticket, data: desk.resolve(ticket, data["note"], acting_user()),
        )

    @ticket_route("approve", "Record the client's approval (contactId: who gave it): the "
                  "ticket closes.", "ClientAnswer", "The ticket is not resolved")  # fmt: skip
    def approve(self, pk: int) -> Response:
        return self._act(
            pk,
            ClientAnswer(),
            lambda ticket, data: desk.approve(ticket, _contact(data["contact_id"])),
        )

    @ticket_route("reopen", "Record the client's rejection of the resolution, with their "
                  "comment: reopened.", "ReopenBody", "The ticket is not resolved")  # fmt: skip
    def reopen(self, pk: int) -> Response:
        def step(ticket, data):
            return desk.reject(ticket, _contact(data["contact_id"]), data["comment"])

        return self._act(pk, ReopenBody(), step)

    @ticket_route("rate", "Record the client's rating (1–5) of a closed ticket, once.",
                  "RateBody", "The ticket is not closed, or is rated already")  # fmt: skip
    def rate(self, pk: int) -> Response:
        def step(ticket, data):
            contact = _contact(data["contact_id"])
            return desk.rate(ticket, contact, data["rating"], data["remark"])

        return self._act(pk, RateBody(), step)

    @ticket_route("close", "Close a resolved ticket the client did not answer.", None,
                  "The ticket is not resolved")  # fmt: skip
    def close(self, pk: int) -> Response:
        return self._act(pk, NoBody(), lambda ticket, _: desk.close(ticket, acting_user()))


COMMENT = CommentShape()
