"""TLS between stations and the hub: the hub's own CA is trusted, nothing else is."""

from __future__ import annotations

import ssl

import aiohttp
import pytest

from desktop.cli.main import main
from session import messages as m
from session.accounts.store import AccountStore
from session.hub.runner import HubRefused, composite_recorders, serve_hub
from session.hub.server import Hub
from session.hub.store import Store
from session.station.engine import Station
from session.tls import InsecureHubError, check_hub_url, client_context, init_hub_credentials


@pytest.fixture
async def tls_hub(tmp_path):
    credentials = init_hub_credentials(tmp_path / "tls", ["127.0.0.1"])
    hub = Hub(
        Store(":memory:"),
        tmp_path / "recordings",
        recorders=composite_recorders(),
        accounts=AccountStore(":memory:"),
    )
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


@pytest.mark.parametrize(
    ("host", "insecure_loopback"),
    [("127.0.0.1", False), ("0.0.0.0", True), ("10.2.0.5", True), ("hub.example", True)],
)
async def test_a_hub_without_tls_refuses_to_start_unless_told_on_loopback(
    tmp_path, host, insecure_loopback
):
    with pytest.raises(HubRefused, match="hub init"):
        await serve_hub(tmp_path / "hub", host, 0, insecure_loopback=insecure_loopback)
    assert not (tmp_path / "hub").exists()  # nothing made


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://10.2.0.5:8765", True),
        ("https://hub.example", True),
        ("http://127.0.0.1:8765", True),
        ("http://localhost:8765", True),
        ("http://[::1]:8765", True),
        ("http://10.2.0.5:8765", False),
        ("http://hub.example", False),
        ("http://127.0.0.1.example.com", False),
        ("ftp://127.0.0.1", False),
    ],
)
def test_stations_reach_a_hub_off_this_machine_over_https_only(url, allowed):
    if allowed:
        assert check_hub_url(url) == url
    else:
        with pytest.raises(InsecureHubError, match="https"):
            check_hub_url(url)
        with pytest.raises(InsecureHubError):
            Station(url, "S", "lawyer", "token", [])


def test_a_station_command_refuses_plain_http_to_another_machine(capsys, monkeypatch):
    monkeypatch.setenv("PLEADESK_USER", "lawyer-1")
    monkeypatch.setenv("PLEADESK_PASSWORD", "correct horse battery staple")
    code = main(["station", "--hub", "http://10.2.0.5:8765", "--session", "S", "--headless",
                 "--script", "1", "--synthetic"])  # fmt: skip
    assert code == 1
    error = capsys.readouterr().err
    assert "could not join" in error and "https://" in error  # and nothing was sent
