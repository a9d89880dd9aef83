"""The domain's errors: one small hierarchy that services and core raise and web maps to HTTP.

Each carries a `message` a user can read as it is, and `details`: facts a script can act on (the
field at fault, a conflict's reason code, a revision), which the JSON API returns beside the message.
"""

from __future__ import annotations


class DomainError(Exception):
    """A request the domain refuses; the message says why in words a user understands."""

    def __init__(self, message: str, **details: object) -> None:
        super().__init__(message)
        self.message = message
        self.details: dict[str, object] = details


class Invalid(DomainError):
    """Bad input; `field` names the culprit when one field is to blame."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message, **({"field": field} if field else {}))
        self.field = field


class Conflict(DomainError):
    """The state does not allow it (now): a stale revision, a locked round, a taken seat.

    `reason` is a short code ("stale", "locked", "planned", ...) for a caller that reacts to each.
    """

    def __init__(self, message: str, reason: str | None = None, **details: object) -> None:
        super().__init__(message, **({"reason": reason} if reason else {}), **details)
        self.reason = reason


class NotAllowed(DomainError):
    """This participant lacks the right to do it."""


class NotFound(DomainError):
    """No such thing, or not one this user may know about."""


class Unavailable(DomainError):
    """An outside service the feature needs did not serve it (the AI provider: no key, a timeout, a
    rate limit, its own error). Nothing of the user's was changed; `reason` says which, and
    `retry_after` (seconds) when the service said when to come back."""

    def __init__(self, message: str, reason: str, retry_after: int | None = None) -> None:
        super().__init__(message, reason=reason, **({"retry_after": retry_after} if retry_after is not None else {}))
        self.reason = reason
        self.retry_after = retry_after
