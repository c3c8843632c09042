"""Signing in: a user name and password for a short-lived bearer credential.

Repeated failures slow down (each refusal waits longer before it is answered) and, at
``LOCK_AFTER`` in a row, lock the account for ``LOCK_SECONDS``; an unknown name is refused the
same way and as slowly as a wrong password, so answers do not tell which names exist. Every
sign-in, failure, lock and sign-out goes into the access audit trail through ``record``.

The password check (argon2id, tens of milliseconds) runs through ``in_pool``, off the hub's
database thread, so one person signing in never holds up another session's step.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from session.accounts.model import MAX_USERNAME, Account
from session.accounts.passwords import MAX_PASSWORD, password_matches
from session.accounts.store import AccountStore

#: A credential lasts a working day; then its holder signs in again.
CREDENTIAL_SECONDS = 8 * 3600
#: Failures in a row that lock an account, and for how long.
LOCK_AFTER = 5
LOCK_SECONDS = 15 * 60
#: The pause before a refusal is answered: doubling with each failure in a row, up to the cap.
FIRST_PAUSE = 0.25
MAX_PAUSE = 4.0
#: Longest bearer credential read from a request (the hub issues 43 characters).
MAX_TOKEN = 128

InExecutor = Callable[..., Awaitable[Any]]
#: ``(event, username, role, details)`` into the access audit trail.
AccessRecord = Callable[[str, str, str, dict[str, Any]], Awaitable[None]]


class SignInRefused(Exception):
    """A sign-in refused; ``message`` is for the person, in Chinese and English; ``pause`` is
    how long to wait before answering."""

    def __init__(self, code: str, message: str, pause: float = 0.0) -> None:
        super().__init__(message)
        self.code, self.message, self.pause = code, message, pause


@dataclass(frozen=True)
class Credential:
    """A bearer credential just issued: the token (shown once), whose, until when."""

    token: str
    account: Account
    expires_at: float


def token_sha256(token: str) -> str:
    """What the store keeps of a bearer token."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


WRONG = "用户名或密码错误 / wrong user name or password"


class SignIn:
    """Signs people in and out and tells who holds a credential."""

    def __init__(
        self,
        store: AccountStore,
        in_db: InExecutor,
        in_pool: InExecutor,
        record: AccessRecord,
        clock: Callable[[], float] = time.time,
        first_pause: float = FIRST_PAUSE,
    ) -> None:
        self._store, self._in_db, self._in_pool = store, in_db, in_pool
        self._record, self._clock, self._first_pause = record, clock, first_pause

    async def sign_in(self, username: str, password: str) -> Credential:
        """A new credential for ``username``; raises :class:`SignInRefused`."""
        username, password = username[:MAX_USERNAME], password[:MAX_PASSWORD]
        stored = await self._in_db(self._store.for_sign_in, username)
        matches = await self._in_pool(
            password_matches, stored.password_hash if stored else None, password
        )
        now = self._clock()
        if stored is None:
            await self._record("sign_in_failed", username, "", {"reason": "unknown user"})
            raise SignInRefused("wrong_password", WRONG, self._first_pause)
        account = stored.account
        if stored.locked_until > now:
            await self._record("sign_in_refused", username, account.role, {"reason": "locked"})
            minutes = max(1, round((stored.locked_until - now) / 60))
            raise SignInRefused(
                "locked",
                f"账户已锁定，请 {minutes} 分钟后再试 / the account is locked for {minutes} more "
                "minutes after repeated wrong passwords",
                self._first_pause,
            )
        if not matches:
            failures = await self._in_db(
                self._store.count_failure, account.id, LOCK_AFTER, now + LOCK_SECONDS
            )
            locked = failures >= LOCK_AFTER
            details = {"reason": "wrong password", "failures": failures, "locked": locked}
            await self._record("sign_in_failed", username, account.role, details)
            pause = min(self._first_pause * 2 ** (failures - 1), MAX_PAUSE)
            raise SignInRefused("wrong_password", WRONG, pause)
        if account.disabled:
            await self._record("sign_in_refused", username, account.role, {"reason": "disabled"})
            raise SignInRefused("disabled", "账户已停用 / this account is disabled")
        token = secrets.token_urlsafe(32)
        expires = now + CREDENTIAL_SECONDS
        await self._in_db(self._store.add_credential, token_sha256(token), account.id, now, expires)
        await self._record("signed_in", username, account.role, {"expires_at": round(expires)})
        return Credential(token, account, expires)

    async def holder(self, token: str) -> Account | None:
        """The account holding the bearer ``token``: None if it is unknown, expired, revoked,
        or its account disabled."""
        if not token or len(token) > MAX_TOKEN:
            return None
        found = await self._in_db(self._store.credential, token_sha256(token))
        if found is None or found.revoked or found.account.disabled:
            return None
        return found.account if found.expires_at > self._clock() else None

    async def sign_out(self, token: str, account: Account) -> None:
        """``token`` stops working."""
        await self._in_db(self._store.revoke, token_sha256(token))
        await self._record("signed_out", account.username, account.role, {})
