"""Contracts in the REST API: list, read (lines, approvals, current version, the quote it came
from, performance), create (or from a template), change a draft's content (``PATCH /<id>``,
each change a new version) and its lines, read its versions with their differences, and the
workflow as explicit endpoints: submit, approve, reject, send, sign, reopen, renew, terminate,
cancel. Never a free status edit: every step is a model verb, a refusal is JSON (409 when the
contract's status forbids it, 422 naming the field otherwise), and each committed change
re-renders the contract's PDF."""

from __future__ import annotations

from flask import Response
from flask_appbuilder.api import expose, protect, safe
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import permission_name
from sqlalchemy.orm import selectinload

from extensions import db
from models import Client, Contact, Contract, ContractError, ContractTemplate, NotFoundError
from models.contracts import CONTRACT_STATUSES, CONTRACT_TYPES, ContractLine

from .base import READ_WRITE
from .contract_shapes import (
    CHANGE,
    LINE,
    PERFORMANCE,
    ContractShape,
    Signature,
    camel,
    version_json,
)
from .contract_workflow import WORKFLOW, ContractWorkflow
from .rendered_api import Comment, Reason, RenderedApi
from .roles import RESOURCE_PERMISSIONS
from .shaped_api import EMPTY, db_id, one_of
from .visibility import acting_user, client_is_visible

MORE_ENDPOINTS = {
    "patch": "write",
    "add_line": "write",
    "remove_line": "write",
    "versions": "read",
    "version_detail": "read",
    "performance": "read",
}


def _signatory(client_id: int, contact_id: int | None) -> Contact | None:
    """The contact ``contact_id`` of client ``client_id`` (None for None).

    :raise ContractError: for a contact that is not the client's (named like any missing one,
        so another client's contact is not revealed).
    """
    if contact_id is None:
        return None
    contact = db.session.get(Contact, contact_id)
    if contact is None or client_id not in {link.client_id for link in contact.client_links}:
        raise ContractError("No such contact of this client.", "client_signatory")
    return contact


def _content(data: dict, client_id: int) -> dict:
    """The loaded body as ``Contract`` fields: the signatory's id becomes the contact."""
    fields = dict(data)
    if "client_signatory_id" in fields:
        fields["client_signatory"] = _signatory(client_id, fields.pop("client_signatory_id"))
    return fields


def _lines(lines: list[dict]) -> list[ContractLine]:
    """New lines from the body, in order.

    :raise ContractError: naming ``lines.<n>.<field>`` for the first line breaking a rule.
    """
    built = []
    for index, data in enumerate(lines):
        data["description"] = data["description"].strip()
        line = ContractLine(position=index + 1, **data)
        errors = line.violations()
        if errors:
            raise ContractError(errors[0].message, f"lines.{index}.{camel(errors[0].field)}")
        built.append(line)
    return built


