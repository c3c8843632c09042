"""TLS between stations and the hub: the hub's own CA is trusted, nothing else is."""

from __future__ import annotations

import ssl

import aiohttp
import pytest

from session import messages as m
from session.hub.runner import composite_recorders
from session.hub.server import Hub
from session.hub.store import Store
from session.tls import client_context, init_hub_credentials


@pytest.fixture
async def tls_hub(tmp_path):
    credentials = init_hub_credentials(tmp_path / "tls", ["127.0.0.1"])
    hub = Hub(Store(":memory:"), tmp_path / "recordings", recorders=composite_recorders())
    await hub.start("127.0.0.1", 0, credentials.server_context())
    yield hub, credentials
    await hub.close()


async def test_a_station_trusting_the_hubs_ca_joins_over_wss(tls_hub):
    hub, credentials = tls_hub
    assert hub.url.startswith("https://")
    session_id = await hub.create_session("C-1")
    context = client_context(credentials.ca_certificate)
    async with aiohttp.ClientSession() as http:
        ws = await http.ws_connect(f"{hub.url}/ws/sessions/{session_id}", ssl=context)
        await ws.send_str(m.Join("suspect", hub.tokens.issue(session_id, "suspect")).to_json())
        welcome = m.parse((await ws.receive()).data)
        assert isinstance(welcome, m.Welcome)
        await ws.close()


async def test_a_hub_with_another_ca_is_refused(tls_hub, tmp_path):
    hub, _ = tls_hub
    impostor_ca = init_hub_credentials(tmp_path / "other", ["127.0.0.1"]).ca_certificate
    async with aiohttp.ClientSession() as http:
        with pytest.raises(aiohttp.ClientConnectorCertificateError):
            await http.ws_connect(f"{hub.url}/ws/sessions/x", ssl=client_context(impostor_ca))


def test_the_hubs_key_is_private_and_credentials_are_never_replaced(tmp_path):
    credentials = init_hub_credentials(tmp_path / "tls", ["127.0.0.1", "hub.example"])
    assert credentials.key.stat().st_mode & 0o777 == 0o600
    with pytest.raises(FileExistsError, match="already has a CA"):
        init_hub_credentials(tmp_path / "tls", ["127.0.0.1"])
    context = credentials.server_context()
    assert context.minimum_version >= ssl.TLSVersion.TLSv1_2
