"""The agreement PDF, checked with poppler's tools as a reader of the archived file would."""

from __future__ import annotations

import dataclasses
import re
import subprocess
import time
from datetime import date
from pathlib import Path

import pytest
from PIL import Image
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.fields import enumerate_sig_fields

from documents.agreement import Guardian, PleaAgreement
from documents.pdf.agreement import AgreementRenderError, agreement_fields, render_agreement
from documents.pdf.english import EnglishRenderingError, render_agreement_english
from documents.pdf.fonts import cjk_font_path
from documents.samples.case import demo_agreement
from documents.samples.handwriting import synthetic_fingerprint, synthetic_signature

ON = date(2026, 11, 22)


def run(*args: str | Path) -> str:
    return subprocess.run(
        [str(a) for a in args], check=True, capture_output=True, text=True, timeout=60
    ).stdout


def flat(text: str) -> str:
    """pdftotext output without line breaks and spaces (lines break anywhere in Chinese)."""
    return re.sub(r"\s+", "", text)


def pages(pdf: Path) -> int:
    return int(re.search(r"Pages:\s+(\d+)", run("pdfinfo", pdf)).group(1))


@pytest.fixture(scope="module")
def agreement() -> PleaAgreement:
    return demo_agreement("东滨检刑诉〔2026〕1234号", "S-20261122-0001", on=ON)


@pytest.fixture(scope="module")
def signed_by_hand(agreement: PleaAgreement, tmp_path_factory) -> Path:
    signatures = {
        "suspect": synthetic_signature("suspect", agreement.suspect.name, 1),
        "lawyer": synthetic_signature("lawyer", agreement.lawyer.name, 2),
    }
    path = tmp_path_factory.mktemp("pdf") / "agreement.pdf"
    path.write_bytes(render_agreement(agreement, signatures, synthetic_fingerprint(3)))
    return path


