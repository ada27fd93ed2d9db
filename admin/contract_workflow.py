"""A contract's workflow as explicit REST endpoints (``POST /api/v1/contract/<id>/<step>``):
submit, approve, reject, send, sign, reopen, renew, terminate, cancel. Each calls the model
verb (sending goes through ``jobs.contract_documents.send_contract``); the verb decides, and
its refusal is answered as JSON (409 for the contract's status, 422 naming the field)."""

from __future__ import annotations

from flask import Response
from flask_appbuilder.api import expose, protect, safe
from flask_appbuilder.security.decorators import permission_name

from jobs.contract_documents import send_contract

from .contract_shapes import SIGNATURE
from .rendered_api import COMMENT, REASON
from .visibility import acting_user

# Each step's endpoint and the Contract permission it needs.
WORKFLOW = {
    "submit": "write",
    "approve": "approve",
    "reject": "approve",
    "send": "send",
    "sign": "send",
    "reopen": "write",
    "renew": "write",
    "terminate": "write",
    "cancel": "write",
}


class ContractWorkflow:
    """The workflow's endpoints, mixed into ``ContractApi`` (which gives ``run_on``)."""

    @expose("/<int:pk>/submit", methods=["POST"])
    @protect()
    @safe
    @permission_name("submit")
    def submit(self, pk: int) -> Response:
        """Submit a draft above the approval value for approval.
        ---
        post:
          parameters:
          - {in: path, schema: {type: integer}, name: pk}
          responses:
            200: {description: In approval}
            404: {$ref: '#/components/responses/404'}
            409: {description: Not a draft, or within the limit (send it instead)}
        """
        return self.run_on(pk, lambda contract, data: contract.action_submit(acting_user()))

    @expose("/<int:pk>/approve", methods=["POST"])
    @protect()
    @safe
    @permission_name("approve")
    def approve(self, pk: int) -> Response:
        """Approve at the next level: an Account Manager or Admin, then another Admin.
        ---
        post:
          parameters:
          - {in: path, schema: {type: integer}, name: pk}
          requestBody:
            content:
              application/json:
                schema: {$ref: '#/components/schemas/Comment'}
          responses:
            200: {description: Approved at this level (``status`` approved after the last)}
            403: {$ref: '#/components/responses/403'}
            404: {$ref: '#/components/responses/404'}
            409: {description: Not in approval}
            422: {description: The level needs another role, or another person}
        """
        return self.run_on(
            pk,
            lambda contract, data: contract.action_approve(acting_user(), data.get("comment")),
            COMMENT,
        )

    @expose("/<int:pk>/reject", methods=["POST"])
    @protect()
    @safe
    @permission_name("reject")
    def reject(self, pk: int) -> Response:
        """Send a contract in approval back to draft, with the reason.
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
            200: {description: Back to draft}
            403: {$ref: '#/components/responses/403'}
            404: {$ref: '#/components/responses/404'}
            409: {description: Not in approval}
            422: {$ref: '#/components/responses/422'}
        """
        return self.run_on(
            pk,
            lambda contract, data: contract.action_reject(acting_user(), data["reason"]),
            REASON,
        )

    @expose("/<int:pk>/send", methods=["POST"])
    @protect()
    @safe
    @permission_name("send")
    def send(self, pk: int) -> Response:
        """Send for signature: a draft within the approval value, or an approved contract.
        ---
        post:
          parameters:
          - {in: path, schema: {type: integer}, name: pk}
          responses:
            200: {description: Sent}
            403: {$ref: '#/components/responses/403'}
            404: {$ref: '#/components/responses/404'}
            409: {description: Unapproved above the approval value, or not a draft or approved}
        """
        return self.run_on(
            pk, lambda contract, data: send_contract(contract, acting_user()), render=False
        )

    @expose("/<int:pk>/sign", methods=["POST"])
    @protect()
    @safe
    @permission_name("sign")
    def sign(self, pk: int) -> Response:
        """Record the client's signature (typed full name); the contract becomes active.
        ---
        post:
          parameters:
          - {in: path, schema: {type: integer}, name: pk}
          requestBody:
            required: true
            content:
              application/json:
                schema: {$ref: '#/components/schemas/Signature'}
          responses:
            200: {description: Signed}
            404: {$ref: '#/components/responses/404'}
            409: {description: Not sent for signature}
            422: {$ref: '#/components/responses/422'}
        """
        return self.run_on(
            pk,
            lambda contract, data: contract.action_sign(
                data["name"], acting_user(), data.get("signed_on")
            ),
            SIGNATURE,
        )

    @expose("/<int:pk>/reopen", methods=["POST"])
    @protect()
    @safe
    @permission_name("reopen")
    def reopen(self, pk: int) -> Response:
        """Back to draft to change it (a contract in approval, approved or sent); its
        approvals start again.
        ---
        post:
          parameters:
          - {in: path, schema: {type: integer}, name: pk}
          requestBody:
            content:
              application/json:
                schema: {$ref: '#/components/schemas/Comment'}
          responses:
            200: {description: A draft again}
            404: {$ref: '#/components/responses/404'}
            409: {description: Not in approval, approved or sent}
        """
        return self.run_on(
            pk,
            lambda contract, data: contract.action_reopen(acting_user(), data.get("comment")),
            COMMENT,
        )

    @expose("/<int:pk>/renew", methods=["POST"])
    @protect()
    @safe
    @permission_name("renew")
    def renew(self, pk: int) -> Response:
        """Renew an active contract by its renewal term (a new version).
        ---
        post:
          parameters:
          - {in: path, schema: {type: integer}, name: pk}
          responses:
            200: {description: Renewed}
            404: {$ref: '#/components/responses/404'}
            409: {description: Not active}
        """
        return self.run_on(pk, lambda contract, data: contract.action_renew(acting_user()))

    @expose("/<int:pk>/terminate", methods=["POST"])
    @protect()
    @safe
    @permission_name("terminate")
    def terminate(self, pk: int) -> Response:
        """End an active contract early, with the reason.
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
            200: {description: Terminated}
            404: {$ref: '#/components/responses/404'}
            409: {description: Not active}
            422: {$ref: '#/components/responses/422'}
        """
        return self.run_on(
            pk,
            lambda contract, data: contract.action_terminate(acting_user(), data["reason"]),
            REASON,
        )

    @expose("/<int:pk>/cancel", methods=["POST"])
    @protect()
    @safe
    @permission_name("cancel")
    def cancel(self, pk: int) -> Response:
        """Cancel an unsigned contract, with the reason.
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
            200: {description: Cancelled}
            404: {$ref: '#/components/responses/404'}
            409: {description: Signed or ended already}
            422: {$ref: '#/components/responses/422'}
        """
        return self.run_on(
            pk,
            lambda contract, data: contract.action_cancel(acting_user(), data["reason"]),
            REASON,
        )
