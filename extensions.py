"""Extension singletons, bound to an app in `app.create_app()`.

Flask-AppBuilder is the exception: an ``AppBuilder`` keeps its views and menu on itself, so
each app gets its own (``create_app`` makes it; reach it as ``current_app.appbuilder``).
"""

from flask_appbuilder.models.sqla.base import SQLA
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect
from htmx_flask import Htmx

db = SQLA()
migrate = Migrate()
csrf = CSRFProtect()
htmx = Htmx()
