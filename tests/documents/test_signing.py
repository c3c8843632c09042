"""PAdES signing of the agreement: certification, then suspect, lawyer and prosecutor.

Every verdict is checked twice, by pyHanko's validator and by poppler's ``pdfsig``.
"""

from __future__ import annotations

import dataclasses
import io
import stat
import subprocess
import time
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from reportlab.pdfgen.canvas import Canvas

from documents.agreement import PleaAgreement
from documents.pdf.agreement import render_agreement
from documents.samples.case import demo_agreement
from documents.samples.handwriting import synthetic_fingerprint, synthetic_signature
from documents.signing.pades import (
    AgreementSigningError,
    DemoPki,
    DocumentMismatchError,
    FieldSignature,
    certify,
    document_sha256,
    presented_revision,
    sign_agreement,
    sign_field,
    verify_pdf,
)

SIGNED_AT = datetime(2026, 11, 22, 6, 30, 0, tzinfo=UTC)


def fixed_clock() -> datetime:
    return SIGNED_AT


@pytest.fixture(scope="module")
def pki(tmp_path_factory) -> DemoPki:
    return DemoPki.load_or_create(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def agreement() -> PleaAgreement:
    return demo_agreement("东滨检刑诉〔2026〕1234号", "S-1", on=date(2026, 11, 22))


@pytest.fixture(scope="module")
def draft(agreement: PleaAgreement) -> bytes:
    return render_agreement(agreement, {})


@pytest.fixture(scope="module")
def certified(draft: bytes, pki: DemoPki) -> bytes:
    return sign_agreement(draft, pki, clock=fixed_clock)


def suspect_signs(pdf: bytes, pki: DemoPki, agreement: PleaAgreement, seen: str) -> bytes:
    handwriting = dataclasses.replace(
        synthetic_signature("suspect", agreement.suspect.name, 1), document_sha256=seen
    )
    terminal = pki.issue("东湖市滨江区看守所远程签署终端", "东湖市滨江区看守所")
    fingerprint = synthetic_fingerprint(3)
    name = agreement.suspect.name
    request = FieldSignature("Suspect", terminal, name, "犯罪嫌疑人签名", handwriting, fingerprint)
    return sign_field(pdf, request, clock=fixed_clock)


@pytest.fixture(scope="module")
def fully_signed(certified: bytes, pki: DemoPki, agreement: PleaAgreement) -> bytes:
    shown = document_sha256(certified)
    pdf = suspect_signs(certified, pki, agreement, shown)
    lawyer = pki.issue(agreement.lawyer.name, agreement.lawyer.law_firm, "律师执业证书")
    handwriting = synthetic_signature("lawyer", agreement.lawyer.name, 2)
    request = FieldSignature("Lawyer", lawyer, agreement.lawyer.name, "见证", handwriting)
    pdf = sign_field(pdf, request, seen_sha256=shown, clock=fixed_clock)
    prosecutor = pki.issue(agreement.prosecutor, agreement.procuratorate, "检察官")
    request = FieldSignature("Prosecutor", prosecutor, agreement.prosecutor, "承办检察官签名")
    return sign_field(pdf, request, clock=fixed_clock)


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
    person = pki.issue("陈正平", "东湖正言律师事务所").certificate
    assert person.issuer == pki.root_certificate.subject
    assert person.extensions.get_extension_for_class(x509.KeyUsage).value.content_commitment


def test_incomplete_pki_folder_is_not_silently_replaced(tmp_path: Path) -> None:
    DemoPki.load_or_create(tmp_path)
    (tmp_path / "procuratorate-key.pem").unlink()
    with pytest.raises(AgreementSigningError, match=r"procuratorate-key\.pem"):
        DemoPki.load_or_create(tmp_path)


def test_certified_agreement_verifies(certified: bytes, pki: DemoPki) -> None:
    [check] = verify_pdf(certified, pki.trust_roots)
    assert check.field == "Procuratorate"
    assert check.signer == "东湖市滨江区人民检察院"
    assert check.intact and check.valid and check.trusted and check.ok
    assert check.certification and check.covers_whole_file
    assert check.modification_level == "none"
    assert check.signing_time == SIGNED_AT  # the injected clock, not the wall clock


def test_pdfsig_says_valid_and_whole_document_signed(certified: bytes, tmp_path: Path) -> None:
    out = pdfsig(certified, tmp_path)
    assert "Signature Field Name: Procuratorate" in out
    assert "Signature is Valid." in out
    assert "Total document signed" in out
    assert "ETSI.CAdES.detached" in out  # PAdES


def test_all_four_signatures_valid_for_pyhanko_and_pdfsig(
    fully_signed: bytes, pki: DemoPki, agreement: PleaAgreement, tmp_path: Path
) -> None:
    checks = verify_pdf(fully_signed, pki.trust_roots)
    assert [c.field for c in checks] == ["Procuratorate", "Suspect", "Lawyer", "Prosecutor"]
    assert all(c.ok and c.intact and c.valid and c.trusted and c.docmdp_ok for c in checks)
    # Everything after the certification is signing, which it allows; nothing else changed.
    assert [c.modification_level for c in checks] == ["form_filling"] * 3 + ["none"]
    assert checks[1].signer == "东湖市滨江区看守所远程签署终端"
    assert checks[1].person == agreement.suspect.name  # signed on the suspect's behalf
    assert checks[2].signer == checks[2].person == agreement.lawyer.name  # own certificate
    out = pdfsig(fully_signed, tmp_path)
    assert out.count("Signature is Valid.") == 4
    for field in ("Procuratorate", "Suspect", "Lawyer", "Prosecutor"):
        assert f"Signature Field Name: {field}" in out
    assert out.count("Total document signed") == 1 and "Not total document signed" in out


def tamper(pdf: bytes) -> bytes:
    """Change one byte inside the first (signed) revision, keeping every offset."""
    index = pdf.index(b"(PleaDesk)") + 1
    assert index < pdf.index(b"/ByteRange")
    return pdf[:index] + b"p" + pdf[index + 1 :]


def test_a_changed_byte_is_detected(fully_signed: bytes, pki: DemoPki, tmp_path: Path) -> None:
    checks = verify_pdf(tamper(fully_signed), pki.trust_roots)
    assert checks and not any(c.intact or c.ok for c in checks)
    out = pdfsig(tamper(fully_signed), tmp_path)
    assert "Signature is Valid." not in out
    assert out.count("Digest Mismatch") == 4


def test_a_content_change_after_certification_is_not_allowed(
    certified: bytes, pki: DemoPki
) -> None:
    writer = IncrementalPdfFileWriter(io.BytesIO(certified))
    stream = generic.StreamObject(stream_data=b"BT /F1 12 Tf 100 100 Td (added later) Tj ET")
    writer.add_stream_to_page(0, writer.add_object(stream))
    out = io.BytesIO()
    writer.write(out)
    [check] = verify_pdf(out.getvalue(), pki.trust_roots)
    assert check.intact and check.valid  # the signed bytes themselves are untouched ...
    assert not check.ok and check.modification_level == "other"  # ... but the page changed


def test_signature_from_an_unknown_authority_is_not_trusted(
    certified: bytes, tmp_path: Path
) -> None:
    stranger = DemoPki.load_or_create(tmp_path / "other")
    [check] = verify_pdf(certified, stranger.trust_roots)
    assert check.intact and check.valid
    assert not check.trusted and not check.ok


def test_handwriting_given_on_another_document_is_refused(
    certified: bytes, draft: bytes, pki: DemoPki, agreement: PleaAgreement
) -> None:
    other = demo_agreement("东滨检刑诉〔2026〕1234号", "S-2", on=date(2026, 11, 22))
    with pytest.raises(DocumentMismatchError, match="not the one shown"):
        suspect_signs(certified, pki, agreement, document_sha256(render_agreement(other, {})))
    # The uncertified draft is the certified file's first revision: certifying only signed it.
    assert presented_revision(certified, document_sha256(draft)) == len(draft)


def test_the_shown_document_may_have_gained_signatures_since(
    fully_signed: bytes, certified: bytes
) -> None:
    length = presented_revision(fully_signed, document_sha256(certified))
    assert fully_signed[:length] == certified


def test_a_signed_field_cannot_be_signed_again(fully_signed: bytes, pki: DemoPki) -> None:
    request = FieldSignature("Suspect", pki.procuratorate, "x", "again")
    with pytest.raises(AgreementSigningError, match="already signed"):
        sign_field(fully_signed, request)


def test_pdf_without_the_procuratorate_field_is_refused(pki: DemoPki) -> None:
    buffer = io.BytesIO()
    canvas = Canvas(buffer)
    canvas.drawString(100, 700, "no signature fields")
    canvas.save()
    with pytest.raises(AgreementSigningError, match="could not be signed"):
        sign_agreement(buffer.getvalue(), pki)
    with pytest.raises(AgreementSigningError, match="no signature field 'Lawyer'"):
        sign_field(buffer.getvalue(), FieldSignature("Lawyer", pki.procuratorate, "x", "y"))


def test_unreadable_file_is_reported(pki: DemoPki) -> None:
    with pytest.raises(AgreementSigningError, match="not a readable PDF"):
        verify_pdf(b"this is not a pdf", pki.trust_roots)


def test_render_and_three_signatures_with_a_timestamp_stay_fast(
    pki: DemoPki, agreement: PleaAgreement
) -> None:
    tsa = pki.timestamper()
    render_agreement(agreement, {})  # warm: the font is parsed once per process
    start = time.perf_counter()
    pdf = certify(
        render_agreement(agreement, {}), pki.procuratorate, reason="认证", timestamper=tsa
    )
    shown = document_sha256(pdf)
    for field, name in (("Suspect", agreement.suspect.name), ("Lawyer", agreement.lawyer.name)):
        hand = synthetic_signature(field.lower(), name, 1)
        request = FieldSignature(field, pki.procuratorate, name, "签名", hand)
        pdf = sign_field(pdf, request, seen_sha256=shown, timestamper=tsa)
    elapsed = time.perf_counter() - start
    # About 0.6 s on an idle two-core machine (see bench/bench_documents.py); the bound
    # absorbs a busy test runner while catching a return to the naive 1.7 s and beyond.
    assert elapsed < 4.0
    assert all(c.ok and c.timestamp_ok for c in verify_pdf(pdf, pki.trust_roots))
