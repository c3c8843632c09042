"""Accounts and sites: who uses the hub, of which organisation, in which role.

People sign in with a password; each room's suspect terminal is an account of its own (a
device), enrolled by detention-centre staff, its secret kept on that terminal and tied to the
room. Every account belongs to a site: a procuratorate, a law firm or legal-aid station, a
detention centre, or the technical department.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    """What an account may do."""

    PROSECUTOR = "prosecutor"  # 检察官
    LAWYER = "lawyer"  # 值班律师
    STAFF = "staff"  # 看守所民警
    CLERK = "clerk"  # 技术人员（证据管理）
    TECHNICIAN = "technician"  # 检察技术人员
    ADMIN = "admin"  # 系统管理员
    TERMINAL = "terminal"  # a room's suspect terminal (a device)
    GUARDIAN = "guardian"  # 法定代理人, given an account for a minor's sessions
    INTERPRETER = "interpreter"  # 翻译人员


class SiteKind(StrEnum):
    """The kinds of organisation an account belongs to."""

    PROCURATORATE = "procuratorate"
    LAW_FIRM = "law_firm"
    DETENTION_CENTRE = "detention_centre"
    TECHNICAL = "technical"


#: Which account roles may take which part in a session.
PARTY_ROLES: dict[str, frozenset[Role]] = {
    "suspect": frozenset({Role.TERMINAL}),
    "prosecutor": frozenset({Role.PROSECUTOR}),
    "lawyer": frozenset({Role.LAWYER}),
    "guardian": frozenset({Role.GUARDIAN}),
    "interpreter": frozenset({Role.INTERPRETER}),
    "technician": frozenset({Role.TECHNICIAN}),
}

_USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")
MAX_USERNAME = 64


class AccountError(ValueError):
    """An account or site that cannot be made as asked; the message says why."""


def check_username(username: str) -> str:
    """``username`` if it is a valid account name: 2-64 of a-z, 0-9, ``.``, ``_``, ``-``."""
    if not _USERNAME.fullmatch(username):
        raise AccountError(
            f"用户名无效 / invalid user name {username[:MAX_USERNAME]!r}: use 2-64 of a-z, 0-9, "
            "'.', '_' and '-', starting with a letter or digit"
        )
    return username


@dataclass(frozen=True)
class Site:
    """An organisation whose people (or rooms) use the hub."""

    id: str
    name: str
    kind: SiteKind


@dataclass(frozen=True)
class Account:
    """One account as the hub keeps it (its password hash stays in the store)."""

    id: int
    username: str
    name: str
    role: Role
    site: str
    room: str = ""
    disabled: bool = False

    def public(self) -> dict[str, str]:
        """What others may be told of this account."""
        return {"username": self.username, "name": self.name, "role": self.role.value,
                "site": self.site, "room": self.room}  # fmt: skip
