"""Who may do what with a session: book it, read it, join it (sans-IO rules).

- Booking: detention-centre staff, for a room of their own centre (the suspect terminal's
  site), and a prosecutor for a session in which they are the prosecutor. Every party is named
  by its account, each account in the role it may take (``PARTY_ROLES``), once.
- Reading a session: its parties, the staff of its centre, and evidence clerks.
- Joining: only the account assigned to a part gets that part's join, by asking as itself.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from session.accounts.model import PARTY_ROLES, Account, Role
from session.hub.store import SessionRecord
from session.machine import REQUIRED_ROLES


class Refused(Exception):
    """A request refused: ``status`` (HTTP), ``code`` and a message in Chinese and English."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def check_booking(
    caller: Account, parties: Sequence[str], accounts: Mapping[str, Account | None]
) -> str:
    """Check that ``caller`` may book a session with ``accounts`` (role -> account, None for a
    name that is no account) taking ``parties``; return the site (the detention centre) it is
    held at. Raises :class:`Refused`."""
    if caller.role not in (Role.STAFF, Role.PROSECUTOR):
        raise Refused(403, "wrong_role", "只有看守所民警或承办检察官可以预约 / only detention "
                      "staff or the case's prosecutor may book a session")  # fmt: skip
    missing = sorted(set(REQUIRED_ROLES) - set(parties))
    unknown = sorted(set(parties) - set(PARTY_ROLES))
    if missing or unknown or set(accounts) != set(parties):
        raise Refused(400, "bad_parties", "须为犯罪嫌疑人、检察官和值班律师各指定一个账户 / "
                      "name one account for the suspect, the prosecutor and the duty lawyer "
                      f"(missing: {', '.join(missing) or '-'}; unknown: "
                      f"{', '.join(unknown) or '-'})")  # fmt: skip
    for role, account in accounts.items():
        if account is None or account.disabled or account.role not in PARTY_ROLES[role]:
            raise Refused(400, "bad_account", f"{role} 须为有效的相应账户 / the {role} must be "
                          "an active account of that kind")  # fmt: skip
    usernames = [account.username for account in accounts.values() if account is not None]
    if len(set(usernames)) != len(usernames):
        raise Refused(400, "bad_parties", "一个账户只能担任一个角色 / one account, one part")
    terminal = accounts["suspect"]
    assert terminal is not None
    if caller.role is Role.STAFF and caller.site != terminal.site:
        raise Refused(403, "other_site", "只能预约本看守所的房间 / staff book rooms of their own "
                      "detention centre only")  # fmt: skip
    prosecutor = accounts["prosecutor"]
    if caller.role is Role.PROSECUTOR and (prosecutor is None or prosecutor.id != caller.id):
        raise Refused(403, "not_your_case", "检察官只能预约自己承办的会见 / a prosecutor books "
                      "only sessions they hold themselves")  # fmt: skip
    return terminal.site


def part_of(caller: Account, record: SessionRecord) -> str | None:
    """The part ``caller`` takes in the session, if any."""
    return next((role for role, name in record.assigned.items() if name == caller.username), None)


def may_read(caller: Account, record: SessionRecord) -> bool:
    """Whether ``caller`` may read the session's record."""
    return (
        part_of(caller, record) is not None
        or (caller.role is Role.STAFF and bool(record.site) and caller.site == record.site)
        or caller.role is Role.CLERK
    )
