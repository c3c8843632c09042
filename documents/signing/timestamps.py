"""RFC 3161 timestamps: a configured timestamp authority over HTTP, or a local one.

A trusted timestamp proves when a signature existed, independently of the signer's clock
(Electronic Signature Law arts. 5, 6, 13 as applied in practice). Where the procuratorate has a
TSA, :class:`HttpTimestamper` asks it over HTTP with Python's own HTTP client. Without one,
:class:`LocalTimestamper` signs timestamps itself with a demo TSA certificate; it takes the
clock as a parameter, so tests get fixed, known times.
"""

from __future__ import annotations

import asyncio
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from datetime import datetime

from asn1crypto import cms, core, tsp
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from pyhanko.sign import general
from pyhanko.sign.general import simple_cms_attribute
from pyhanko.sign.timestamps import TimeStamper
from pyhanko.sign.timestamps.common_utils import TimestampRequestError
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

from documents.signing.pyhanko_internals import (
    TokenSigningTimeStamper,
    asn1_certificate,
    asn1_private_key,
)

Clock = Callable[[], datetime]
_QUERY_TYPE = "application/timestamp-query"
_REPLY_TYPE = "application/timestamp-reply"
MAX_REPLY_BYTES = 256 * 1024


class LocalTimestamper(TokenSigningTimeStamper):
    """A timestamp authority in this process, signing with an RSA TSA certificate.

    ``clock`` gives the time written into each token (the wall clock if omitted).
    """

    def __init__(
        self,
        certificate: x509.Certificate,
        key: rsa.RSAPrivateKey,
        chain: Sequence[x509.Certificate] = (),
        clock: Clock | None = None,
    ) -> None:
        super().__init__(
            tsa_cert=asn1_certificate(certificate),
            tsa_key=asn1_private_key(key),
            certs_to_embed=[asn1_certificate(c) for c in chain],  # type: ignore[arg-type]
        )
        self.certificate = certificate
        self._key = key
        self._clock = clock

    def request_tsa_response(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp:
        """Answer one request, stamped with the clock's time."""
        if self._clock is not None:
            self.fixed_dt = self._clock()
        return super().request_tsa_response(req)

    def sign_token(
        self, tst_info_data: bytes, md_algorithm: str, dt: datetime
    ) -> tuple[bytes, cms.CMSAttributes]:
        """Sign a token with the RSA key in memory: the signature and the signed attributes."""
        # pyHanko's version parses the RSA key from DER for every token, and cryptography
        # checks an RSA key's consistency on every load: a tenth of a second per token.
        # Signing with the key already in memory gives the same token.
        md = hashes.Hash(get_pyca_cryptography_hash(md_algorithm))
        md.update(tst_info_data)
        signed_attrs = cms.CMSAttributes(
            [
                simple_cms_attribute("content_type", "tst_info"),
                simple_cms_attribute("signing_time", cms.Time({"utc_time": core.UTCTime(dt)})),
                simple_cms_attribute(
                    "signing_certificate", general.as_signing_certificate(self.tsa_cert)
                ),
                simple_cms_attribute("message_digest", md.finalize()),
            ]
        )
        signature = self._key.sign(
            signed_attrs.dump(), PKCS1v15(), get_pyca_cryptography_hash(md_algorithm.upper())
        )
        return signature, signed_attrs

    def reply(self, query: bytes) -> bytes:
        """Answer a DER-encoded ``TimeStampReq`` with a DER ``TimeStampResp`` (for a server)."""
        return self.request_tsa_response(tsp.TimeStampReq.load(query)).dump()


class HttpTimestamper(TimeStamper):
    """A client of an RFC 3161 timestamp authority at ``url`` (HTTP POST, RFC 3161 §3.4)."""

    def __init__(self, url: str, *, timeout: float = 10.0) -> None:
        super().__init__()
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"The timestamp authority address {url!r} is not an http(s) URL.")
        self.url = url
        self.timeout = timeout

    async def async_request_tsa_response(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp:
        """Send one request and parse the reply; network work happens in a thread."""
        return await asyncio.to_thread(self._post, req.dump())

    def _post(self, body: bytes) -> tsp.TimeStampResp:
        request = urllib.request.Request(
            self.url, data=body, headers={"Content-Type": _QUERY_TYPE}, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                kind = response.headers.get("Content-Type", "")
                reply = response.read(MAX_REPLY_BYTES + 1)
        except (urllib.error.URLError, OSError) as exc:
            raise TimestampRequestError(
                f"The timestamp authority at {self.url} could not be reached ({exc})."
            ) from exc
        if kind.split(";")[0].strip() != _REPLY_TYPE or len(reply) > MAX_REPLY_BYTES:
            raise TimestampRequestError(
                f"The timestamp authority at {self.url} did not send a timestamp reply."
            )
        return tsp.TimeStampResp.load(reply)


def timestamper_for(url: str | None) -> TimeStamper | None:
    """The client for a configured TSA address, or None when no TSA is configured."""
    return HttpTimestamper(url) if url else None
