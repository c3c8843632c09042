"""PAdES certification of the agreement, checked by pyHanko and by poppler's pdfsig."""

from __future__ import annotations

import io
import stat
import subprocess
import time
from datetime import date
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.x509.oid import NameOID
from pyhanko.keys.internal import translate_pyca_cryptography_cert_to_asn1 as asn1_cert
from pyhanko.keys.internal import translate_pyca_cryptography_key_to_asn1 as asn1_key
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers
from pyhanko_certvalidator.registry import SimpleCertificateStore
from reportlab.pdfgen.canvas import Canvas

from documents.agreement import demo_agreement
from documents.pdf import render_agreement
from documents.signature import synthetic_signature
from documents.signing import AgreementSigningError, DemoPki, sign_agreement, verify_pdf


@pytest.fixture(scope="module")
def pki(tmp_path_factory) -> DemoPki:
    return DemoPki.load_or_create(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def agreement_pdf() -> bytes:
    agreement = demo_agreement("东滨检刑诉〔2026〕1234号", "S-1", on=date(2026, 11, 22))
    signatures = {"suspect": synthetic_signature("suspect", agreement.suspect.name, 1)}
    return render_agreement(agreement, signatures)


@pytest.fixture(scope="module")
def signed(agreement_pdf: bytes, pki: DemoPki) -> bytes:
    return sign_agreement(agreement_pdf, pki)


def pdfsig(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    result = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, timeout=60)
    return result.stdout + result.stderr


def test_demo_pki_is_created_once_and_reused(tmp_path: Path) -> None:
    first = DemoPki.load_or_create(tmp_path / "pki")
    again = DemoPki.load_or_create(tmp_path / "pki")
    assert again.signer_certificate == first.signer_certificate
    assert again.root_certificate == first.root_certificate
    for key_file in ("root-ca-key.pem", "procuratorate-key.pem"):
        mode = (tmp_path / "pki" / key_file).stat().st_mode
        assert stat.S_IMODE(mode) == 0o600


def test_signing_certificate_is_for_non_repudiation_with_a_chinese_name(pki: DemoPki) -> None:
    cert = pki.signer_certificate
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment
    organisation = cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value
    assert organisation == "东湖市滨江区人民检察院"
    assert cert.issuer == pki.root_certificate.subject


def test_incomplete_pki_folder_is_not_silently_replaced(tmp_path: Path) -> None:
    DemoPki.load_or_create(tmp_path)
    (tmp_path / "procuratorate-key.pem").unlink()
    with pytest.raises(AgreementSigningError, match=r"procuratorate-key\.pem"):
        DemoPki.load_or_create(tmp_path)


def test_certified_agreement_verifies(signed: bytes, pki: DemoPki) -> None:
    [check] = verify_pdf(signed, pki.trust_roots)
    assert check.field == "Procuratorate"
    assert check.signer == "东湖市滨江区人民检察院"
    assert check.intact and check.valid and check.trusted and check.ok
    assert check.certification and check.covers_whole_file
    assert check.modification_level == "none"


def test_pdfsig_says_valid_and_whole_document_signed(signed: bytes, tmp_path: Path) -> None:
    out = pdfsig(signed, tmp_path)
    assert "Signature Field Name: Procuratorate" in out
    assert "Signature is Valid." in out
    assert "Total document signed" in out
    assert "ETSI.CAdES.detached" in out  # PAdES


def tamper(pdf: bytes) -> bytes:
    """Change one byte inside the signed revision, keeping every offset."""
    index = pdf.index(b"(PleaDesk)") + 1
    assert index < pdf.index(b"/ByteRange")
    return pdf[:index] + b"p" + pdf[index + 1 :]


def test_a_changed_byte_is_detected(signed: bytes, pki: DemoPki, tmp_path: Path) -> None:
    [check] = verify_pdf(tamper(signed), pki.trust_roots)
    assert not check.intact and not check.ok
    out = pdfsig(tamper(signed), tmp_path)
    assert "Signature is Valid." not in out
    assert "Digest Mismatch" in out


def test_signature_from_an_unknown_authority_is_not_trusted(signed: bytes, tmp_path: Path) -> None:
    stranger = DemoPki.load_or_create(tmp_path / "other")
    [check] = verify_pdf(signed, stranger.trust_roots)
    assert check.intact and check.valid
    assert not check.trusted and not check.ok


def test_later_signatures_in_the_prepared_fields_keep_the_certification_valid(
    signed: bytes, pki: DemoPki
) -> None:
    # What the suspect's and lawyer's digital signatures will do later: sign "Suspect".
    signer = signers.SimpleSigner(
        signing_cert=asn1_cert(pki.signer_certificate),
        signing_key=asn1_key(pki.signer_key),
        cert_registry=SimpleCertificateStore.from_certs([asn1_cert(pki.root_certificate)]),
    )
    meta = signers.PdfSignatureMetadata(field_name="Suspect", md_algorithm="sha256")
    writer = IncrementalPdfFileWriter(io.BytesIO(signed))
    twice = signers.PdfSigner(meta, signer=signer).sign_pdf(writer, existing_fields_only=True)
    certification, suspect = verify_pdf(twice.getvalue(), pki.trust_roots)
    assert certification.field == "Procuratorate" and certification.ok
    assert certification.modification_level == "form_filling" and certification.docmdp_ok
    assert suspect.field == "Suspect" and suspect.ok


def test_pdf_without_the_procuratorate_field_is_refused(pki: DemoPki) -> None:
    buffer = io.BytesIO()
    canvas = Canvas(buffer)
    canvas.drawString(100, 700, "no signature fields")
    canvas.save()
    with pytest.raises(AgreementSigningError, match="could not be signed"):
        sign_agreement(buffer.getvalue(), pki)


def test_unreadable_file_is_reported(pki: DemoPki) -> None:
    with pytest.raises(AgreementSigningError, match="not a readable PDF"):
        verify_pdf(b"this is not a pdf", pki.trust_roots)


def test_render_and_sign_stay_fast(pki: DemoPki) -> None:
    agreement = demo_agreement("案", "S-2", on=date(2026, 11, 22))
    signatures = {
        "suspect": synthetic_signature("suspect", agreement.suspect.name, 1),
        "lawyer": synthetic_signature("lawyer", agreement.lawyer.name, 2),
    }
    render_agreement(agreement, signatures)  # warm: the font is parsed once per process
    start = time.perf_counter()
    sign_agreement(render_agreement(agreement, signatures), pki)
    # About 0.4 s on an idle two-core machine; the margin absorbs a busy test runner while
    # still catching a slowdown that would stall the signing step.
    assert time.perf_counter() - start < 5.0
