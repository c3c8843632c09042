"""Synthetic but realistic case data for the demo and the tests.

People, places and the procuratorate are fictional. Choices are derived from the case number
and session id, so the same inputs always give the same agreement.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence
from datetime import date

from documents.agreement import (
    DEMO_PROCURATORATE,
    DutyLawyer,
    EnglishText,
    Gender,
    Interpreter,
    Literacy,
    PleaAgreement,
    Procedure,
    SuspectIdentity,
    VoluntarinessDeclaration,
    standard_statement,
)
from documents.chinese import chinese_date, chinese_numeral, id_check_digit
from documents.sentencing import PrincipalPenalty, SentencingRecommendation
from documents.statement import Participant, PartyRole

_SURNAMES = "张王李刘陈杨黄赵吴周徐孙马朱胡郭何林罗梁"
_GIVEN = {
    Gender.MALE: ("志强", "建华", "海涛", "伟", "晓东", "国庆", "俊杰", "文斌", "家豪", "明辉"),
    Gender.FEMALE: ("丽娟", "秀英", "婷", "晓燕", "春梅", "慧敏"),
}
_FOREIGN = {
    Gender.MALE: ("约翰·史密斯", "JOHN SMITH"),
    Gender.FEMALE: ("艾玛·布朗", "EMMA BROWN"),
}
_STREETS = ("江滨路", "望湖路", "新港大道", "东风路", "滨河街")
#: Where the demo's parties sit.
DEMO_PLACES = {
    "suspect": "东湖市滨江区看守所远程提讯室（三）",
    "prosecutor": "东湖市滨江区人民检察院远程听取意见室",
    "lawyer": "东湖市法律援助中心驻看守所值班律师工作站",
    "technician": "东湖市滨江区人民检察院检察技术室",
}
DEMO_DETENTION_CENTRE = "东湖市滨江区看守所"


def demo_agreement(
    case_number: str, session_id: str, *, on: date | None = None, language: str = "zh"
) -> PleaAgreement:
    """Return a realistic synthetic theft agreement (盗窃罪, 速裁) for the demo.

    ``on`` is the agreement date (today if omitted). ``language`` other than "zh" makes the
    suspect a foreign national heard through an interpreter, whose documents get an English
    rendering beside the Chinese ones.
    """
    on = on or date.today()
    seed = hashlib.sha256(f"{case_number}\x00{session_id}".encode()).digest()
    rng = random.Random(seed)
    gender = Gender.MALE if rng.random() < 0.8 else Gender.FEMALE
    foreign = language != "zh"
    name = (
        "{}（{}）".format(*_FOREIGN[gender])
        if foreign
        else rng.choice(_SURNAMES) + rng.choice(_GIVEN[gender])
    )
    short = name.split("（")[0]
    facts, english_facts = _demo_facts(rng, short, _FOREIGN[gender][1] if foreign else short, on)
    born = date(on.year - rng.randint(20, 55), rng.randint(1, 12), rng.randint(1, 28))
    sequence = rng.randrange(0, 1000, 2) + (1 if gender is Gender.MALE else 0)
    # A foreigner's permanent residence card number has the citizen layout, led by 9.
    first17 = f"{'944826' if foreign else '440106'}{born:%Y%m%d}{sequence:03d}"
    education = "大学本科" if foreign else rng.choice(("初中", "高中", "中专"))
    literacy = Literacy.INTERPRETED if foreign else Literacy.READS_CHINESE
    return PleaAgreement(
        case_number=case_number,
        procuratorate=DEMO_PROCURATORATE,
        session_id=session_id,
        suspect=SuspectIdentity(
            name=name,
            gender=gender,
            date_of_birth=born,
            id_number=first17 + id_check_digit(first17),
            ethnicity="英国国籍" if foreign else "汉族",
            education=education,
            address=f"东湖市滨江区{rng.choice(_STREETS)}{rng.randint(1, 300)}号",
            detained=True,
            detention_place=DEMO_DETENTION_CENTRE,
            literacy=literacy,
            language=language,
        ),
        charges=("盗窃罪",),
        facts=facts,
        recommendation=_demo_recommendation(rng),
        procedure=Procedure.SUMMARY,
        declaration=VoluntarinessDeclaration(
            plea_voluntary=True,
            rights_explained=True,
            lawyer_advice_received=True,
            statement=standard_statement(education, literacy),
        ),
        prosecutor=rng.choice(_SURNAMES) + rng.choice(("思远", "静怡", "立新", "雪")),
        lawyer=DutyLawyer(
            name=rng.choice(_SURNAMES) + rng.choice(("正平", "雅琴", "宏")),
            law_firm="东湖正言律师事务所",
            licence_number=f"1{rng.randrange(10**15, 10**16)}",
        ),
        date=on,
        provisions=(
            "《中华人民共和国刑法》第二百六十四条",
            "《中华人民共和国刑法》第六十七条第三款",
            "《中华人民共和国刑事诉讼法》第十五条",
        ),
        rights_notice_date=on,
        interpreter=Interpreter("林晓雯", "英语") if foreign else None,
        english=EnglishText(("Theft",), english_facts) if foreign else None,
    )


_ESTATES = {"锦绣": "Jinxiu", "翠湖": "Cuihu", "阳光": "Yangguang", "金沙": "Jinsha"}


def _demo_facts(rng: random.Random, name: str, english_name: str, on: date) -> tuple[str, str]:
    """The facts in Chinese and in English, from the same draws."""
    batteries = rng.randint(3, 6)
    value = rng.randint(20, 90) * 100 + rng.choice((0, 60, 80))
    start = date.fromordinal(on.toordinal() - rng.randint(50, 80))
    caught = date.fromordinal(start.toordinal() + rng.randint(15, 25))
    place = rng.choice(sorted(_ESTATES))
    estate = place + "花园"
    english = (
        f"The review found that between {start.isoformat()} and {caught.isoformat()} the "
        f"suspect {english_name}, on {batteries - 1} occasions, in the underground car park of "
        f"the {_ESTATES[place]} Garden estate in Binjiang District, Donghu, and elsewhere, cut "
        f"the cables of parked electric bicycles and stole {batteries} batteries in all, valued "
        f"at RMB {value:,} yuan.\n"
        f"On {caught.isoformat()} the suspect {english_name} was caught by the police and "
        "truthfully confessed these facts. All stolen property has been recovered and returned "
        "to the victims, who have forgiven the suspect."
    )
    chinese = (
        f"经依法审查查明：{chinese_date(start)}至{chinese_date(caught)}期间，犯罪嫌疑人{name}"
        f"先后{chinese_numeral(batteries - 1)}次在东湖市滨江区{estate}小区地下停车场等处，"
        f"采用剪断连接线的方式，盗窃他人停放的电动自行车电瓶共计{chinese_numeral(batteries)}个。"
        f"经价格认定，上述电瓶价值共计人民币{chinese_numeral(value)}元。\n"
        f"{chinese_date(caught)}，犯罪嫌疑人{name}被公安机关抓获，到案后如实供述了上述犯罪事实。"
        "涉案赃物已全部追回并发还被害人，被害人对犯罪嫌疑人表示谅解。"
    )
    return chinese, english


def _demo_recommendation(rng: random.Random) -> SentencingRecommendation:
    months = rng.randint(6, 10)
    return SentencingRecommendation(
        penalty=PrincipalPenalty.FIXED_TERM_IMPRISONMENT,
        term_months_min=months,
        term_months_max=months,
        fine_yuan=rng.choice((2000, 3000, 4000)),
    )


def demo_staff(case_number: str, session_id: str) -> dict[str, str]:
    """Names of the demo's technician (录制人员) and custody officer (看守所民警)."""
    rng = random.Random(hashlib.sha256(f"staff\x00{case_number}\x00{session_id}".encode()).digest())
    return {
        "technician": rng.choice(_SURNAMES) + rng.choice(("文涛", "佳琪", "志远")),
        "custody_officer": rng.choice(_SURNAMES) + rng.choice(("建军", "卫东", "红梅")),
    }


