"""RFC 3161 timestamps from a timestamp authority reached over HTTP on 127.0.0.1."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from documents.pdf.agreement import render_agreement
from documents.samples.case import demo_agreement
from documents.samples.handwriting import synthetic_signature
from documents.signing.pades import (
    AgreementSigningError,
    DemoPki,
    FieldSignature,
    certify,
    sign_field,
    verify_pdf,
)
from documents.signing.timestamps import HttpTimestamper, LocalTimestamper, timestamper_for

STAMPED_AT = datetime(2026, 11, 22, 8, 0, 0, tzinfo=UTC)


class Tsa:
    """A tiny RFC 3161 server (HTTP POST, application/timestamp-query) in a thread."""

    def __init__(self, authority: LocalTimestamper, reply_type: str) -> None:
        self.requests = 0
        tsa = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                tsa.requests += 1
                query = self.rfile.read(int(self.headers["Content-Length"]))
                assert self.headers["Content-Type"] == "application/timestamp-query"
                reply = authority.reply(query)
                self.send_response(200)
                self.send_header("Content-Type", reply_type)
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/tsa"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


@pytest.fixture(scope="module")
def pki(tmp_path_factory) -> DemoPki:
    return DemoPki.load_or_create(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def tsa(pki: DemoPki) -> Iterator[Tsa]:
    server = Tsa(pki.timestamper(lambda: STAMPED_AT), "application/timestamp-reply")
    yield server
    server.close()


@pytest.fixture(scope="module")
def draft() -> bytes:
    agreement = demo_agreement("东滨检刑诉〔2026〕1234号", "S-3", on=date(2026, 11, 22))
    return render_agreement(agreement, {})


def test_signatures_carry_a_timestamp_from_the_http_authority(
    draft: bytes, pki: DemoPki, tsa: Tsa
) -> None:
    stamper = HttpTimestamper(tsa.url)
    pdf = certify(draft, pki.procuratorate, reason="认证", timestamper=stamper)
    hand = synthetic_signature("suspect", "张三", 1)
    request = FieldSignature("Suspect", pki.issue("终端", "看守所"), "张三", "签名", hand)
    pdf = sign_field(pdf, request, timestamper=stamper)
    checks = verify_pdf(pdf, pki.trust_roots)
    assert [c.timestamp for c in checks] == [STAMPED_AT, STAMPED_AT]
    assert all(c.ok and c.timestamp_ok for c in checks)
    # One round trip per signature: no trial signature asks the authority twice.
    assert tsa.requests == 2


def test_a_timestamp_from_an_untrusted_authority_fails_the_check(
    draft: bytes, pki: DemoPki, tsa: Tsa, tmp_path: Path
) -> None:
    pdf = certify(draft, pki.procuratorate, reason="认证", timestamper=HttpTimestamper(tsa.url))
    stranger = DemoPki.load_or_create(tmp_path / "other")
    [check] = verify_pdf(pdf, pki.trust_roots, tsa_roots=stranger.trust_roots)
    assert check.intact and check.valid and check.trusted
    assert check.timestamp_ok is False and not check.ok


def test_an_unreachable_authority_stops_signing_with_a_clear_message(
    draft: bytes, pki: DemoPki
) -> None:
    dead = Tsa(pki.timestamper(), "application/timestamp-reply")
    url = dead.url
    dead.close()
    with pytest.raises(AgreementSigningError, match=r"timestamp authority .* could not be reached"):
        certify(draft, pki.procuratorate, reason="认证", timestamper=HttpTimestamper(url))


def test_a_reply_that_is_not_a_timestamp_is_refused(draft: bytes, pki: DemoPki) -> None:
    wrong = Tsa(pki.timestamper(), "text/html")
    try:
        with pytest.raises(AgreementSigningError, match="did not send a timestamp reply"):
            certify(draft, pki.procuratorate, reason="认证", timestamper=HttpTimestamper(wrong.url))
    finally:
        wrong.close()


def test_timestamper_configuration() -> None:
    assert timestamper_for(None) is None and timestamper_for("") is None
    assert isinstance(timestamper_for("http://127.0.0.1:1/tsa"), HttpTimestamper)
    with pytest.raises(ValueError, match="not an http"):
        HttpTimestamper("ftp://example/tsa")
