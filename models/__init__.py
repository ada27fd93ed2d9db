"""ClientDesk's domain: one module per aggregate; importing this registers them all."""

from sqlalchemy import event
from sqlalchemy.orm import Session

from .access import PortalAccessError, PortalInvitation, PortalLogin
from .activity import ACTIVITY_KINDS, Activity, record_activity
from .audit import audit_paused  # importing it switches the audit trail on
from .base import DomainError, Model, NotFoundError, utcnow
from .billing import (
    BillingError,
    BillingStateError,
    ExchangeRate,
    Holiday,
    Invoice,
    InvoiceLine,
    InvoiceSequence,
)
from .candidates import (
    Application,
    ApplicationStageChange,
    Candidate,
    Interview,
    PipelineError,
    Placement,
    StageMoveError,
)
from .clients import (
    Client,
    ClientArchivedError,
    ClientValidationError,
    Industry,
    Location,
    Tag,
)
from .collections import CollectionNotice
from .commercial import Quote, QuoteError, QuoteLine, QuoteStateError
from .consent import (
    CONSENT_PURPOSES,
    CONSENT_SOURCES,
    ConsentError,
    ConsentRecord,
    grant_consent,
    has_marketing_consent,
    withdraw_consent,
)
from .contact_relationships import ContactRelationship
from .contacts import ClientContact, Contact
from .contracts import (
    Contract,
    ContractApproval,
    ContractError,
    ContractLine,
    ContractStateError,
    ContractTemplate,
    ContractVersion,
)
from .conversation_messages import ConversationMessage
from .conversations import Conversation, ConversationError
from .documents import ClientDocument, DocumentError, DocumentRefusedError
from .evaluations import Evaluation, EvaluationError
from .health_snapshots import HealthSnapshot
from .kpi_targets import TARGET_KPIS, KpiTarget, KpiTargetError
from .mail_templates import EmailTemplate, TemplateRenderError, TemplateVariableError
from .meetings import Meeting, MeetingAction, MeetingError
from .merge import ClientMergeError
from .messaging import MessageError, OutboxMessage, mark_mails_answered
from .notes import Note, NoteError
from .offers import Offer, OfferError, OfferRound, OfferStateError
from .payments import ClientCredit, Payment, PaymentCheckout, ProviderEvent
from .privacy import PERSONAL_DATA, ContactErasedError, erase_contact, export_contact
from .projects import Milestone, Project, ProjectError
from .recruiting import (
    JobOrder,
    JobOrderApproval,
    JobOrderApprovalError,
    JobOrderError,
    JobOrderStakeholder,
    JobOrderStatusChange,
    JobOrderTransitionError,
)
from .segments import REVENUE_BANDS, SavedFilter
from .sla import SlaPolicy
from .survey_responses import SurveyAnswerError, SurveyResponse, record_response, survey_results
from .surveys import (
    Survey,
    SurveyAnsweredError,
    SurveyError,
    SurveyExpiredError,
    SurveyLinkUnknownError,
    SurveyQuestion,
    SurveyRecipient,
    SurveyStateError,
)
from .team import ClientTeamMember, client_visibility, visible_client_ids
from .ticket_comments import TicketAttachment, TicketComment
from .ticket_escalation import EscalationLevel
from .ticket_events import TicketEvent
from .tickets import Ticket, TicketError, TicketStateError
from .time_entries import StaffCapacity, TimeEntry, TimeEntryError
from .workflow_runs import WorkflowRun
from .workflows import Workflow, WorkflowError, WorkflowStep

