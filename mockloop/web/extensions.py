"""Flask extensions of the web layer, created unbound and attached by the app factory, and the base
of the app's forms."""

from flask_login import LoginManager
from flask_wtf import CSRFProtect, FlaskForm

login_manager = LoginManager()
csrf = CSRFProtect()


class PostedForm(FlaskForm):
    """A WTForms form of the app. `csrf` (CSRFProtect) checks every POST before its view runs, so the
    form's own CSRF field would check the same token twice per post (a session read and an HMAC);
    templates carry the token with csrf_token(), as every other form of the app does."""

    class Meta:
        csrf = False
