"""The employer portal: client contacts see their own company's data, and nothing else."""

from flask import Blueprint

bp = Blueprint("portal", __name__, url_prefix="/portal", template_folder="../templates")

from . import (  # noqa: E402,F401
    auth,
    billing,
    billing_pay,
    conversations,
    hiring,
    onboarding,
    quotes,
    review_links,
    routes,
    survey_links,
    team,
    tickets,
    tracking,
)