class ContractApi(ContractWorkflow, RenderedApi):
    """Contracts: list, read, create, change a draft, its lines and versions; the workflow
    through ``POST /<id>/<step>`` (``ContractWorkflow``)."""

    resource_name = "contract"
    class_permission_name = "Contract"
    base_permissions = RESOURCE_PERMISSIONS["Contract"]
    method_permission_name = {**READ_WRITE, **MORE_ENDPOINTS, **WORKFLOW}
    include_route_methods = {"get", "get_list", "post", *MORE_ENDPOINTS, *WORKFLOW}
    document_kind = "contract"
    datamodel = SQLAInterface(Contract)
    schema = ContractShape
    list_exclude = ("performance",)
    list_load_options = (
        selectinload(Contract.lines),
        selectinload(Contract.approvals),
        selectinload(Contract.owner),
        selectinload(Contract.created_by),
        selectinload(Contract.client_signatory),
    )
    more_error_paths = {
        "client_signatory": "clientSignatoryId",
        "template": "templateId",
        "service_type": "serviceType",
        "name": "name",
        "reason": "reason",
    }
    openapi_spec_component_schemas = (Reason, Comment, Signature, CHANGE)
    search_columns = ["client", "status", "contract_type", "number", "title"]
    order_columns = ["id", "number", "status", "start_date", "end_date", "renewal_date", "value"]
    base_order = ("id", "desc")
    query_filters = {
        "client_id": (db_id, lambda value: Contract.client_id == value),
        "status": (one_of(CONTRACT_STATUSES), lambda value: Contract.status == value),
        "contract_type": (one_of(CONTRACT_TYPES), lambda value: Contract.contract_type == value),
        "quote_id": (db_id, lambda value: Contract.quote_id == value),
    }

    def create(self, data: dict) -> Contract:
        """A draft (its version 1 holding the lines given), from a template when one is named.

        :raise NotFoundError: for a client the user may not see.
        """
        client_id = data.pop("client_id")
        if not client_is_visible(client_id):
            raise NotFoundError("No such client.", "client")
        client = db.session.get(Client, client_id)
        template_id = data.pop("template_id", None)
        lines = _lines(data.pop("lines", None) or [])
        fields = _content(data, client_id)
        if lines:
            fields["lines"] = lines
        if template_id is None:
            return Contract.action_create(client, acting_user(), **fields)
        template = db.session.get(ContractTemplate, template_id)
        if template is None or not template.active:
            raise ContractError("No active contract template with this id.", "template")
        return Contract.action_create_from_template(template, client, acting_user(), **fields)

    # -- a draft's content
    @expose("/<int:pk>", methods=["PATCH"])
    @protect()
    @safe
    @permission_name("patch")
    def patch(self, pk: int) -> Response:
        """Change a draft's content (any field but the client and the lines); a change is
        recorded as a new version, with the body's ``note``.
        ---
        patch:
          parameters:
          - {in: path, schema: {type: integer}, name: pk}
          requestBody:
            required: true
            content:
              application/json:
                schema: {$ref: '#/components/schemas/ContractChange'}
          responses:
            200: {description: Changed (``version`` is the new version's number)}
            400: {$ref: '#/components/responses/400'}
            404: {$ref: '#/components/responses/404'}
            409: {description: Not a draft (reopen it first)}
            422: {$ref: '#/components/responses/422'}
        """

        def change(contract: Contract, data: dict) -> None:
            note = data.pop("note", None)
            contract.action_update(acting_user(), note, **_content(data, contract.client_id))

        return self.run_on(pk, change, CHANGE)

    @expose("/<int:pk>/lines", methods=["POST"])
    @protect()
    @safe
    @permission_name("add_line")
    def add_line(self, pk: int) -> Response:
        """Add a priced line to a draft (a new version).
        ---
        post:
          parameters:
          - {in: path, schema: {type: integer}, name: pk}
          responses:
            201: {description: The contract with its new line}
            404: {$ref: '#/components/responses/404'}
            409: {description: Not a draft}
            422: {$ref: '#/components/responses/422'}
        """
        contract = self.visible(pk)
        if contract is None:
            return self.response_404()

        def add(data: dict) -> Contract:
            line = contract.add_line(
                data["service_type"], data["description"], data["quantity"], data["rate"]
            )
            contract.action_record_version(acting_user(), f"Line {line.position} added")
            return contract

        return self.write(LINE, add, 201)

    @expose("/<int:pk>/lines/<int:line_id>", methods=["DELETE"])
    @protect()
    @safe
    @permission_name("remove_line")
    def remove_line(self, pk: int, line_id: int) -> Response:
        """Remove a line from a draft (a new version).
        ---
        delete:
          parameters:
          - {in: path, schema: {type: integer}, name: pk}
          - {in: path, schema: {type: integer}, name: line_id}
          responses:
            200: {description: The contract without the line}
            404: {$ref: '#/components/responses/404'}
            409: {description: Not a draft}
        """
        contract = self.visible(pk)
        line = next((x for x in contract.lines if x.id == line_id), None) if contract else None
        if line is None:
            return self.response_404()

        def remove(data: dict) -> Contract:
            note = f"Line {line.position} removed ({line.description})"
            contract.remove_line(line)
            contract.action_record_version(acting_user(), note)
            return contract

        return self.write(EMPTY, remove, 200, body_required=False)

    # -- versions and performance
    @expose("/<int:pk>/versions", methods=["GET"])
    @protect()
    @safe
    @permission_name("versions")
    def versions(self, pk: int) -> Response:
        """Every version, oldest first: number, note, who, when, content, and the difference
        from the version before.
        ---
        get:
          parameters:
          - {in: path, schema: {type: integer}, name: pk}
          responses:
            200: {description: The versions}
            404: {$ref: '#/components/responses/404'}
        """
        contract = self.visible(pk)
        if contract is None:
            return self.response_404()
        result = [version_json(version) for version in contract.versions]
        return self.response(200, id=pk, count=len(result), result=result)

    @expose("/<int:pk>/versions/<int:number>", methods=["GET"])
    @protect()
    @safe
    @permission_name("version_detail")
    def version_detail(self, pk: int, number: int) -> Response:
        """Version ``number`` of the contract, with its difference from the one before.
        ---
        get:
          parameters:
          - {in: path, schema: {type: integer}, name: pk}
          - {in: path, schema: {type: integer}, name: number}
          responses:
            200: {description: The version}
            404: {$ref: '#/components/responses/404'}
        """
        contract = self.visible(pk)
        found = [v for v in contract.versions if v.number == number] if contract else []
        if not found:
            return self.response_404()
        return self.response(200, id=pk, result=version_json(found[0]))

    @expose("/<int:pk>/performance", methods=["GET"])
    @protect()
    @safe
    @permission_name("performance")
    def performance(self, pk: int) -> Response:
        """Placements made during the contract's term against its target, and their fees
        against its value (amounts as decimal strings).
        ---
        get:
          parameters:
          - {in: path, schema: {type: integer}, name: pk}
          responses:
            200: {description: The performance}
            404: {$ref: '#/components/responses/404'}
        """
        contract = self.visible(pk)
        if contract is None:
            return self.response_404()
        return self.response(200, id=pk, result=PERFORMANCE.dump(contract.performance()))
