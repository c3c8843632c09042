"""Certificates and keys for signing: who signs, and the demo certificate authority.

A :class:`Signatory` is a signing certificate with its key and chain, the one thing the
signing code needs to know about a signer. Here keys are files (the demo) or are made on the
spot; a real deployment implements :class:`Signatory` over a smart card or HSM by returning
pyHanko's PKCS#11 signer from :meth:`Signatory.pyhanko_signer`.

:class:`DemoPki` is a demo root CA with the procuratorate's certificate, kept as PEM files,
that also issues certificates to the other signers (prosecutor, lawyer, the terminals that
sign on a person's behalf) and to a local timestamp authority.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko.sign import signers
from pyhanko_certvalidator.registry import SimpleCertificateStore

from documents.agreement import DEMO_PROCURATORATE
from documents.signing.pyhanko_internals import asn1_certificate, asn1_private_key
from documents.signing.timestamps import LocalTimestamper

PrivateKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey


class AgreementSigningError(RuntimeError):
    """A document could not be signed, or the signing certificates are unusable."""


class Signatory(Protocol):
    """Someone (or some station) able to sign: a certificate and a way to use its key."""

    @property
    def certificate(self) -> x509.Certificate:
        """The signing certificate."""
        ...

    @property
    def name(self) -> str:
        """The certificate's common name, as shown to readers."""
        ...

    def pyhanko_signer(self) -> signers.Signer:
        """The pyHanko signer that produces the CMS signature."""
        ...


@dataclass(frozen=True)
class KeyPairSignatory:
    """A :class:`Signatory` whose private key is in memory (files, or made on the spot)."""

    certificate: x509.Certificate
    key: PrivateKey
    chain: tuple[x509.Certificate, ...] = ()

    @property
    def name(self) -> str:
        """The certificate's common name."""
        return common_name(self.certificate)

    def pyhanko_signer(self) -> signers.Signer:
        """A pyHanko signer with the key and the chain to embed."""
        return signers.SimpleSigner(
            signing_cert=asn1_certificate(self.certificate),
            signing_key=asn1_private_key(self.key),
            cert_registry=SimpleCertificateStore.from_certs(
                [asn1_certificate(c) for c in self.chain]
            ),
        )


def common_name(cert: x509.Certificate) -> str:
    """The subject's common name, or the whole subject if it has none."""
    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(names[0].value) if names else cert.subject.rfc4514_string()


_FILES = ("root-ca.pem", "root-ca-key.pem", "procuratorate.pem", "procuratorate-key.pem")


_TSA_FILES = ("tsa.pem", "tsa-key.pem")


