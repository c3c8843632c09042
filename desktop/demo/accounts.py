"""The demo's sites and accounts, made in its hub's database as an administrator would.

Each run gives every account a new random password: the demo's stations and its scheduling
desk sign in with them like anyone else, and they are handed over in the environment of the
processes that need them, never on a command line.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

from documents.samples.case import DEMO_DETENTION_CENTRE, DEMO_PLACES
from session.accounts.model import AccountError, Role, Site, SiteKind
from session.accounts.store import AccountStore

SITES = (
    Site("demo-procuratorate", "东湖市滨江区人民检察院", SiteKind.PROCURATORATE),
    Site("demo-legal-aid", "东湖市法律援助中心", SiteKind.LAW_FIRM),
    Site("demo-kss", DEMO_DETENTION_CENTRE, SiteKind.DETENTION_CENTRE),
)
#: (user name, name, role, site, room) of each demo account.
PEOPLE = (
    ("demo-staff", "陈卫东", Role.STAFF, "demo-kss", ""),
    ("demo-prosecutor", "承办检察官", Role.PROSECUTOR, "demo-procuratorate", ""),
    ("demo-lawyer", "值班律师", Role.LAWYER, "demo-legal-aid", ""),
    ("demo-room-r01", DEMO_PLACES["suspect"], Role.TERMINAL, "demo-kss", "R01"),
)
#: The account that takes each part of the demo session.
PARTS = {"suspect": "demo-room-r01", "prosecutor": "demo-prosecutor", "lawyer": "demo-lawyer"}
STAFF = "demo-staff"


@dataclass(frozen=True)
class Login:
    """A user name and the password it signs in with."""

    username: str
    password: str

    def environment(self) -> dict[str, str]:
        """The variables a scripted station reads its account from."""
        return {"PLEADESK_USER": self.username, "PLEADESK_PASSWORD": self.password}


def demo_accounts(database: Path) -> dict[str, Login]:
    """Make (or renew) the demo's sites and accounts; return each user name's login."""
    store = AccountStore(database)
    logins = {}
    try:
        for site in SITES:
            if store.site(site.id) is None:
                store.add_site(site)
        for username, name, role, site_id, room in PEOPLE:
            password = secrets.token_urlsafe(18)
            try:
                store.add_account(username, name, role, site_id, password, room)
            except AccountError:  # an earlier run's account: a new password for this one
                store.set_password(username, password)
            logins[username] = Login(username, password)
    finally:
        store.close()
    return logins
