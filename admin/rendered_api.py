"""What the contract and offer APIs share: after each committed write the record's PDF is
queued again (``enqueue_document``), and the small bodies of their state endpoints."""

from __future__ import annotations

from flask import Response
from marshmallow import Schema

from jobs.documents import enqueue_document

from .shaped_api import ShapedApi, Text


class RenderedApi(ShapedApi):
    """A ``ShapedApi`` over records rendered as documents (``document_kind``): a write that
    succeeds queues the record's PDF once it is committed, so the stored document follows the
    record. The job is idempotent; an endpoint calling a ``jobs.contract_documents`` helper
    (which commits and queues by itself) passes ``render=False``."""

    document_kind: str

    def write(self, schema, apply, status, body_required=True, answer=None, render=True):
        response = super().write(schema, apply, status, body_required, answer)
        if render and response.status_code < 300:
            enqueue_document(self.document_kind, response.get_json()["id"])
        return response

    def answer_helper(self, item, status: int = 200) -> Response:
        """Answer ``item`` after a helper committed it."""
        return self.response(status, id=item.id, result=self.show_model_schema.dump(item))


class Reason(Schema):
    """The body of an endpoint that needs a reason (reject, terminate, decline...)."""

    reason = Text(1000, required=True, allow_none=False)


class Comment(Schema):
    """An optional comment (an approval's, a reopening's)."""

    comment = Text(1000)


REASON, COMMENT = Reason(), Comment()
