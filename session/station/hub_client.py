"""A station's first words with the hub: sign in as its account, and ask for its own join.

A scripted station (the demo's, a test's) reads its account from a credentials file or the
environment (``PLEADESK_USER``, ``PLEADESK_PASSWORD``), never from its command line, where
every user of the machine could read it.
"""

from __future__ import annotations

import json
import os
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

from session.tls import check_hub_url


class HubAnswerError(RuntimeError):
    """The hub refused; the message is the hub's own words."""


@dataclass(frozen=True)
class OwnJoin:
    """What the hub gave this station for the session: its part and its join token."""

    role: str
    token: str


def account_from(path: Path | None, environ: Mapping[str, str] = os.environ) -> tuple[str, str]:
    """The station's user name and password: from ``path`` (JSON ``{"username",
    "password"}``), else from ``PLEADESK_USER`` and ``PLEADESK_PASSWORD``."""
    if path is not None:
        fields = json.loads(path.read_text(encoding="utf-8"))
        return str(fields["username"]), str(fields["password"])
    try:
        return environ["PLEADESK_USER"], environ["PLEADESK_PASSWORD"]
    except KeyError:
        raise HubAnswerError(
            "没有账户 / no account: give --credentials FILE or set PLEADESK_USER and "
            "PLEADESK_PASSWORD"
        ) from None


async def _answer(response: aiohttp.ClientResponse) -> Any:
    if response.status >= 400:
        try:
            words = (await response.json())["message"]
        except (ValueError, KeyError, TypeError, aiohttp.ContentTypeError):
            words = (await response.text())[:300]
        raise HubAnswerError(f"{response.status}: {words}")
    return await response.json()


async def sign_in(
    http: aiohttp.ClientSession,
    hub_url: str,
    username: str,
    password: str,
    tls: ssl.SSLContext | None,
) -> str:
    """A bearer credential for ``username`` at the hub."""
    body = {"username": username, "password": password}
    async with http.post(f"{check_hub_url(hub_url)}/api/login", json=body, ssl=tls or True) as r:
        return str((await _answer(r))["token"])


async def own_join(
    hub_url: str, session_id: str, username: str, password: str, tls: ssl.SSLContext | None
) -> OwnJoin:
    """Sign in, ask for this account's join of ``session_id``, and sign out again."""
    async with aiohttp.ClientSession() as http:
        credential = await sign_in(http, hub_url, username, password, tls)
        headers = {"Authorization": f"Bearer {credential}"}
        url = f"{hub_url}/api/sessions/{session_id}/join"
        try:
            async with http.post(url, headers=headers, ssl=tls or True) as r:
                join = await _answer(r)
        finally:
            async with http.post(f"{hub_url}/api/logout", headers=headers, ssl=tls or True):
                pass
    return OwnJoin(str(join["role"]), str(join["token"]))