__all__ = [
    "TARGET_KPIS",
    "KpiTarget",
    "KpiTargetError",
    "BillingError",
    "BillingStateError",
    "ClientCredit",
    "CollectionNotice",
    "ExchangeRate",
    "Holiday",
    "Invoice",
    "InvoiceLine",
    "InvoiceSequence",
    "Payment",
    "PaymentCheckout",
    "ProviderEvent",
    "Contract",
    "Conversation",
    "ConversationError",
    "ConversationMessage",
    "ContractApproval",
    "ContractError",
    "ContractLine",
    "ContractStateError",
    "ContractTemplate",
    "ContractVersion",
    "Offer",
    "OfferError",
    "OfferRound",
    "OfferStateError",
    "Quote",
    "QuoteError",
    "QuoteLine",
    "QuoteStateError",
    "Application",
    "ApplicationStageChange",
    "Candidate",
    "Interview",
    "PipelineError",
    "Placement",
    "StageMoveError",
    "Evaluation",
    "EvaluationError",
    "Milestone",
    "Project",
    "ProjectError",
    "JobOrder",
    "JobOrderApproval",
    "JobOrderApprovalError",
    "JobOrderError",
    "JobOrderStakeholder",
    "JobOrderStatusChange",
    "JobOrderTransitionError",
    "ACTIVITY_KINDS",
    "CONSENT_PURPOSES",
    "CONSENT_SOURCES",
    "PERSONAL_DATA",
    "Activity",
    "Client",
    "ClientArchivedError",
    "ClientContact",
    "ClientMergeError",
    "ClientDocument",
    "ClientTeamMember",
    "ClientValidationError",
    "ConsentError",
    "ConsentRecord",
    "Contact",
    "ContactErasedError",
    "DocumentError",
    "DocumentRefusedError",
    "ContactRelationship",
    "DomainError",
    "Industry",
    "Location",
    "Meeting",
    "MeetingAction",
    "MeetingError",
    "EmailTemplate",
    "MessageError",
    "TemplateRenderError",
    "TemplateVariableError",
    "mark_mails_answered",
    "Model",
    "Note",
    "NoteError",
    "NotFoundError",
    "OutboxMessage",
    "PortalAccessError",
    "PortalInvitation",
    "PortalLogin",
    "REVENUE_BANDS",
    "SavedFilter",
    "Survey",
    "EscalationLevel",
    "SlaPolicy",
    "Ticket",
    "TicketAttachment",
    "TicketComment",
    "TicketError",
    "TicketEvent",
    "TicketStateError",
    "SurveyAnswerError",
    "SurveyAnsweredError",
    "SurveyError",
    "SurveyExpiredError",
    "SurveyLinkUnknownError",
    "SurveyQuestion",
    "SurveyRecipient",
    "SurveyResponse",
    "SurveyStateError",
    "Tag",
    "audit_paused",
    "client_visibility",
    "erase_contact",
    "export_contact",
    "grant_consent",
    "has_marketing_consent",
    "record_activity",
    "record_response",
    "survey_results",
    "utcnow",
    "visible_client_ids",
    "withdraw_consent",
    "Workflow",
    "WorkflowError",
    "WorkflowRun",
    "WorkflowStep",
    "HealthSnapshot",
    "StaffCapacity",
    "TimeEntry",
    "TimeEntryError",
]


# Issue 9: onboarding plans from templates, and the ongoing service reviews.
from .onboarding import OnboardingPlan  # noqa: E402
from .onboarding_steps import OnboardingStep  # noqa: E402
from .onboarding_templates import (  # noqa: E402
    OnboardingError,
    OnboardingStateError,
    OnboardingTemplate,
    OnboardingTemplateStep,
)
from .service_reviews import ServiceReview  # noqa: E402

__all__ += [
    "OnboardingError",
    "OnboardingPlan",
    "OnboardingStateError",
    "OnboardingStep",
    "OnboardingTemplate",
    "OnboardingTemplateStep",
    "ServiceReview",
]

# Issue 9: the service desk's inbound mail (the IMAP intake and its triage).
from .mail_intake import InboundMail, MailIntakeError  # noqa: E402

__all__ += ["InboundMail", "MailIntakeError"]


@event.listens_for(Session, "before_flush")
def _validate_before_flush(session, flush_context, instances):
    """Run each record's rules before it is written, whoever changed it."""
    for obj in [*session.new, *session.dirty]:
        validate = getattr(obj, "validate", None)
        if validate is not None and (obj in session.new or session.is_modified(obj)):
            validate()
