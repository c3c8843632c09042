"""The rights notice (认罪认罚从宽制度告知书): data, Chinese PDF, English rendering."""

from __future__ import annotations

import dataclasses
import re
import subprocess
from datetime import date
from pathlib import Path

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.fields import enumerate_sig_fields

from documents.agreement import Literacy
from documents.checks import NoticeError
from documents.notice import ITEMS_EN, ITEMS_ZH, RightsNotice
from documents.pdf.notice import notice_fields, render_notice
from documents.samples.case import demo_agreement
from documents.samples.handwriting import synthetic_fingerprint, synthetic_signature
from documents.signing.pki import DemoPki
from documents.signing.session_signer import SessionSigner
from documents.signing.verify import verify_pdf

ON = date(2026, 11, 22)


def run(*args: str | Path) -> str:
    return subprocess.run(
        [str(a) for a in args], check=True, capture_output=True, text=True, timeout=60
    ).stdout


@pytest.fixture(scope="module")
def notice() -> RightsNotice:
    return RightsNotice.from_agreement(demo_agreement("东滨检刑诉〔2026〕1234号", "S-5", on=ON))


@pytest.fixture(scope="module")
def foreign() -> RightsNotice:
    agreement = demo_agreement("东滨检刑诉〔2026〕1234号", "S-6", on=ON, language="en")
    return RightsNotice.from_agreement(agreement)


def fields(pdf: Path) -> set[str]:
    with pdf.open("rb") as f:
        return {name for name, _, _ in enumerate_sig_fields(PdfFileReader(f))}


def test_notice_follows_its_agreement(notice: RightsNotice, foreign: RightsNotice) -> None:
    assert notice.charges == ("盗窃罪",) and notice.date == ON
    assert notice.delivery is Literacy.READS_CHINESE and not notice.needs_english
    assert foreign.delivery is Literacy.INTERPRETED and foreign.interpreter == "林晓雯"
    assert foreign.needs_english
    assert RightsNotice.from_json(notice.to_json()) == notice
    assert notice.document_id.startswith("GZS-")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"case_number": ""}, "case_number"),
        ({"suspect_name": "张\n三"}, "suspect_name"),
        ({"charges": ()}, "charges"),
        ({"charges": ("",)}, "charges[0]"),
        ({"delivery": Literacy.INTERPRETED, "interpreter": " "}, "interpreter"),
        ({"prosecutor": "检" * 51}, "prosecutor"),
    ],
)
def test_invalid_notice_fields_are_named(notice: RightsNotice, changes: dict, field: str) -> None:
    with pytest.raises(NoticeError) as err:
        dataclasses.replace(notice, **changes)
    assert err.value.field == field


def test_notice_from_json_rejects_other_documents(notice: RightsNotice) -> None:
    with pytest.raises(NoticeError) as err:
        RightsNotice.from_json({**notice.to_json(), "schema": "x"})
    assert err.value.field == "schema"
    with pytest.raises(NoticeError) as err:
        RightsNotice.from_json({**notice.to_json(), "date": "yesterday"})
    assert err.value.field == "date"


def test_chinese_notice_states_every_item(notice: RightsNotice, tmp_path: Path) -> None:
    path = tmp_path / "notice.pdf"
    path.write_bytes(render_notice(notice))
    text = re.sub(r"\s+", "", run("pdftotext", "-enc", "UTF-8", path, "-"))
    assert "认罪认罚从宽制度告知书" in text and f"犯罪嫌疑人：{notice.suspect_name}" in text
    for item in ITEMS_ZH:
        assert item in text
    assert "以上告知内容本人已阅读" in text and "告知人（承办检察官）：" in text
    for line in run("pdftotext", "-enc", "UTF-8", path, "-").splitlines():
        assert not re.match(r"\s*[，。、；：？！）》」』”]", line), line
    assert fields(path) == set(notice_fields(notice)) == {"Procuratorate", "Suspect", "Prosecutor"}
    emb = {row.split()[-5] for row in run("pdffonts", path).splitlines()[2:]}
    assert emb == {"yes"}


def test_english_rendering_of_an_interpreted_notice(foreign: RightsNotice, tmp_path: Path) -> None:
    path = tmp_path / "notice.en.pdf"
    path.write_bytes(render_notice(foreign, english=True))
    text = " ".join(run("pdftotext", "-enc", "UTF-8", path, "-").split())
    assert "Notice of the Plea Leniency System" in text and "Chinese text governs" in text
    for item in ITEMS_EN:
        assert " ".join(item.split()) in text
    assert "translated to me by the interpreter 林晓雯" in text
    assert "Interpreter" in fields(path)
    zh = tmp_path / "notice.pdf"
    zh.write_bytes(render_notice(foreign))
    assert "翻译人员林晓雯已向本人翻译" in re.sub(
        r"\s+", "", run("pdftotext", "-enc", "UTF-8", zh, "-")
    )


def test_the_suspect_acknowledges_the_notice_in_handwriting(
    notice: RightsNotice, tmp_path: Path
) -> None:
    agreement = demo_agreement("东滨检刑诉〔2026〕1234号", "S-5", on=ON)
    pki = DemoPki.load_or_create(tmp_path / "pki")
    hand = synthetic_signature("suspect", agreement.suspect.name, 3)
    pdf = SessionSigner(pki, None, None).notice(notice, agreement, hand, synthetic_fingerprint(1))
    checks = verify_pdf(pdf, pki.trust_roots)
    assert [c.field for c in checks] == notice_fields(notice)
    assert all(c.ok for c in checks)
    suspect = checks[1]
    assert suspect.person == notice.suspect_name and "知悉本告知书" in suspect.reason
    path = tmp_path / "signed.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True).stdout
    assert out.count("Signature Field Name:") == out.count("Signature is Valid.") == 3, out