@dataclass(frozen=True)
class DemoPki:
    """A demo root CA and a procuratorate signing certificate, kept as PEM files.

    For demonstrations and tests only: the keys are stored unencrypted. A real deployment signs
    with the procuratorate's certificate from its CA, usually on a smart card or HSM.
    """

    directory: Path
    root_certificate: x509.Certificate
    root_key: ec.EllipticCurvePrivateKey
    signer_certificate: x509.Certificate
    signer_key: ec.EllipticCurvePrivateKey

    @property
    def trust_roots(self) -> list[x509.Certificate]:
        """The certificates a verifier should trust for documents signed with this PKI."""
        return [self.root_certificate]

    @property
    def procuratorate(self) -> KeyPairSignatory:
        """The procuratorate's own signing identity (its certification signatures)."""
        return KeyPairSignatory(self.signer_certificate, self.signer_key, (self.root_certificate,))

    def issue(self, name: str, organisation: str, unit: str | None = None) -> KeyPairSignatory:
        """A fresh certificate and key for ``name`` (a person or a station), valid two years.

        Demo certificates for the other signers are not kept: they are trusted through the
        root, and a fresh one per document is as good as a kept one for a demonstration.
        """
        now = datetime.now(UTC) - timedelta(days=1)
        key = ec.generate_private_key(ec.SECP256R1())
        cert = (
            _builder(
                _name(name, organisation, unit),
                self.root_certificate.subject,
                key.public_key(),
                now,
                years=2,
            )
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_key_usage(cert_sign=False), critical=True)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self.root_key.public_key()),
                critical=False,
            )
            .sign(self.root_key, hashes.SHA256())
        )
        return KeyPairSignatory(cert, key, (self.root_certificate,))

    def timestamper(self, clock: Callable[[], datetime] | None = None) -> LocalTimestamper:
        """A local RFC 3161 timestamp authority certified by the demo root.

        Its RSA key is made once and kept in the folder (making a 2048-bit key takes a good
        part of a second, too long to do per document).
        """
        cert_path, key_path = (self.directory / name for name in _TSA_FILES)
        if cert_path.exists() and key_path.exists():
            cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
            key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
            if not isinstance(key, rsa.RSAPrivateKey):
                raise AgreementSigningError(f"{key_path} is not an RSA key; delete it.")
        else:
            key, cert = self._create_tsa()
            _write_private(key_path, _key_pem(key))
            _write_private(cert_path, cert.public_bytes(serialization.Encoding.PEM))
        return LocalTimestamper(cert, key, (self.root_certificate,), clock)

    def _create_tsa(self) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
        now = datetime.now(UTC) - timedelta(days=1)
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        subject = _name("PleaDesk 演示时间戳服务（仅供演示）", "PleaDesk 演示证书机构")
        cert = (
            _builder(subject, self.root_certificate.subject, key.public_key(), now, years=5)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True
            )
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self.root_key.public_key()),
                critical=False,
            )
            .sign(self.root_key, hashes.SHA256())
        )
        return key, cert

    @classmethod
    def load_or_create(cls, directory: Path, *, procuratorate: str = DEMO_PROCURATORATE) -> DemoPki:
        """Load the PKI from ``directory``, creating it there on first use."""
        paths = [directory / name for name in _FILES]
        present = [p.exists() for p in paths]
        if not any(present):
            return cls._create(directory, procuratorate)
        if not all(present):
            missing = ", ".join(p.name for p, ok in zip(paths, present, strict=True) if not ok)
            raise AgreementSigningError(
                f"The demo certificate folder {directory} is incomplete (missing {missing}). "
                "Restore the missing files, or move the folder away to create new demo "
                "certificates (documents signed with the old ones will then show as untrusted)."
            )
        root, root_key, cert, key = (p.read_bytes() for p in paths)
        pki = cls(
            directory,
            x509.load_pem_x509_certificate(root),
            _load_key(root_key),
            x509.load_pem_x509_certificate(cert),
            _load_key(key),
        )
        if pki.signer_certificate.not_valid_after_utc < datetime.now(UTC):
            raise AgreementSigningError(
                f"The demo signing certificate in {directory} has expired; move the folder "
                "away to create new demo certificates."
            )
        return pki

    @classmethod
    def _create(cls, directory: Path, procuratorate: str) -> DemoPki:
        now = datetime.now(UTC) - timedelta(days=1)  # tolerate clocks a little behind
        root_key = ec.generate_private_key(ec.SECP256R1())
        root_name = _name("PleaDesk 演示根证书（仅供演示）", "PleaDesk 演示证书机构")
        root = (
            _builder(root_name, root_name, root_key.public_key(), now, years=20)
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(_key_usage(cert_sign=True), critical=True)
            .sign(root_key, hashes.SHA256())
        )
        key = ec.generate_private_key(ec.SECP256R1())
        subject = _name(procuratorate, procuratorate, unit="电子签名（演示）")
        cert = (
            _builder(subject, root_name, key.public_key(), now, years=5)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_key_usage(cert_sign=False), critical=True)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()),
                critical=False,
            )
            .sign(root_key, hashes.SHA256())
        )
        directory.mkdir(parents=True, exist_ok=True)
        pem = serialization.Encoding.PEM
        blobs = (root.public_bytes(pem), _key_pem(root_key), cert.public_bytes(pem), _key_pem(key))
        for name, blob in zip(_FILES, blobs, strict=True):
            _write_private(directory / name, blob)
        return cls(directory, root, root_key, cert, key)


def _name(common_name: str, organisation: str, unit: str | None = None) -> x509.Name:
    attributes = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
    ]
    if unit:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, unit))
    attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
    return x509.Name(attributes)


def _builder(
    subject: x509.Name,
    issuer: x509.Name,
    public_key: ec.EllipticCurvePublicKey | rsa.RSAPublicKey,
    start: datetime,
    *,
    years: int,
) -> x509.CertificateBuilder:
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=365 * years))
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
    )


def _key_usage(*, cert_sign: bool) -> x509.KeyUsage:
    # A signer needs nonRepudiation (content_commitment): validators reject signing
    # certificates without it by default.
    return x509.KeyUsage(
        digital_signature=not cert_sign,
        content_commitment=not cert_sign,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=cert_sign,
        crl_sign=cert_sign,
        encipher_only=False,
        decipher_only=False,
    )


def _key_pem(key: PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _load_key(pem: bytes) -> ec.EllipticCurvePrivateKey:
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise AgreementSigningError("The demo signing key is not an EC key; recreate the demo PKI.")
    return key


def _write_private(path: Path, blob: bytes) -> None:
    """Write a file readable by the owner only, atomically."""
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(blob)
    os.replace(tmp, path)