def demo_participants(
    a: PleaAgreement, parties: Sequence[str], case_number: str, session_id: str
) -> list[Participant]:
    """Who took part in the demo session, with their posts and places."""
    staff = demo_staff(case_number, session_id)
    places = DEMO_PLACES
    rows = [
        (PartyRole.SUSPECT, a.suspect.name.split("（")[0], "犯罪嫌疑人", places["suspect"]),
        (PartyRole.PROSECUTOR, a.prosecutor, f"检察官（{a.procuratorate}）", places["prosecutor"]),
    ]
    if "lawyer" in parties:
        post = f"{a.lawyer.role.label}（{a.lawyer.law_firm}）"
        rows.append((PartyRole.LAWYER, a.lawyer.name, post, places["lawyer"]))
    if a.interpreter is not None:
        post = f"翻译人员（{a.interpreter.language}）"
        rows.append((PartyRole.INTERPRETER, a.interpreter.name, post, places["prosecutor"]))
    rows.append((PartyRole.TECHNICIAN, staff["technician"], "检察技术人员", places["technician"]))
    if a.suspect.detained:
        post = f"民警（{a.suspect.detention_place}）"
        rows.append((PartyRole.CUSTODY_OFFICER, staff["custody_officer"], post, places["suspect"]))
    return [Participant(*row) for row in rows]
