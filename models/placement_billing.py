"""Placement-driven billing: the recruiting side's events propose draft invoices.

- **A placement** (``Application.action_place``) proposes a draft invoice for the job order's
  client, with the fee from the job order's terms: a percentage fee is one ``placement_fee``
  line of ``percent`` % of the agreed salary (the salary is the unit price); a fixed fee is one
  line of the fee; a retained search bills its last retainer stage (the earlier stages are
  proposed with ``propose_retainer_stage`` as the search reaches them). A fee agreed at the
  placement that differs from the terms is billed as agreed, as one line.
- **A retainer stage**: a retained job order with ``retainer_stages`` N bills ``fee / N`` per
  stage (the last stage takes the rounding remainder, so the stages add up to the fee).
- **A billable milestone** (``billing_amount`` set) proposes a draft invoice of that amount in
  its project's currency when it is completed.
- Approved hours: there is no time-entry model yet, so nothing proposes hourly invoices.

Every proposal carries its ``source`` ("placement:<id>", "retainer:<job id>:<stage>",
"milestone:<id>", and "guarantee:<placement id>" for a credit note); ``uq_invoice_source`` on
(source, kind) makes proposing twice return the first proposal. Proposals are drafts: staff
check and issue them (``jobs.invoice_documents.issue_invoice``). Helpers here never commit.

**The replacement guarantee** (``apply_guarantee``, called by ``Placement.record_departure``
when a candidate leaves on or before ``guarantee_until``) gives what the job order's
``guarantee_remedy`` says:

- ``replacement`` (also when unset, as the contracts promise): no money moves; the agency owes
  a replacement. It is recorded on the placement (``guarantee_outcome = "replacement_owed"``)
  and on the client's timeline; the job order is not reopened by itself (a filled order only
  closes in its workflow), so the replacement search is a new opening staff add.
- ``full_credit``: the whole fee is credited.
- ``pro_rata_credit``: the share of the guarantee period the candidate did not stay is
  credited: ``(guarantee_until − left_on) / (guarantee_until − start_date)`` of the fee
  before tax (left after 30 days of a 90-day guarantee: two thirds credited).

The credit is taken from the placement's invoice: an issued one gets a draft credit note for
the amount; a draft one is voided (full credit) or reduced to what is still owed (pro rata);
a void one, or no invoice at all, needs nothing.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from .activity import record_activity
from .billing import BillingError, Invoice
from .clients import _session
from .commercial import money

if TYPE_CHECKING:
    from .candidates import Placement
    from .projects import Milestone
    from .recruiting import JobOrder

GUARANTEE_OUTCOMES = (
    "replacement_owed",
    "credit_note",
    "invoice_reduced",
    "invoice_voided",
    "nothing_billed",
)


# ---------------------------------------------------------------- proposing drafts


def proposed(source: str, kind: str = "invoice") -> Invoice | None:
    """The invoice (or credit note) proposed from ``source``, if any."""
    return _session().scalar(select(Invoice).where(Invoice.source == source, Invoice.kind == kind))


def _propose(client, source: str, by, lines: list[dict], **fields) -> Invoice:
    """A draft for ``client`` from ``source`` with ``lines`` (``add_line``'s arguments), or
    the one proposed from it already. A simultaneous proposal of the same source loses to the
    unique key (in a savepoint) and returns the winner's."""
    existing = proposed(source)
    if existing is not None:
        return existing
    session = _session()
    try:
        with session.begin_nested():
            invoice = Invoice.draft_for(client, by, source=source, **fields)
            for line in lines:
                invoice.add_line(**line)
            session.flush()
    except IntegrityError:
        return proposed(source)
    invoice._log(by, f"{invoice} proposed from {source}: {invoice.currency} {invoice.total:,}")
    return invoice


def _terms_of(job: JobOrder) -> dict:
    fields = {"currency": job.currency}
    if job.project is not None:
        fields["project"] = job.project
    return fields


def propose_placement_invoice(placement: Placement, by: User | None = None) -> Invoice | None:
    """The draft invoice for ``placement``'s fee (see the module's rules); None when the job
    order names no fee."""
    job = placement.job_order or placement.application.job_order
    if job.fee_type == "retained":
        return propose_retainer_stage(job, job.retainer_stages or 1, by)
    fee = placement.fee_due
    if fee is None:
        return None
    if placement.id is None:
        _session().flush()
    candidate = placement.application.candidate
    what = (
        f"{candidate.full_name} as {job.title} ({job.reference}), "
        f"starting {placement.start_date:%d %b %Y}"
    )
    if job.fee_type == "percentage" and job.fee is not None:
        computed = (placement.salary * job.fee / Decimal(100)).quantize(Decimal("0.01"))
    else:
        computed = None
    if computed is not None and computed == fee:
        line = {
            "description": (
                f"Placement fee: {job.fee.normalize():f}% of the annual salary of {what}"
            ),
            "unit_price": placement.salary,
            "kind": "placement_fee",
            "percent": job.fee,
        }
    else:
        line = {"description": f"Placement fee: {what}", "unit_price": fee, "kind": "placement_fee"}
    fields = _terms_of(job)
    fields["currency"] = placement.currency
    return _propose(job.client, f"placement:{placement.id}", by, [line], **fields)


def retainer_stage_amount(job: JobOrder, stage: int) -> Decimal:
    """``fee / N`` for stages 1 to N−1; the last stage takes what is left of the fee."""
    stages = job.retainer_stages or 1
    each = money(job.fee / stages, job.currency)
    if stage < stages:
        return each
    return job.fee - each * (stages - 1)


def propose_retainer_stage(job: JobOrder, stage: int, by: User | None = None) -> Invoice:
    """The draft invoice for stage ``stage`` (1 to ``retainer_stages``) of a retained search.

    :raise BillingError: for a job order that is not retained, has no fee, or has no such stage.
    """
    if job.fee_type != "retained":
        raise BillingError(f"{job.reference} is not a retained search.", "fee_type")
    if job.fee is None or job.fee <= 0:
        raise BillingError(f"{job.reference} names no retained fee.", "fee")
    stages = job.retainer_stages or 1
    if not isinstance(stage, int) or not 1 <= stage <= stages:
        raise BillingError(f"Stage must be 1 to {stages} for {job.reference}.", "stage")
    line = {
        "description": f"Retained search {job.reference} {job.title}: stage {stage} of {stages}",
        "unit_price": retainer_stage_amount(job, stage),
        "kind": "retainer_stage",
    }
    return _propose(job.client, f"retainer:{job.id}:{stage}", by, [line], **_terms_of(job))


def propose_milestone_invoice(milestone: Milestone, by: User | None = None) -> Invoice | None:
    """The draft invoice of a completed billable milestone; None when it is not billable."""
    if not milestone.billing_amount:
        return None
    project = milestone.project
    line = {
        "description": f"Milestone reached: {milestone.name} ({project.name})",
        "unit_price": milestone.billing_amount,
        "kind": "other",
    }
    return _propose(
        project.client,
        f"milestone:{milestone.id}",
        by,
        [line],
        currency=project.currency,
        project=project,
    )


# ---------------------------------------------------------------- the guarantee


def placement_invoice(placement: Placement) -> Invoice | None:
    """The invoice that billed ``placement``'s fee (for a retained search: its last stage)."""
    job = placement.job_order
    if job.fee_type == "retained":
        return proposed(f"retainer:{job.id}:{job.retainer_stages or 1}")
    return proposed(f"placement:{placement.id}")


def unstayed_share(placement: Placement) -> Decimal:
    """The share of the guarantee period the candidate did not stay (0 to 1)."""
    period = (placement.guarantee_until - placement.start_date).days
    if period <= 0:
        return Decimal(1)
    left = max((placement.guarantee_until - placement.left_on).days, 0)
    return Decimal(left) / Decimal(period)


def apply_guarantee(placement: Placement, by: User | None = None) -> Invoice | None:
    """Give the client what the job order's guarantee remedy says (module docstring); returns
    the draft credit note or the changed draft invoice, if any. Safe to call twice."""
    if placement.guarantee_outcome is not None:
        return proposed(f"guarantee:{placement.id}", "credit_note")
    job = placement.job_order
    remedy = job.guarantee_remedy or "replacement"
    candidate = placement.application.candidate
    reason = (
        f"{candidate.full_name} left on {placement.left_on:%d %b %Y} ({placement.exit_reason}), "
        f"within the replacement guarantee to {placement.guarantee_until:%d %b %Y}"
    )
    if remedy == "replacement":
        placement.guarantee_outcome = "replacement_owed"
        _log(placement, by, f"Replacement owed to {job.client.name} for {job.reference}: {reason}")
        return None
    invoice = placement_invoice(placement)
    share = Decimal(1) if remedy == "full_credit" else unstayed_share(placement)
    if invoice is None or invoice.status == "void":
        placement.guarantee_outcome = "nothing_billed"
        _log(placement, by, f"Guarantee for {job.reference}: nothing was billed to credit")
        return None
    credit = money(invoice.subtotal * share, invoice.currency)
    if invoice.is_draft:
        if share >= 1:
            invoice.void(f"{reason} (fully credited)", by)
            placement.guarantee_outcome = "invoice_voided"
        else:
            kept = invoice.subtotal - credit
            description = f"{invoice.lines[0].description} — reduced: {reason}"[:500]
            for line in list(invoice.lines):
                invoice.remove_line(line)
            invoice.add_line(description, kept, kind=_fee_kind(job))
            placement.guarantee_outcome = "invoice_reduced"
            invoice._log(by, f"{invoice} reduced by {invoice.currency} {credit:,}: {reason}")
        return invoice
    amount = None if share >= 1 else credit
    note = invoice.draft_credit_note(
        f"{reason} ({'full credit' if amount is None else f'{share:.2%} credited pro rata'})",
        by,
        amount=amount,
    )
    note.source = f"guarantee:{placement.id}"
    placement.guarantee_outcome = "credit_note"
    note._log(by, f"{note} proposed for {invoice}: {note.reason}")
    return note


def _fee_kind(job: JobOrder) -> str:
    return "retainer_stage" if job.fee_type == "retained" else "placement_fee"


def _log(placement: Placement, by: User | None, summary: str) -> None:
    record_activity(
        _session(),
        "candidate",
        summary,
        client_id=placement.client_id,
        subject_type="placement",
        subject_id=placement.id,
        actor=by,
    )
