"""The people and rooms of the tests: two detention centres, a procuratorate, a law firm.

Every account signs in with ``PASSWORD``. ``PARTS`` take the parts of a session held in room A1
of centre A; the others are there to be refused.
"""

from __future__ import annotations

import aiohttp

from session.accounts.model import Role, Site, SiteKind
from session.accounts.store import AccountStore

PASSWORD = "correct horse battery staple"
SITES = (
    Site("centre-a", "甲看守所", SiteKind.DETENTION_CENTRE),
    Site("centre-b", "乙看守所", SiteKind.DETENTION_CENTRE),
    Site("procuratorate", "人民检察院", SiteKind.PROCURATORATE),
    Site("legal-aid", "法律援助中心", SiteKind.LAW_FIRM),
    Site("technical", "检察技术部门", SiteKind.TECHNICAL),
)
#: user name -> (name, role, site, room)
PEOPLE = {
    "staff-a": ("甲所民警", Role.STAFF, "centre-a", ""),
    "staff-b": ("乙所民警", Role.STAFF, "centre-b", ""),
    "prosecutor-1": ("检察官一", Role.PROSECUTOR, "procuratorate", ""),
    "prosecutor-2": ("检察官二", Role.PROSECUTOR, "procuratorate", ""),
    "lawyer-1": ("律师一", Role.LAWYER, "legal-aid", ""),
    "lawyer-2": ("律师二", Role.LAWYER, "legal-aid", ""),
    "room-a1": ("甲所一号室终端", Role.TERMINAL, "centre-a", "A1"),
    "room-b1": ("乙所一号室终端", Role.TERMINAL, "centre-b", "B1"),
    "clerk-1": ("技术人员", Role.CLERK, "technical", ""),
    "guardian-1": ("法定代理人", Role.GUARDIAN, "centre-a", ""),
    "admin-1": ("管理员", Role.ADMIN, "technical", ""),
}
PARTS = {"suspect": "room-a1", "prosecutor": "prosecutor-1", "lawyer": "lawyer-1"}
#: The same session's parts taken by the others: another session's parties.
OTHER_PARTS = {"suspect": "room-b1", "prosecutor": "prosecutor-2", "lawyer": "lawyer-2"}


def add_people(accounts: AccountStore) -> AccountStore:
    """Add the sites and people to ``accounts``; return it."""
    for site in SITES:
        accounts.add_site(site)
    for username, (name, role, site_id, room) in PEOPLE.items():
        accounts.add_account(username, name, role, site_id, PASSWORD, room)
    return accounts


def environment(username: str) -> dict[str, str]:
    """What a scripted station process reads its account from."""
    return {"PLEADESK_USER": username, "PLEADESK_PASSWORD": PASSWORD}


async def signed_in(http: aiohttp.ClientSession, hub_url: str, username: str) -> dict[str, str]:
    """The headers of requests made as ``username`` (signed in with ``PASSWORD``)."""
    body = {"username": username, "password": PASSWORD}
    async with http.post(f"{hub_url}/api/login", json=body) as answer:
        assert answer.status == 200, await answer.text()
        return {"Authorization": f"Bearer {(await answer.json())['token']}"}
