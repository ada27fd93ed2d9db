"""The one user store: Flask-AppBuilder's security manager, staff and portal users alike."""

from flask_appbuilder.security.sqla.manager import SecurityManager


class ClientDeskSecurityManager(SecurityManager):
    """FAB's database-backed security manager.

    Kept as a named subclass so that the app has one place to hang user-store behaviour
    (the portal signs in through ``auth_user_db`` here, like the admin login does).
    """
