"""Contracts and offer letters as documents: registered with the PDF job (``jobs/documents.py``).

Staff pages and the API change a contract or an offer through these functions (or, for any
other change, commit and then call ``enqueue_document``): one commit, then the PDF is rendered
in a worker (inline without ``REDIS_URL``) and stored on the client's Documents tab, replacing
the previous rendering when the record changed. A contract's PDF is shown to the client once it
is sent; an offer letter stays with the agency's staff.
"""

from __future__ import annotations

from datetime import date

from extensions import db
from models import Contract, Offer, Quote

from .documents import enqueue_document, register_document_kind


def _contract_context(contract: Contract) -> dict:
    return {
        "contract": contract,
        "number": f"{contract.number} v{contract.version}",
        "issued_on": (contract.sent_at or contract.created_at).date(),
        "client": contract.client,
    }


register_document_kind(
    "contract",
    load=lambda contract_id: db.session.get(Contract, contract_id),
    template="documents/contract.html",
    context=_contract_context,
    client=lambda contract: contract.client,
    filename=lambda contract: f"contract-{contract.number}-v{contract.version}.pdf",
    title=lambda contract: f"Contract {contract.number} (version {contract.version})",
    type="contract",
    visible=lambda contract: contract.status in ("sent", "active", "expired", "terminated"),
)


def _offer_context(offer: Offer) -> dict:
    return {
        "offer": offer,
        "terms": offer.current,
        "number": f"{offer.number} round {offer.current.number}",
        "issued_on": (offer.extended_at or offer.created_at).date(),
        "valid_until": offer.expires_on,
        "client": offer.client,
    }


register_document_kind(
    "offer",
    load=lambda offer_id: db.session.get(Offer, offer_id),
    template="documents/offer.html",
    context=_offer_context,
    client=lambda offer: offer.client,
    filename=lambda offer: f"offer-{offer.number}-round-{offer.current.number}.pdf",
    title=lambda offer: f"Offer letter {offer.number} to {offer.candidate.full_name}",
    type="offer",
    visible=False,
)


def convert_quote(quote: Quote, by=None, **fields) -> Contract:
    """Convert an accepted quote into a draft contract, commit, and render its PDF.

    :raise ContractError: when the quote cannot be converted (nothing is committed).
    """
    contract = Contract.action_convert_quote(quote, by, **fields)
    db.session.commit()
    enqueue_document("contract", contract.id)
    return contract


def send_contract(contract: Contract, by=None) -> None:
    """Send a draft or approved contract for signature, commit, and render its PDF.

    :raise ContractError: when it cannot be sent (nothing is committed).
    """
    contract.action_send(by)
    db.session.commit()
    enqueue_document("contract", contract.id)


def extend_offer(offer: Offer, by=None, expires_on: date | None = None) -> None:
    """Extend an offer's latest round, commit, and render its offer letter.

    :raise OfferError: when it cannot be extended (nothing is committed).
    """
    offer.action_extend(by, expires_on)
    db.session.commit()
    enqueue_document("offer", offer.id)
