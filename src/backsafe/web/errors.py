"""Web-only errors, under the same :class:`~backsafe.errors.BacksafeError` tree so that one handler maps all.

::

    BacksafeError
    └── WebError               (status on the class)
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
    status_code = 400


class AuthRequired(WebError):
    status_code = 401


class Forbidden(WebError):
    status_code = 403


class NotFound(WebError):
    status_code = 404

    def __init__(self, what: str = "not found") -> None:
        super().__init__(what)


class Conflict(WebError):
    status_code = 409


class TooLarge(WebError):
    status_code = 413


class RateLimited(WebError):
    status_code = 429

    def __init__(self, msg: str, retry_after_s: int) -> None:
        super().__init__(msg)
        self.retry_after_s = retry_after_s
