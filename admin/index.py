"""The staff home page: the client book at a glance."""

from flask import redirect, url_for
from flask_appbuilder import IndexView, expose
from flask_login import current_user
from sqlalchemy import func, select

from extensions import db
from models import Client, OutboxMessage, PortalLogin, visible_client_ids

from . import dashboard
from .visibility import acting_user


def dashboard_charts(may: dict[str, bool]) -> dict:
    """The home page's charts, each only for a role that may read its resource; over the
    clients the user may see."""
    visible = visible_client_ids(acting_user())
    session = db.session
    charts = {}
    if may["Pipeline"]:
        charts["funnel_chart"] = dashboard.funnel_chart(session, visible)
    if may["Payment"]:
        charts["aging_chart"] = dashboard.receivables_chart(visible)
    if may["Invoice"]:
        charts["revenue_chart"] = dashboard.revenue_chart(session, visible)
    if may["Survey"]:
        charts["nps_chart"] = dashboard.nps_chart(visible)
    if may["ClientHealth"]:
        charts["at_risk"] = dashboard.clients_at_risk_section(session, visible)
    if may["Utilization"]:
        charts["utilization"] = dashboard.utilization_section(session)
    return charts


class HomeView(IndexView):
    index_template = "admin/index.html"

    @expose("/")
    def index(self):
        """Counts of live clients by status, mail needing attention and recent portal logins."""
        if not current_user.is_authenticated:
            return redirect(url_for(self.appbuilder.sm.auth_view.endpoint + ".login"))
        self.update_redirect()
        sm = self.appbuilder.sm
        may = {
            name: sm.has_access("can_read", name)
            for name in (
                "Client",
                "OutboxMessage",
                "PortalAccess",
                "Pipeline",
                "Payment",
                "Invoice",
                "Survey",
                "JobOrder",
                "ClientHealth",
                "Utilization",
            )
        }
        context = {"may": may}
        if may["Client"]:
            context["by_status"] = Client.count_by_status()
            context["archived"] = db.session.scalar(
                select(func.count(Client.id)).where(Client.archived.is_(True))
            )
        if may["OutboxMessage"]:
            context["mail"] = dict(
                db.session.execute(
                    select(OutboxMessage.status, func.count(OutboxMessage.id)).group_by(
                        OutboxMessage.status
                    )
                ).all()
            )
        if may["PortalAccess"]:
            context["logins"] = db.session.scalars(
                select(PortalLogin).order_by(PortalLogin.at.desc()).limit(8)
            ).all()
        context.update(dashboard_charts(may))
        return self.render_template(self.index_template, appbuilder=self.appbuilder, **context)
