"""Shared fixtures: a live three-party call over real WebRTC on 127.0.0.1, in one process."""

from __future__ import annotations

import asyncio
import os

import aiohttp
import pytest
from livecall import LIGHT_PICTURES, ROLES, Heard, hang_up

# Widget tests read English source texts; tests of the Chinese interface install it themselves.
os.environ.setdefault("PLEADESK_LANG", "en")

from session import loop as station_loop
from session.accounts.store import AccountStore
from session.clock import HubClock
from session.hub.audit import AuditTrail
from session.hub.runner import composite_recorders
from session.hub.server import Hub
from session.hub.store import Store
from session.rtc.network import restrict_media_addresses
from session.station.runner import synthetic_station


def pytest_asyncio_loop_factories(config, item):
    """Tests run on the stations' event loop, the one the media engines need (the hub's,
    asyncio's own, runs in ``test_demo_e2e``: ``pleadesk demo`` holds the hub)."""
    return {"station": station_loop.new_event_loop}


@pytest.fixture
async def http():
    """An HTTP client for tests that call the hub."""
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
def heard():
    """What each station of ``live_call`` heard, by role."""
    return {role: Heard() for role in ROLES}


@pytest.fixture
async def live_call(tmp_path, heard):
    """A hub (with an audit trail) and the three parties' stations, joined; yields (hub,
    session id, stations)."""
    restrict_media_addresses()
    clock = HubClock()
    audit = AuditTrail.in_folder(tmp_path / "audit", clock)
    hub = Hub(
        Store(":memory:"),
        tmp_path / "recordings",
        clock,
        audit=audit,
        recorders=composite_recorders(),
        accounts=AccountStore(":memory:"),
    )
    url = await hub.start()
    session_id = await hub.create_session("C-live")
    stations = {
        role: synthetic_station(
            url,
            session_id,
            role,
            hub.tokens.issue(session_id, role),
            listener=heard[role],
            **LIGHT_PICTURES,
        )
        for role in ROLES
    }
    tasks = [asyncio.create_task(station.run()) for station in stations.values()]
    try:
        yield hub, session_id, stations
    finally:
        await hang_up(hub, stations, tasks)
