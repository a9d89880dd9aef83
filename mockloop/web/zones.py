"""The viewer's time zone (their setting, else the browser's, else UTC)."""

from __future__ import annotations

from flask import request
from flask_login import current_user

from mockloop.core.zones import valid_zone


def user_zone() -> str:
    """The profile's zone, else the browser's (sent by the form), else UTC."""
    for zone in (getattr(current_user, "timezone", None), request.form.get("tz") or request.args.get("tz")):
        if zone and valid_zone(zone):
            return zone
    return "UTC"
