"""Passwords (argon2id), opaque session/API tokens (only their SHA-256 is stored), CSRF tokens, log-in limits."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import threading
import time
import unicodedata
from collections import deque
from collections.abc import Callable
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING

from ..errors import ValueRangeError
from .errors import RateLimited

if TYPE_CHECKING:
    from argon2 import PasswordHasher

__all__ = ["hash_password", "prepare_password_hashing", "verify_password", "needs_rehash", "new_token", "hash_token", "csrf_token",
           "check_csrf", "LoginLimiter", "check_password_strength", "check_user_name", "SESSION_TOKEN_PREFIX",
           "API_TOKEN_PREFIX", "limit_key", "device_token", "check_device"]

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


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    """The bundled list of common and breached passwords (data/common_passwords.json: zxcvbn 4.5.0's list, MIT)."""
    doc = json.loads(resources.files("backsafe").joinpath("data/common_passwords.json").read_text(encoding="utf-8"))
    return frozenset(doc["passwords"])


_KEYBOARD_RUNS = ("0123456789", "abcdefghijklmnopqrstuvwxyz", "qwertyuiop", "asdfghjkl", "zxcvbnm", "azertyuiop",
                  "qwertzuiop")


def _is_run(text: str) -> bool:
    """True for a password that is only a piece of the alphabet, the digits or a keyboard row (either way)."""
    return any(text in run or text in run[::-1] for run in _KEYBOARD_RUNS)


def check_password_strength(password: str, user_name: str | None = None) -> None:
    """Refuse passwords that are too short or long, common or breached (a bundled list; no network), trivial
    (one or two characters repeated, a keyboard run) or built on the user name. ValueRangeError says which."""
    if not 10 <= len(password) <= 256:
        raise ValueRangeError("password: use 10 to 256 characters (a few words make a good one)")
    low = password.lower()
    core = low.strip("0123456789!@#$%^&*()-_=+.,;:?~ ")
    if len(set(low)) < 5 or _is_run(low) or (len(core) >= 4 and _is_run(core)):
        raise ValueRangeError("password: too easy to guess (repeated or consecutive characters); a few unrelated "
                              "words make a good one")
    common = _common_passwords()
    if low in common or (len(core) >= 4 and core in common):
        raise ValueRangeError("password: this one is on a list of common or breached passwords; pick another")
    if user_name:
        name = limit_key(user_name)
        if name and (low == name or _squash(low) == _squash(name) or (len(name) >= 4 and name in low)):
            raise ValueRangeError("password: it must not contain your user name")


def _squash(text: str) -> str:
    return "".join(c for c in text if c.isalnum())


def limit_key(name: str) -> str:
    """The user name as every limit counts it: Unicode-normalised (NFKC), invisible characters (zero-width spaces,
    joiners) dropped, surrounding white space stripped, case folded. "alice", " Alice " and "alice\u200b" share one
    log-in counter, so a changed spelling never gets a fresh one."""
    text = unicodedata.normalize("NFKC", name)
    text = "".join(c for c in text if unicodedata.category(c) not in ("Cf", "Cc"))
    return text.strip().casefold()


def check_user_name(name: str) -> str:
    name = unicodedata.normalize("NFKC", name).strip()
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


def check_csrf(secret_key: str, binding: str | None, given: object) -> bool:
    """Whether ``given`` is this binding's CSRF token. Anything else is a plain no, never an error: a token that is
    not a string (a JSON number or list on the live socket) or holds non-ASCII text (which ``compare_digest``
    refuses to compare as str) is simply not the token."""
    if not binding or not isinstance(given, str) or not given:
        return False
    return hmac.compare_digest(csrf_token(secret_key, binding).encode("utf-8"), given.encode("utf-8"))


def device_token(secret_key: str, name: str) -> str:
    """The "this browser logged in as ``name`` before" cookie value (stateless: an HMAC of the normalised name).
    A browser holding it is not slowed by other people's failures on the same network address, nor by failures
    made elsewhere against its own account (it has a counter of its own)."""
    return hmac.new(secret_key.encode("utf-8"), f"device:{limit_key(name)}".encode(), hashlib.sha256).hexdigest()


def check_device(secret_key: str, name: str, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(device_token(secret_key, name), str(given))


class LoginLimiter:
    """Failed log-ins, answered by a growing delay rather than a hard lock (in memory, per process).

    Counters (failures in the last ``window_s``), keyed by the normalised name (:func:`limit_key`):

    - per account: after ``max_failures`` failures each further try must wait 2, 4, 8 ... s after the last failure
      (at most ``max_delay_s``); a browser that logged in to that account before (device cookie) counts on a counter
      of its own, so a stranger's guessing does not slow the owner down;
    - per client address: the same growing delay, but only after ``max_failures * per_address_factor`` failures (a
      gym's Wi-Fi shares one address: a few people mistyping, or one person guessing at one account, slow nobody
      else down), and never for a browser with the device cookie of the account it logs in to.
    """

    def __init__(self, max_failures: int, window_s: float, *, per_address_factor: int = 20,
                 max_delay_s: float = 900.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.max_failures = max_failures
        self.window_s = window_s
        self.per_address = max_failures * per_address_factor
        self.max_delay_s = max_delay_s
        self._clock = clock
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

    def delay_s(self, failures: int, free: int) -> float:
        """How long after the last failure the next try must wait, after ``failures`` failures of ``free`` free."""
        if failures < free:
            return 0.0
        return float(min(self.max_delay_s, 2.0 ** (failures - free + 1)))

    def _keys(self, name: str, address: str, trusted: bool) -> list[tuple[str, int]]:
        key = limit_key(name)
        if trusted:
            return [(f"d:{key}", self.max_failures)]
        return [(f"u:{key}", self.max_failures), (f"a:{address}", self.per_address)]

    def check(self, name: str, address: str, *, trusted: bool = False) -> None:
        """Raise RateLimited while this account (or, without the device cookie, this address) must still wait."""
        now = self._clock()
        with self._lock:
            for key, free in self._keys(name, address, trusted):
                q = self._recent(key, now)
                wait = self.delay_s(len(q), free) - (now - q[-1]) if q else 0.0
                if wait > 0:
                    raise RateLimited(f"too many failed log-ins; try again in {int(wait) + 1} s", int(wait) + 1)

    def failed(self, name: str, address: str, *, trusted: bool = False) -> None:
        now = self._clock()
        with self._lock:
            self._sweep(now)
            for key, _free in self._keys(name, address, trusted):
                q = self._recent(key, now)
                q.append(now)
                self._fails[key] = q

    def succeeded(self, name: str, *, trusted: bool = False) -> None:
        key = limit_key(name)
        with self._lock:
            self._fails.pop(f"d:{key}" if trusted else f"u:{key}", None)
