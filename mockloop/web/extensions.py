"""Flask extensions of the web layer, created unbound and attached by the app factory."""

from flask_login import LoginManager
from flask_wtf import CSRFProtect

login_manager = LoginManager()
csrf = CSRFProtect()
