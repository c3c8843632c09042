"""Where this project meets pyHanko below its public API: the one module that does.

Written against pyHanko 0.38.0 and pyhanko-certvalidator 0.33.0; ``pyproject.toml`` pins those
minor versions because of this module. After an upgrade, :func:`check_internals` (run by the
tests) names what moved.

The one private name used is ``DummyTimeStamper._sign_tst_info``, the hook that signs a
timestamp token. pyHanko's own version parses the TSA's RSA key from DER for every token, and
``cryptography`` checks an RSA key's consistency on every load: a tenth of a second per token.
:class:`TokenSigningTimeStamper` hands that hook to :meth:`~TokenSigningTimeStamper.sign_token`,
a name of ours, so the local TSA can sign with the key it already holds.

The conversions from ``cryptography`` objects to the asn1crypto ones pyHanko takes used to come
from ``pyhanko.keys.internal``. pyHanko 0.38 has no public function for them: its public
loaders in ``pyhanko.keys`` take PEM or DER bytes, and would parse a private key through
``cryptography`` again. None is needed: the conversion is DER out of ``cryptography`` and into
asn1crypto's public ``load``, so :func:`asn1_certificate` and :func:`asn1_private_key` use
those two public APIs and no pyHanko name. They live here as the bridge the signing code uses.
"""

from __future__ import annotations

import inspect
from datetime import datetime

from asn1crypto import cms, keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from pyhanko.sign.timestamps import DummyTimeStamper

# The hook pyHanko's DummyTimeStamper.request_tsa_response calls to sign each token, and the
# parameters it is called with (positionally, after self).
_TOKEN_HOOK = "_sign_tst_info"
_TOKEN_HOOK_PARAMETERS = ("self", "tst_info_data", "md_algorithm", "dt")


def check_internals() -> None:
    """Raise :class:`RuntimeError` naming any pyHanko internal this module relies on that is gone.

    Looked up by name here, not imported, so an upgrade that renames one fails with this message
    instead of an ``AttributeError`` somewhere inside signing (or, for the token hook, no error
    at all: pyHanko would quietly stop calling our override and timestamps would get slow).
    """
    where = f"pyhanko.sign.timestamps.DummyTimeStamper.{_TOKEN_HOOK}"
    hook = getattr(DummyTimeStamper, _TOKEN_HOOK, None)
    if hook is None:
        raise RuntimeError(
            f"{where} is missing in the installed pyHanko (written against 0.38); "
            "documents.signing.pyhanko_internals.TokenSigningTimeStamper needs updating."
        )
    parameters = tuple(inspect.signature(hook).parameters)
    if parameters != _TOKEN_HOOK_PARAMETERS:
        raise RuntimeError(
            f"{where} now takes {parameters}, not {_TOKEN_HOOK_PARAMETERS} (pyHanko 0.38); "
            "documents.signing.pyhanko_internals.TokenSigningTimeStamper needs updating."
        )


def asn1_certificate(cert: x509.Certificate) -> asn1_x509.Certificate:
    """``cert`` as the asn1crypto certificate pyHanko's signers and validators take."""
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def asn1_private_key(
    key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey,
) -> keys.PrivateKeyInfo:
    """``key`` as the asn1crypto PKCS#8 structure pyHanko's signers take (unencrypted)."""
    der = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return keys.PrivateKeyInfo.load(der)


class TokenSigningTimeStamper(DummyTimeStamper):
    """pyHanko's in-process timestamp authority, with token signing in :meth:`sign_token`.

    Subclasses override :meth:`sign_token` rather than pyHanko's private hook, so that hook's
    name appears in this module only.
    """

    def _sign_tst_info(
        self, tst_info_data: bytes, md_algorithm: str, dt: datetime
    ) -> tuple[bytes, cms.CMSAttributes]:
        return self.sign_token(tst_info_data, md_algorithm, dt)

    def sign_token(
        self, tst_info_data: bytes, md_algorithm: str, dt: datetime
    ) -> tuple[bytes, cms.CMSAttributes]:
        """Sign the DER ``TSTInfo`` made at ``dt``: the signature and the signed attributes.

        This default is pyHanko's own signing.
        """
        return super()._sign_tst_info(tst_info_data, md_algorithm, dt)


# At import, so an upgrade that moved what this module touches fails at start-up.
check_internals()
