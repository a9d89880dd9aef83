"""Accounts: sign up, log in, log out, change password."""
from flask import Blueprint

bp = Blueprint("accounts", __name__, url_prefix="/account")

from . import routes  # noqa: E402,F401  (routes attach themselves to bp)
