"""Web-only errors, under the same :class:`~backsafe.errors.BacksafeError` tree so that one handler maps all.

::

    BacksafeError
    └── WebError               400  (the statuses are set in one place: web/responses.py status_for)
        ├── AuthRequired       401  no valid session or token
        ├── Forbidden          403  CSRF token missing or wrong; role not allowed
        ├── NotFound           404  no such thing, or it belongs to someone else (never says which)
        ├── Conflict           409  user name taken
        ├── TooLarge           413  upload above the size limit
        └── RateLimited        429  too many failed log-ins
"""

from __future__ import annotations

from ..errors import BacksafeError

__all__ = ["WebError", "AuthRequired", "Forbidden", "NotFound", "Conflict", "TooLarge", "RateLimited"]


class WebError(BacksafeError):
    """A request the web app refuses."""


class AuthRequired(WebError):
    """No valid session or token."""


class Forbidden(WebError):
    """CSRF token missing or wrong; role not allowed."""


class NotFound(WebError):
    """No such thing, or it belongs to someone else (never says which)."""

    def __init__(self, what: str = "not found") -> None:
        super().__init__(what)


class Conflict(WebError):
    """User name taken."""


class TooLarge(WebError):
    """Upload above the size limit."""


class RateLimited(WebError):
    """Too many failed log-ins; ``retry_after_s``: when to try again (the Retry-After header)."""

    def __init__(self, msg: str, retry_after_s: int) -> None:
        super().__init__(msg)
        self.retry_after_s = retry_after_s
