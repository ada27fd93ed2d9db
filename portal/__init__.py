"""The employer portal: client contacts see their own company's data, and nothing else."""

from flask import Blueprint

bp = Blueprint("portal", __name__, url_prefix="/portal", template_folder="../templates")

from . import auth, hiring, quotes, review_links, routes, team  # noqa: E402,F401
