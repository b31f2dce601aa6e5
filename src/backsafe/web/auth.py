"""Passwords (argon2id), opaque session/API tokens (only their SHA-256 is stored), CSRF tokens, log-in limits."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import deque
from typing import TYPE_CHECKING

from ..errors import ValueRangeError
from .errors import RateLimited

if TYPE_CHECKING:
    from argon2 import PasswordHasher

__all__ = ["hash_password", "prepare_password_hashing", "verify_password", "needs_rehash", "new_token", "hash_token", "csrf_token",
           "check_csrf", "LoginLimiter", "check_password_strength", "check_user_name", "SESSION_TOKEN_PREFIX",
           "API_TOKEN_PREFIX"]

RESERVED_NAMES = frozenset({"local", "admin", "root", "system"})  # "local" is the command line's own log
SESSION_TOKEN_PREFIX = "bss_"
API_TOKEN_PREFIX = "bsk_"


# argon2id with the library's current recommended parameters, and a real hash so that a log-in for an unknown user
# costs as much time as one for a known user. Both are made on first use, not on import: importing argon2 and
# hashing cost every command-line start 0.4 s. Tests set both to cheaper ones (tests/shared_fixtures.py).
_hasher: PasswordHasher | None = None
_DUMMY_HASH: str | None = None
_made = threading.Lock()


def _password_hasher() -> PasswordHasher:
    global _hasher
    if _hasher is None:
        from argon2 import PasswordHasher

        with _made:
            if _hasher is None:
                _hasher = PasswordHasher()
    return _hasher


def _dummy_hash() -> str:
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        hashed = _password_hasher().hash(secrets.token_urlsafe(16))
        with _made:
            if _DUMMY_HASH is None:
                _DUMMY_HASH = hashed
    return _DUMMY_HASH


def prepare_password_hashing() -> None:
    """Make the hasher and the dummy hash now (the web app calls this as it starts), so the first log-in for an
    unknown user takes as long as any other."""
    _dummy_hash()


def hash_password(password: str) -> str:
    return _password_hasher().hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

    try:
        return _password_hasher().verify(stored_hash or _dummy_hash(), password) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _password_hasher().check_needs_rehash(stored_hash)


def check_password_strength(password: str) -> None:
    if not 10 <= len(password) <= 256:
        raise ValueRangeError("password: use 10 to 256 characters (a few words make a good one)")


def check_user_name(name: str) -> str:
    name = name.strip()
    if not 3 <= len(name) <= 40 or not all(c.isascii() and (c.isalnum() or c in "._-") for c in name):
        raise ValueRangeError("user name: 3-40 letters, digits, '.', '_' or '-'")
    if name.lower() in RESERVED_NAMES:
        raise ValueRangeError(f"user name {name!r} is reserved; pick another")
    return name


def new_token(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def csrf_token(secret_key: str, binding: str) -> str:
    """The form token for a session (binding = its token hash) or an anonymous visitor (binding = their cookie)."""
    return hmac.new(secret_key.encode("utf-8"), f"csrf:{binding}".encode(), hashlib.sha256).hexdigest()


def check_csrf(secret_key: str, binding: str | None, given: str | None) -> bool:
    if not binding or not given:
        return False
    return hmac.compare_digest(csrf_token(secret_key, binding), given)


class LoginLimiter:
    """Failed log-ins in a sliding window, per user name and per client address (in memory, per process)."""

    def __init__(self, max_failures: int, window_s: float, *, per_address_factor: int = 4) -> None:
        self.max_failures = max_failures
        self.window_s = window_s
        self.per_address = max_failures * per_address_factor
        self._fails: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        q = self._fails.get(key) or deque()
        while q and now - q[0] > self.window_s:
            q.popleft()
        # keep only keys with recent failures: every log-in with a new name (or from a new address) used to add
        # a key for good, so a stream of made-up names grew this dict without bound
        if q:
            self._fails[key] = q
        else:
            self._fails.pop(key, None)
        return q

    def _sweep(self, now: float) -> None:
        if len(self._fails) > 10_000:
            for key in [k for k, q in self._fails.items() if not q or now - q[-1] > self.window_s]:
                del self._fails[key]

    def check(self, name: str, address: str) -> None:
        """Raise RateLimited when this name or address has failed too often lately."""
        now = time.monotonic()
        with self._lock:
            for key, limit in ((f"u:{name.lower()}", self.max_failures), (f"a:{address}", self.per_address)):
                q = self._recent(key, now)
                if len(q) >= limit:
                    wait = max(1, int(self.window_s - (now - q[0])) + 1)
                    raise RateLimited(f"too many failed log-ins; try again in {wait} s", wait)

    def failed(self, name: str, address: str) -> None:
        now = time.monotonic()
        with self._lock:
            self._sweep(now)
            for key in (f"u:{name.lower()}", f"a:{address}"):
                q = self._recent(key, now)
                q.append(now)
                self._fails[key] = q

    def succeeded(self, name: str) -> None:
        with self._lock:
            self._fails.pop(f"u:{name.lower()}", None)