@pytest.fixture(scope="module")
def draft(agreement: PleaAgreement, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("pdf") / "draft.pdf"
    path.write_bytes(render_agreement(agreement, {}))
    return path


@pytest.fixture(scope="module")
def long_facts(agreement: PleaAgreement, tmp_path_factory) -> Path:
    """Facts filling more than ten pages: 60 numbered paragraphs."""
    paragraphs = [
        f"第{i}节：某日，犯罪嫌疑人{agreement.suspect.name}在东湖市滨江区某小区地下停车场，"
        "采用剪断连接线的方式盗窃电动自行车电瓶一个（经价格认定价值人民币五百元），"
        "随后以三百元的价格销赃给收购人员“老王”，所得赃款已用于个人消费。" * 2
        for i in range(1, 61)
    ]
    longer = dataclasses.replace(agreement, facts="\n".join([*paragraphs, "事实部分完。"]))
    path = tmp_path_factory.mktemp("pdf") / "long.pdf"
    path.write_bytes(render_agreement(longer, {}))
    return path


def test_every_font_is_embedded(signed_by_hand: Path, draft: Path) -> None:
    for pdf in (signed_by_hand, draft):
        rows = run("pdffonts", pdf).splitlines()[2:]
        assert rows, "the PDF uses no fonts"
        for row in rows:
            name, emb = row.split()[0], row.split()[-5]
            assert emb == "yes", f"font {name} is not embedded"
        assert all("UMing" in row for row in rows)


def test_text_states_who_what_and_the_recommendation(
    signed_by_hand: Path, agreement: PleaAgreement
) -> None:
    text = flat(run("pdftotext", "-enc", "UTF-8", signed_by_hand, "-"))
    assert "认罪认罚具结书" in text
    assert agreement.suspect.name in text
    assert agreement.suspect.id_number in text
    assert "构成盗窃罪" in text and "《中华人民共和国刑法》第二百六十四条" in text
    assert flat(agreement.recommendation.text()) in text
    assert "本人同意本案适用速裁程序审理" in text
    assert "本人已于2026年11月22日阅读《认罪认罚从宽制度告知书》" in text
    assert "未受到药物、酒精等影响判断能力的因素影响" in text
    assert agreement.lawyer.name in text and agreement.lawyer.law_firm in text
    assert agreement.lawyer.licence_number in text
    assert agreement.prosecutor in text
    assert "案号：东滨检刑诉〔2026〕1234号" in text
    assert "文书编号：JJS-S20261122000" in text
    assert "第1页/共2页" in text and "第2页/共2页" in text


def test_no_line_starts_with_closing_punctuation(signed_by_hand: Path, long_facts: Path) -> None:
    for pdf in (signed_by_hand, long_facts):
        for line in run("pdftotext", "-enc", "UTF-8", pdf, "-").splitlines():
            assert not re.match(r"\s*[，。、；：？！）》」』”]", line), line
            assert not re.search(r"[（《「『“]\s*$", line), line


def test_handwriting_is_vector_ink_and_the_fingerprint_a_sharp_image(
    agreement: PleaAgreement, signed_by_hand: Path, draft: Path, tmp_path: Path
) -> None:
    images = [r.split() for r in run("pdfimages", "-list", signed_by_hand).splitlines()[2:]]
    colour = [r for r in images if r[2] == "image"]
    assert len(colour) == 1, "only the fingerprint is an image; handwriting is drawn as paths"
    assert int(colour[0][12]) >= 300, "fingerprint below 300 ppi"

    def dark_pixels(pdf: Path) -> int:
        run("pdftoppm", "-r", "100", "-f", "2", "-l", "2", "-png", pdf, tmp_path / pdf.stem)
        [png] = tmp_path.glob(f"{pdf.stem}-*.png")
        return sum(Image.open(png).convert("L").histogram()[:200])

    handwriting_only = tmp_path / "hand.pdf"
    signatures = {"suspect": synthetic_signature("suspect", agreement.suspect.name, 1)}
    handwriting_only.write_bytes(render_agreement(agreement, signatures))
    assert run("pdfimages", "-list", handwriting_only).splitlines()[2:] == []
    blank, hand = dark_pixels(draft), dark_pixels(handwriting_only)
    assert hand > blank + 300, (hand, blank)
    assert dark_pixels(signed_by_hand) > hand + 1000  # the lawyer's hand and the fingerprint


def test_draft_leaves_the_signature_boxes_empty_and_dated(draft: Path) -> None:
    assert run("pdfimages", "-list", draft).splitlines()[2:] == []
    text = flat(run("pdftotext", "-enc", "UTF-8", draft, "-"))
    assert "犯罪嫌疑人（签名、捺指印）：" in text and "日期：2026年11月22日" in text
    assert "承办检察官（签名）：" in text


def fields_of(pdf: Path) -> dict[str, object]:
    with pdf.open("rb") as f:
        return {name: value for name, value, _ in enumerate_sig_fields(PdfFileReader(f))}


def test_all_signature_fields_exist_and_are_empty(signed_by_hand: Path) -> None:
    found = fields_of(signed_by_hand)
    assert set(found) == {"Procuratorate", "Suspect", "Lawyer", "Prosecutor"}
    assert all(value is None for value in found.values())


def test_a_minor_and_an_interpreter_get_their_own_fields(
    agreement: PleaAgreement, tmp_path: Path
) -> None:
    foreign = demo_agreement("案", "S-9", on=ON, language="en")
    minor = dataclasses.replace(foreign, guardian=Guardian("王建国", "父亲"))
    path = tmp_path / "minor.pdf"
    path.write_bytes(render_agreement(minor, {}))
    assert set(fields_of(path)) == set(agreement_fields(minor))
    assert {"Interpreter", "Guardian"} <= set(agreement_fields(minor))
    text = flat(run("pdftotext", "-enc", "UTF-8", path, "-"))
    assert "由翻译人员林晓雯翻译" in text and "法定代理人王建国（父亲）在场" in text
    assert "外国人永久居留身份证号码" in text


def test_ten_pages_of_facts_flow_with_the_signatures_after_them(long_facts: Path) -> None:
    count = pages(long_facts)
    assert count >= 11
    first = flat(run("pdftotext", "-enc", "UTF-8", "-l", "1", long_facts, "-"))
    assert "一、犯罪嫌疑人身份信息" in first and f"第1页/共{count}页" in first
    tail = flat(run("pdftotext", "-enc", "UTF-8", "-f", str(count - 1), long_facts, "-"))
    assert "自愿签署声明" in tail and "犯罪嫌疑人（签名、捺指印）" in tail
    assert "值班律师（签名）" in tail and "六、人民检察院" in tail
    assert f"第{count}页/共{count}页" in tail
    text = flat(run("pdftotext", "-enc", "UTF-8", long_facts, "-"))
    assert all(f"第{i}节" in text for i in range(1, 61))
    assert text.index("第60节") < text.index("事实部分完。") < text.index("二）量刑建议")
    # Every page carries the footer with the case number and the document id.
    for page in range(1, count + 1):
        page_text = run(
            "pdftotext", "-enc", "UTF-8", "-f", str(page), "-l", str(page), long_facts, "-"
        )
        one = flat(page_text)
        assert "案号：东滨检刑诉〔2026〕1234号" in one and "JJS-S20261122000" in one


def test_pages_render_with_ink(signed_by_hand: Path, tmp_path: Path) -> None:
    run("pdftoppm", "-r", "60", "-png", signed_by_hand, tmp_path / "page")
    rendered = sorted(tmp_path.glob("page-*.png"))
    assert len(rendered) == 2
    for page in rendered:
        gray = Image.open(page).convert("L")
        assert sum(gray.histogram()[:128]) > 500, f"{page.name} looks blank"


def test_signature_for_an_unknown_role_is_refused(agreement: PleaAgreement) -> None:
    with pytest.raises(AgreementRenderError):
        render_agreement(agreement, {"prosecutor": synthetic_signature("prosecutor", "x", 1)})
    with pytest.raises(AgreementRenderError):
        render_agreement(agreement, {"suspect": synthetic_signature("lawyer", "x", 1)})
    with pytest.raises(AgreementRenderError):
        render_agreement(agreement, {}, synthetic_fingerprint(1, role="lawyer"))


def test_rendering_is_fast_enough_for_the_signing_step(agreement: PleaAgreement) -> None:
    render_agreement(agreement, {})  # warm: the font is parsed once per process
    start = time.perf_counter()
    pdf = render_agreement(agreement, {})
    # About 0.15 s on an idle two-core machine; generous for a busy test runner.
    assert time.perf_counter() - start < 2.0
    assert pdf.startswith(b"%PDF-") and len(pdf) < 300_000


def test_shipped_font_is_the_ming_face_with_its_licence() -> None:
    from fontTools.ttLib import TTFont

    path = cjk_font_path()
    assert path.name == "uming-cn.ttf"
    with TTFont(path, lazy=True) as font:
        assert font["name"].getDebugName(1) == "AR PL UMing CN"
        assert "glyf" in font  # TrueType outlines: the only kind reportlab can embed
        assert "Modified" in font["name"].getDebugName(10)  # notice the licence requires
    licence = (path.parent / "LICENSE-ARPHIC.txt").read_text(encoding="ascii")
    assert "ARPHIC PUBLIC LICENSE" in licence


def test_markup_characters_in_facts_are_printed_literally(
    agreement: PleaAgreement, tmp_path: Path
) -> None:
    odd = dataclasses.replace(agreement, facts="被害人称：<b>电瓶</b> & 充电器共计2件。")
    pdf = tmp_path / "odd.pdf"
    pdf.write_bytes(render_agreement(odd, {}))
    assert "<b>电瓶</b>&充电器共计2件" in flat(run("pdftotext", "-enc", "UTF-8", pdf, "-"))


def test_english_rendering_goes_beside_a_foreign_language_agreement(
    agreement: PleaAgreement, tmp_path: Path
) -> None:
    foreign = demo_agreement("东滨检刑诉〔2026〕1234号", "S-7", on=ON, language="en")
    path = tmp_path / "agreement.en.pdf"
    path.write_bytes(render_agreement_english(foreign))
    text = " ".join(run("pdftotext", "-enc", "UTF-8", path, "-").split())
    assert "Plea Agreement" in text and "English rendering" in text
    assert "the Chinese text governs" in text and foreign.document_id in text
    assert "JOHN SMITH" in text and "fine of RMB" in text and "summary procedure" in text
    assert "约翰·史密斯" in text  # Chinese in the English text, set in the CJK face
    fonts = run("pdffonts", path).splitlines()[2:]
    assert {row.split()[-5] for row in fonts} == {"yes"}
    assert any("Vera" in row for row in fonts) and any("UMing" in row for row in fonts)
    assert set(fields_of(path)) == {"Procuratorate"}
    with pytest.raises(EnglishRenderingError):
        render_agreement_english(agreement)
