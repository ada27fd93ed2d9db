"""The staff home page: the client book at a glance."""

from flask import redirect, url_for
from flask_appbuilder import IndexView, expose
from flask_login import current_user
from sqlalchemy import func, select

from extensions import db
from models import Client, OutboxMessage, PortalLogin


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
            for name in ("Client", "OutboxMessage", "PortalAccess")
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
        return self.render_template(self.index_template, appbuilder=self.appbuilder, **context)
