"""The staff admin: Flask-AppBuilder views and APIs, registered in one place."""

from __future__ import annotations


def register(appbuilder) -> None:
    """Add every admin view and API to ``appbuilder`` (called by ``create_app``)."""
    from .api import ClientApi, ContactApi
    from .candidates import CandidateView
    from .client_page import ActivityView, NoteView
    from .contacts import ClientMailView, ContactRelationshipView
    from .contract_templates import ContractTemplateView
    from .contracts import ContractView
    from .contracts_api import ContractApi
    from .documents import ClientDocumentView
    from .duplicates import DuplicatesView
    from .engagement_api import DocumentApi, MeetingApi
    from .feedback import EvaluationView, FeedbackTurnaroundView
    from .importing import ImportView
    from .job_orders import JobOrderView
    from .meetings import MeetingActionView, MeetingView
    from .offers import OfferView
    from .offers_api import OfferApi
    from .pipeline import PipelineBoardView
    from .pipeline_api import ApplicationApi, EvaluationApi
    from .privacy import ConsentRecordView
    from .projects import ProjectView
    from .projects_api import ProjectApi
    from .quotes import QuoteView
    from .quotes_api import QuoteApi
    from .records_api import LocationApi
    from .recruiting_api import JobOrderApi
    from .saved_filters import SavedFilterView
    from .timeline_api import ActivityApi, NoteApi
    from .views import (
        ArchivedClientView,
        ClientContactView,
        ClientTeamView,
        ClientView,
        ContactView,
        IndustryView,
        LocationView,
        OutboxView,
        PortalInvitationView,
        PortalLoginView,
        TagView,
    )

    appbuilder.add_view(ClientView, "Clients", icon="fa-building", category="Clients")
    appbuilder.add_view(ContactView, "Contacts", icon="fa-address-book", category="Clients")
    appbuilder.add_view(
        ArchivedClientView, "Archived clients", icon="fa-archive", category="Clients"
    )
    appbuilder.add_view(ImportView, "Import CSV", icon="fa-upload", category="Clients")
    appbuilder.add_view(DuplicatesView, "Possible duplicates", icon="fa-clone", category="Clients")
    appbuilder.add_view(SavedFilterView, "My saved filters", icon="fa-bookmark", category="Clients")
    appbuilder.add_view_no_menu(ClientContactView)
    appbuilder.add_view_no_menu(LocationView)
    appbuilder.add_view_no_menu(ClientTeamView)
    appbuilder.add_view_no_menu(ConsentRecordView)
    appbuilder.add_view_no_menu(ClientDocumentView)
    appbuilder.add_view_no_menu(MeetingView)
    appbuilder.add_view_no_menu(MeetingActionView)
    appbuilder.add_view_no_menu(NoteView)
    appbuilder.add_view(ActivityView, "Activity", icon="fa-history", category="Clients")
    appbuilder.add_view_no_menu(ClientMailView)
    appbuilder.add_view_no_menu(ContactRelationshipView)
    appbuilder.add_view(TagView, "Tags", icon="fa-tags", category="Settings")
    appbuilder.add_view(IndustryView, "Industries", icon="fa-industry", category="Settings")
    appbuilder.add_view(OutboxView, "Outbox", icon="fa-envelope", category="Mail")
    appbuilder.add_view(
        PortalInvitationView, "Portal invitations", icon="fa-ticket", category="Portal"
    )
    appbuilder.add_view(PortalLoginView, "Portal logins", icon="fa-sign-in", category="Portal")
    appbuilder.add_view(JobOrderView, "Job orders", icon="fa-briefcase", category="Recruiting")
    appbuilder.add_view(ProjectView, "Projects", icon="fa-tasks", category="Recruiting")
    appbuilder.add_view(CandidateView, "Candidates", icon="fa-id-card", category="Recruiting")
    appbuilder.add_view_no_menu(PipelineBoardView)
    appbuilder.add_view(EvaluationView, "Evaluations", icon="fa-star-half-o", category="Recruiting")
    appbuilder.add_view(
        FeedbackTurnaroundView,
        "Feedback turnaround",
        icon="fa-hourglass-half",
        category="Recruiting",
    )
    appbuilder.add_api(ClientApi)
    appbuilder.add_api(ContactApi)
    appbuilder.add_api(LocationApi)
    appbuilder.add_api(ActivityApi)
    appbuilder.add_api(NoteApi)
    appbuilder.add_api(MeetingApi)
    appbuilder.add_api(DocumentApi)
    appbuilder.add_api(JobOrderApi)
    appbuilder.add_api(ProjectApi)
    appbuilder.add_api(ApplicationApi)
    appbuilder.add_api(EvaluationApi)
    appbuilder.add_view(QuoteView, "Quotes", icon="fa-file-text-o", category="Commercial")
    appbuilder.add_api(QuoteApi)
    appbuilder.add_view(OfferView, "Offers", icon="fa-handshake-o", category="Recruiting")
    appbuilder.add_api(ContractApi)
    appbuilder.add_api(OfferApi)
    appbuilder.add_view(ContractView, "Contracts", icon="fa-pencil-square-o", category="Commercial")
    appbuilder.add_view(
        ContractTemplateView, "Contract templates", icon="fa-files-o", category="Commercial"
    )
    # Finance (issue 6): invoices, payments, aging, collections, settings; their APIs.
    from .aging import AgingReportView
    from .billing_settings import ExchangeRateView, HolidayView
    from .collections import CollectionNoticeView
    from .collections_api import CollectionNoticeApi
    from .invoices import InvoiceView
    from .invoices_api import InvoiceApi
    from .payments import PaymentView
    from .payments_api import AgingApi, PaymentApi

    appbuilder.add_view(InvoiceView, "Invoices", icon="fa-file-text", category="Finance")
    appbuilder.add_view(PaymentView, "Payments", icon="fa-money", category="Finance")
    appbuilder.add_view(
        AgingReportView, "Aging report", icon="fa-hourglass-end", category="Finance"
    )
    appbuilder.add_view(
        CollectionNoticeView, "Collection notices", icon="fa-bell", category="Finance"
    )
    appbuilder.add_view(ExchangeRateView, "Exchange rates", icon="fa-exchange", category="Finance")
    appbuilder.add_view(HolidayView, "Holidays", icon="fa-calendar", category="Finance")
    appbuilder.add_api(InvoiceApi)
    appbuilder.add_api(PaymentApi)
    appbuilder.add_api(AgingApi)
    appbuilder.add_api(CollectionNoticeApi)
    # Communication (issue 7): email templates and how they do.
    from .mail_api import EmailTemplateApi, MessageApi
    from .mail_templates import MailTemplateView, TemplatePerformanceView

    appbuilder.add_view(
        MailTemplateView, "Email templates", icon="fa-envelope-open-o", category="Communication"
    )
    appbuilder.add_view(
        TemplatePerformanceView,
        "Template performance",
        icon="fa-line-chart",
        category="Communication",
    )
    appbuilder.add_api(EmailTemplateApi)
    appbuilder.add_api(MessageApi)
    # Communication (issue 7): conversations with the clients, and their API.
    from .conversations import ConversationView
    from .conversations_api import ConversationApi

    appbuilder.add_view(
        ConversationView, "Conversations", icon="fa-comments", category="Communication"
    )
    appbuilder.add_api(ConversationApi)
    # Communication (issue 7): automated workflows and their runs.
    from .workflows import WorkflowRunView, WorkflowStepView, WorkflowView
    from .workflows_api import WorkflowApi, WorkflowRunApi

    appbuilder.add_view(WorkflowView, "Workflows", icon="fa-random", category="Communication")
    appbuilder.add_view(
        WorkflowRunView, "Workflow runs", icon="fa-list-alt", category="Communication"
    )
    appbuilder.add_view_no_menu(WorkflowStepView)
    appbuilder.add_api(WorkflowApi)
    appbuilder.add_api(WorkflowRunApi)
    # Communication (issue 7): satisfaction surveys, their results and their API.
    from .surveys import SurveyResultsView, SurveyView
    from .surveys_api import SurveyApi

    appbuilder.add_view(SurveyView, "Surveys", icon="fa-smile-o", category="Communication")
    appbuilder.add_view(
        SurveyResultsView, "Survey results", icon="fa-line-chart", category="Communication"
    )
    appbuilder.add_api(SurveyApi)
    # Client performance (issue 8): the client health report, its API (the Health tab is on
    # the client page).
    from .health import ClientHealthView
    from .health_api import ClientHealthApi, HealthListApi

    appbuilder.add_view(
        ClientHealthView, "Client health", icon="fa-heartbeat", category="Reports"
    )
    appbuilder.add_api(ClientHealthApi)
    appbuilder.add_api(HealthListApi)
    # Client performance (issue 8): Reports › KPIs and the KPI API.
    from .kpis import KpiView
    from .kpis_api import KpiApi

    appbuilder.add_view(KpiView, "KPIs", icon="fa-tachometer", category="Reports")
    appbuilder.add_api(KpiApi)
    # Reports (issue 8): KPI targets agreed with each client; the monthly client report.
    from .kpi_targets import KpiTargetView

    appbuilder.add_view(KpiTargetView, "KPI targets", icon="fa-bullseye", category="Reports")
    from .client_reports import ClientReportView

    appbuilder.add_view_no_menu(ClientReportView)
    # Reports (issue 8): time entries, their import, staff capacity, utilization and its API.
    from .time_entries import StaffCapacityView, TimeEntryImportView, TimeEntryView
    from .utilization import UtilizationReportView
    from .utilization_api import CapacityApi, ProfitabilityApi, UtilizationApi

    appbuilder.add_view(TimeEntryView, "Time entries", icon="fa-clock-o", category="Reports")
    appbuilder.add_view(
        TimeEntryImportView, "Import time entries", icon="fa-upload", category="Reports"
    )
    appbuilder.add_view(StaffCapacityView, "Staff capacity", icon="fa-users", category="Reports")
    appbuilder.add_view(
        UtilizationReportView, "Utilization", icon="fa-pie-chart", category="Reports"
    )
    appbuilder.add_api(UtilizationApi)
    appbuilder.add_api(ProfitabilityApi)
    appbuilder.add_api(CapacityApi)
    # Service desk (issue 9): the tickets API; Reports › Service reports and its API.
    from .service_reports import ServiceReportView
    from .service_reports_api import ServiceReportApi
    from .tickets_api import TicketApi

    appbuilder.add_api(TicketApi)
    appbuilder.add_view(
        ServiceReportView, "Service reports", icon="fa-life-ring", category="Reports"
    )
    appbuilder.add_api(ServiceReportApi)
    # Onboarding (issue 9): the client page's Onboarding tab, the templates, and the API.
    from .onboarding import OnboardingTemplateStepView, OnboardingTemplateView, OnboardingView
    from .onboarding_api import ClientOnboardingApi, OnboardingPlanApi

    appbuilder.add_view_no_menu(OnboardingView)
    appbuilder.add_view_no_menu(OnboardingTemplateStepView)
    appbuilder.add_view(
        OnboardingTemplateView, "Onboarding templates", icon="fa-road", category="Clients"
    )
    appbuilder.add_api(OnboardingPlanApi)
    appbuilder.add_api(ClientOnboardingApi)
    # Service desk (issue 9): tickets, logging one, and the SLA and escalation settings.
    from .service_desk_settings import EscalationLevelView, SlaPolicyView
    from .tickets import TicketView

    appbuilder.add_view(TicketView, "Tickets", icon="fa-life-ring", category="Service desk")
    appbuilder.add_link(
        "Log a ticket",
        href="TicketView.log",
        icon="fa-phone",
        category="Service desk",
    )
    # The email intake's triage (issue 9): what fetch-mail could not file by itself.
    from .mail_triage import MailTriageView

    appbuilder.add_view(MailTriageView, "Mail triage", icon="fa-inbox", category="Service desk")
    appbuilder.add_link(
        "Received mail",
        href="/mailtriage/list/?status=",
        icon="fa-envelope-o",
        category="Service desk",
    )
    appbuilder.add_view(SlaPolicyView, "SLA policies", icon="fa-clock-o", category="Service desk")
    appbuilder.add_view(
        EscalationLevelView, "Escalation levels", icon="fa-level-up", category="Service desk"
    )
