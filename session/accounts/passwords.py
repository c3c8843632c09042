"""Passwords hashed with argon2id (RFC 9106), through argon2-cffi.

The cost is chosen so that checking one password takes about 50-100 ms on the hub's machine
(2 cores; measured in ``bench/bench_signin.py``): cheap for a person signing in, expensive for
anyone guessing from a stolen store. The memory cost makes guessing on graphics cards no
cheaper than on the hub.
"""

from __future__ import annotations

import functools

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

#: 40 MiB of memory, 2 passes, 1 lane (above OWASP's least for argon2id, 19 MiB and 2 passes):
#: 70-95 ms per check on the hub's machine (BENCHMARKS.md, ``bench/bench_signin.py``).
HASHER = PasswordHasher(time_cost=2, memory_cost=40 * 1024, parallelism=1)
MIN_PASSWORD = 8
MAX_PASSWORD = 1024


class PasswordError(ValueError):
    """A password that may not be set; the message says why."""


def hash_password(password: str) -> str:
    """The argon2id hash to keep for ``password``."""
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise PasswordError(
            f"密码须为 {MIN_PASSWORD}-{MAX_PASSWORD} 个字符 / a password must be "
            f"{MIN_PASSWORD}-{MAX_PASSWORD} characters long"
        )
    return HASHER.hash(password)


@functools.cache
def _nobody() -> str:
    """A hash of no password anybody has, checked when a user name is unknown, so an unknown
    name costs as long as a wrong password and does not show which names exist."""
    return HASHER.hash("no account has this password")


def password_matches(stored: str | None, password: str) -> bool:
    """Whether ``password`` is the one ``stored`` was made from (``None``: no such account;
    the check costs the same)."""
    try:
        return HASHER.verify(stored or _nobody(), password[:MAX_PASSWORD]) and stored is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
