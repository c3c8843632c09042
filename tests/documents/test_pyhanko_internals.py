"""The one module over pyHanko's internals: the names it relies on, and what it converts."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from asn1crypto import cms
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.x509.oid import NameOID
from pyhanko.sign.timestamps import DummyTimeStamper

from documents.signing.pyhanko_internals import (
    TokenSigningTimeStamper,
    asn1_certificate,
    asn1_private_key,
    check_internals,
)

Key = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey


def self_signed(key: Key, name: str) -> x509.Certificate:
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    start = datetime.now(UTC) - timedelta(days=1)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=30))
        .sign(key, hashes.SHA256())
    )


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def test_the_internals_relied_on_are_there() -> None:
    check_internals()  # raises, naming the internal, if an upgrade moved one


@pytest.mark.parametrize("kind", ["ec", "rsa"])
def test_certificates_and_keys_convert_with_the_same_der(
    kind: str, rsa_key: rsa.RSAPrivateKey
) -> None:
    key: Key = ec.generate_private_key(ec.SECP256R1()) if kind == "ec" else rsa_key
    cert = self_signed(key, f"测试 {kind}")

    asn1_cert = asn1_certificate(cert)
    assert asn1_cert.dump() == cert.public_bytes(serialization.Encoding.DER)
    assert asn1_cert.subject.native["common_name"] == f"测试 {kind}"
    assert x509.load_der_x509_certificate(asn1_cert.dump()) == cert

    asn1_key = asn1_private_key(key)
    pkcs8 = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    assert asn1_key.dump() == pkcs8
    assert asn1_key["private_key_algorithm"]["algorithm"].native == kind
    back = serialization.load_der_private_key(asn1_key.dump(), password=None)
    assert isinstance(back, type(key))
    assert back.private_numbers() == key.private_numbers()


def test_a_removed_token_hook_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(DummyTimeStamper, "_sign_tst_info")
    with pytest.raises(RuntimeError, match=r"DummyTimeStamper\._sign_tst_info is missing"):
        check_internals()


def test_a_changed_token_hook_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    def narrower(self: DummyTimeStamper, tst_info_data: bytes) -> None:
        raise AssertionError("never called")

    monkeypatch.setattr(DummyTimeStamper, "_sign_tst_info", narrower)
    with pytest.raises(RuntimeError, match=r"DummyTimeStamper\._sign_tst_info now takes"):
        check_internals()


def test_pyhanko_signs_each_token_through_sign_token(rsa_key: rsa.RSAPrivateKey) -> None:
    cert = self_signed(rsa_key, "测试时间戳")
    calls: list[str] = []

    class Recording(TokenSigningTimeStamper):
        def sign_token(
            self, tst_info_data: bytes, md_algorithm: str, dt: datetime
        ) -> tuple[bytes, cms.CMSAttributes]:
            calls.append(md_algorithm)
            return super().sign_token(tst_info_data, md_algorithm, dt)  # pyHanko's own signing

    stamper = Recording(tsa_cert=asn1_certificate(cert), tsa_key=asn1_private_key(rsa_key))
    digest = hashlib.sha256(b"agreement").digest()
    _, request = stamper.request_cms(digest, "sha256")
    reply = stamper.request_tsa_response(request)

    assert calls == ["sha256"]
    signed = reply["time_stamp_token"]["content"]
    info = signed["encap_content_info"]["content"].parsed
    assert info["message_imprint"]["hashed_message"].native == digest
    signer = signed["signer_infos"][0]
    # The signature pyHanko put in the token checks out with the TSA certificate's key.
    public = cert.public_key()
    assert isinstance(public, rsa.RSAPublicKey)
    data = signer["signed_attrs"].untag().dump()
    public.verify(signer["signature"].native, data, PKCS1v15(), hashes.SHA256())
