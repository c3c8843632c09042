"""TLS between stations and the hub, under a certificate authority the hub makes itself.

``pleadesk hub init`` makes a small CA and the hub's server certificate (for the addresses the
hub serves on). Stations are given the CA certificate and trust nothing else for the hub, so a
machine on the network that pretends to be the hub is refused even though the justice network
has no public CA.
"""

from __future__ import annotations

import datetime
import ipaddress
import os
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

VALID_DAYS = 3650


@dataclass(frozen=True)
class HubCredentials:
    """Where a hub's TLS files are."""

    folder: Path

    @property
    def ca_certificate(self) -> Path:
        """The CA certificate that stations trust (give this file to every station)."""
        return self.folder / "ca.pem"

    @property
    def certificate(self) -> Path:
        """The hub's own certificate."""
        return self.folder / "hub.pem"

    @property
    def key(self) -> Path:
        """The hub's private key (mode 0600)."""
        return self.folder / "hub-key.pem"

    def exists(self) -> bool:
        """Whether the hub's certificate and key are in place."""
        return self.certificate.exists() and self.key.exists() and self.ca_certificate.exists()

    def server_context(self) -> ssl.SSLContext:
        """An SSL context for serving HTTPS and WSS."""
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.load_cert_chain(self.certificate, self.key)
        return context


class InsecureHubError(ValueError):
    """A hub address a station must not use: plain HTTP to another machine."""


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine's loopback interface."""
    try:
        return host == "localhost" or ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_hub_url(url: str) -> str:
    """``url`` if a station may reach the hub there: ``https://``, or ``http://`` to this
    machine only (a hub started with ``--insecure-loopback``); raises InsecureHubError."""
    parts = urlsplit(url)
    if parts.scheme == "https" or (parts.scheme == "http" and is_loopback(parts.hostname or "")):
        return url
    raise InsecureHubError(
        f"拒绝连接 {url}：中心须使用 HTTPS / refusing {url}: a hub on another machine is "
        "reached over https:// only"
    )


def client_context(ca_certificate: Path) -> ssl.SSLContext:
    """An SSL context for a station: trusts only the hub's CA, checks the host name."""
    context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=str(ca_certificate))
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def init_hub_credentials(
    folder: Path, hosts: Sequence[str], now: datetime.datetime | None = None
) -> HubCredentials:
    """Make the CA and the hub certificate for ``hosts`` (names or IP addresses) in ``folder``.

    Refuses to overwrite existing credentials: stations already trust that CA.
    """
    credentials = HubCredentials(folder)
    if credentials.ca_certificate.exists():
        raise FileExistsError(
            f"{credentials.ca_certificate} exists: the hub already has a CA that stations trust"
        )
    folder.mkdir(parents=True, exist_ok=True)
    now = now or datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name("PleaDesk hub CA")
    ca = (
        _builder(ca_name, ca_name, ca_key.public_key(), now)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(ca=True), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    hub_key = ec.generate_private_key(ec.SECP256R1())
    hub = (
        _builder(_name("PleaDesk hub"), ca_name, hub_key.public_key(), now)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(ca=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectAlternativeName([_san(h) for h in hosts]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    credentials.ca_certificate.write_bytes(ca.public_bytes(pem))
    credentials.certificate.write_bytes(hub.public_bytes(pem) + ca.public_bytes(pem))
    _write_private(credentials.key, hub_key)
    _write_private(folder / "ca-key.pem", ca_key)
    return credentials


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "PleaDesk"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _builder(
    subject: x509.Name, issuer: x509.Name, key: ec.EllipticCurvePublicKey, now: datetime.datetime
) -> x509.CertificateBuilder:
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=VALID_DAYS))
    )


def _key_usage(*, ca: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=not ca,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=not ca,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )


def _san(host: str) -> x509.GeneralName:
    try:
        return x509.IPAddress(ipaddress.ip_address(host))
    except ValueError:
        return x509.DNSName(host)


def _write_private(path: Path, key: ec.EllipticCurvePrivateKey) -> None:
    data = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as f:
        f.write(data)
