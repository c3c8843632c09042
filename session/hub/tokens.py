"""Per-party, per-session join tokens, issued when a session is booked.

A token is an HMAC of the session id and the role under the hub's secret: the hub needs to keep
nothing per token, a token opens exactly one role of one session, and a leaked suspect-terminal
token cannot be used to join as the prosecutor or in another session.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path


class TokenIssuer:
    """Issues and checks join tokens under one secret."""

    def __init__(self, secret: bytes) -> None:
        if len(secret) < 16:
            raise ValueError("the hub's token secret must be at least 16 bytes")
        self._secret = secret

    @classmethod
    def load_or_create(cls, path: Path) -> TokenIssuer:
        """Use the secret in ``path``, creating it (mode 0600) on first use."""
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "wb") as f:
                f.write(secrets.token_bytes(32))
        return cls(path.read_bytes())

    def issue(self, session_id: str, role: str) -> str:
        """The token that lets ``role`` join ``session_id``."""
        message = f"pleadesk-join\0{session_id}\0{role}".encode()
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()

    def check(self, session_id: str, role: str, token: str) -> bool:
        """Whether ``token`` lets ``role`` join ``session_id`` (constant-time comparison; any
        text is compared as its bytes, so no token makes the check fail with an error)."""
        given = token.encode("utf-8", "surrogatepass")
        return hmac.compare_digest(self.issue(session_id, role).encode(), given)
