"""The statement on the recording as an A4 PDF, in Chinese or as its English rendering.

Tables list the participants, the session's steps, the interruptions and the recording files
with their SHA-256; a QR code carries the session id and the recording's hash so a clerk can
check a disc against the paper with a phone. Times are printed in Beijing time. 提押/还押
times are printed as the detention centre registered them, with the officer who did; a time
not registered reads 未登记, and for a suspect not in custody the rows read 不适用.
"""

from __future__ import annotations

from datetime import datetime

from reportlab.lib import colors
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table, TableStyle

from documents.chinese import chinese_date, chinese_duration
from documents.pdf.agreement import FIELD_PROCURATORATE, FIELD_PROSECUTOR, FIELD_SUSPECT
from documents.pdf.blocks import FINGERPRINT_BOX, QrCode, SealArea, SignatureLine
from documents.pdf.layout import TEXT_WIDTH, DocumentInfo, DocumentLayout
from documents.statement import BEIJING, PartyRole, RecordingStatement

FIELD_TECHNICIAN = "Technician"
FIELD_CUSTODY_OFFICER = "CustodyOfficer"


def custody_officer(statement: RecordingStatement) -> str | None:
    """The detention centre officer listed on the statement, who signs it; None if none is."""
    return next(
        (p.name for p in statement.participants if p.role is PartyRole.CUSTODY_OFFICER), None
    )


def statement_fields(statement: RecordingStatement) -> list[str]:
    """The signature fields of the statement PDF, in the order they are signed."""
    officer = [FIELD_CUSTODY_OFFICER] if custody_officer(statement) is not None else []
    return [FIELD_PROCURATORATE, FIELD_TECHNICIAN, FIELD_PROSECUTOR, FIELD_SUSPECT, *officer]


def render_statement(statement: RecordingStatement, *, english: bool = False) -> bytes:
    """Render the statement (Chinese, or the English rendering) with empty signature fields."""
    layout = DocumentLayout(
        DocumentInfo(
            title="Statement on the Recording" if english else "同步录音录像相关说明",
            author=statement.procuratorate,
            case_number=statement.case_number,
            document_id=statement.document_id + ("-EN" if english else ""),
            english=english,
        )
    )
    words = _EN if english else _ZH
    story = _story(statement, layout, words, english)
    return layout.build(story, statement_fields(statement))


_ZH = {
    "title": "同步录音录像相关说明",
    "basic": "一、基本情况",
    "people": "二、参加人员",
    "steps": "三、录制过程",
    "stops": "四、中断情况",
    "files": "五、录音录像文件及完整性校验值",
    "outcome": "六、认罪认罚具结书签署情况",
    "confirm": "七、确认",
    "case_type": "案由",
    "suspect": "犯罪嫌疑人",
    "place": "录制地点",
    "start": "录制开始",
    "end": "录制结束",
    "length": "录制时长",
    "taken_out": "提押时间",
    "returned": "还押时间",
    "unknown": "未登记",
    "not_detained": "不适用（犯罪嫌疑人未被羁押）",
    "officer": "，经办民警：{name}",
    "role": "身份",
    "name": "姓名",
    "post": "职务／单位",
    "where": "参加地点",
    "time": "时间",
    "step": "环节",
    "stopped": "中断时间",
    "resumed": "恢复时间",
    "reason": "原因",
    "none_stopped": "录制过程连续，无中断。",
    "not_resumed": "未恢复",
    "file": "文件",
    "size": "大小",
    "qr": "扫码核对会话编号及SHA-256",
}
_EN = {
    "title": "Statement on the Recording",
    "basic": "1. The session",
    "people": "2. Participants",
    "steps": "3. Course of the recording",
    "stops": "4. Interruptions",
    "files": "5. Recording files and integrity values",
    "outcome": "6. The plea agreement",
    "confirm": "7. Confirmation",
    "case_type": "Charge",
    "suspect": "Suspect",
    "place": "Place of recording",
    "start": "Recording started",
    "end": "Recording ended",
    "length": "Duration",
    "taken_out": "Taken out of custody",
    "returned": "Returned to custody",
    "unknown": "not registered",
    "not_detained": "not applicable (the suspect is not in custody)",
    "officer": ", officer: {name}",
    "role": "Role",
    "name": "Name",
    "post": "Post / firm",
    "where": "Taking part from",
    "time": "Time",
    "step": "Step",
    "stopped": "Stopped",
    "resumed": "Resumed",
    "reason": "Reason",
    "none_stopped": "The recording ran without interruption.",
    "not_resumed": "not resumed",
    "file": "File",
    "size": "Size",
    "qr": "Scan: session id and SHA-256",
}


#: What each session state means as a step of the recording (Chinese, English).
STEP_LABELS = {
    "scheduled": ("预约", "Scheduled"),
    "room_ready": ("各方到场", "All parties present"),
    "recording": ("开始同步录音录像", "Recording started"),
    "announced": ("宣布全程同步录音录像", "Recording announced"),
    "rights_notified": ("告知诉讼权利及认罪认罚有关法律规定", "Rights and plea rules explained"),
    "hearing": ("听取犯罪嫌疑人及值班律师意见", "Hearing the suspect and the lawyer"),
    "private_consultation": ("值班律师与犯罪嫌疑人单独沟通", "Private lawyer consultation"),
    "agreement_presented": ("出示认罪认罚具结书", "Plea agreement presented"),
    "signing": ("签署认罪认罚具结书（值班律师在场）", "Signing, lawyer present"),
    "signed": ("具结书签署完毕", "Agreement signed"),
    "no_agreement_path": (
        "不签署具结书（刑事诉讼法第一百七十四条）",
        "No agreement (CPL art. 174)",
    ),
    "closing": ("结束听取意见", "Closing"),
    "closed": ("录制结束", "Recording ended"),
    "interrupted": ("中断", "Interrupted"),
}


def _step_text(state: str, note: str, english: bool) -> str:
    zh, en = STEP_LABELS.get(state, (state, state))
    text = en if english else zh
    return f"{text}: {note}" if note and english else f"{text}：{note}" if note else text


def _when(moment: datetime | None, english: bool, unknown: str) -> str:
    if moment is None:
        return unknown
    local = moment.astimezone(BEIJING)
    if english:
        return local.strftime("%Y-%m-%d %H:%M:%S") + " (Beijing time)"
    return f"{chinese_date(local)}{local:%H:%M:%S}（北京时间）"


def _story(
    s: RecordingStatement, lay: DocumentLayout, w: dict[str, str], english: bool
) -> list[Flowable]:
    cell = lay.styles["cell"]

    def table(rows: list[list[str]], widths: list[float], header: bool = True) -> Table:
        # Cells have 6 pt of padding each side (and 1 pt against rounding).
        data = [
            [lay.para(text, "cell", width - 13) for text, width in zip(row, widths, strict=True)]
            for row in rows
        ]
        t = Table(data, colWidths=widths, repeatRows=1 if header else 0)
        style = [
            ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("FONTNAME", (0, 0), (-1, -1), cell.fontName),
        ]
        if header:
            style.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")))
        t.setStyle(TableStyle(style))
        return t

    unknown = w["unknown"]
    length = (s.ended_at - s.started_at).total_seconds()
    duration = f"{length:.0f} s" if english else chinese_duration(length)
    basic = [
        [w["case_type"], s.case_type],
        [w["suspect"], s.suspect_name],
        [w["place"], s.place],
        [w["start"], _when(s.started_at, english, unknown)],
        [w["end"], _when(s.ended_at, english, unknown)],
        [w["length"], duration],
        *_custody_rows(s, w, english),
    ]
    label_w = 110.0
    people = [[w["role"], w["name"], w["post"], w["where"]]] + [
        [p.role.english if english else p.role.label, p.name, p.post, p.place]
        for p in s.participants
    ]
    steps = [[w["time"], w["step"]]] + [
        [_when(m.at, english, unknown), _step_text(m.state, m.note, english)] for m in s.milestones
    ]
    story: list[Flowable] = [
        Paragraph(w["title"], lay.styles["title"]),
        lay.para(f"{s.procuratorate}　{'Case' if english else '案号：'}{s.case_number}", "meta"),
        lay.para(f"{'Session' if english else '会话编号：'} {s.session_id}", "meta"),
    ]
    if english:
        note = f"English rendering of the Chinese statement {s.document_id}; the Chinese governs."
        story.append(lay.para(note, "note"))
    story += [
        lay.para(w["basic"], "heading"),
        table(basic, [label_w, TEXT_WIDTH - label_w], header=False),
        lay.para(w["people"], "heading"),
        table(people, [80, 70, 130, TEXT_WIDTH - 280]),
    ]
    if s.milestones:
        story += [lay.para(w["steps"], "heading"), table(steps, [190, TEXT_WIDTH - 190])]
    story.append(lay.para(w["stops"], "heading"))
    if s.interruptions:
        stops = [[w["stopped"], w["resumed"], w["reason"]]] + [
            [
                _when(i.stopped_at, english, unknown),
                _when(i.resumed_at, english, w["not_resumed"]),
                i.reason,
            ]
            for i in s.interruptions
        ]
        story.append(table(stops, [150, 150, TEXT_WIDTH - 300]))
    else:
        story.append(lay.para(w["none_stopped"], "label"))
    story += [lay.para(w["files"], "heading"), _files_table(s, lay, w, english)]
    story.append(QrCode(lay, s.qr_payload, w["qr"]))
    story += _outcome(s, lay, w, english)
    return story


def _custody_rows(s: RecordingStatement, w: dict[str, str], english: bool) -> list[list[str]]:
    """The 提押 and 还押 rows: the registered time and officer, 未登记, or 不适用."""
    if not s.suspect_detained:
        return [[w["taken_out"], w["not_detained"]], [w["returned"], w["not_detained"]]]
    c = s.custody
    rows = []
    for label, moment, officer in (
        (w["taken_out"], c.taken_out_at, c.taken_out_by),
        (w["returned"], c.returned_at, c.returned_by),
    ):
        text = _when(moment, english, w["unknown"])
        if moment is not None and officer:
            text += w["officer"].format(name=officer)
        rows.append([label, text])
    return rows


def _files_table(
    s: RecordingStatement, lay: DocumentLayout, w: dict[str, str], english: bool
) -> Table:
    rows = []
    for f in s.files:
        size = f"{f.size_bytes:,} {'bytes' if english else '字节'}"
        if f.duration_s is not None:
            size += (
                f" · {f.duration_s:.1f} s" if english else f"，时长{chinese_duration(f.duration_s)}"
            )
        rows.append([lay.para(f"{w['file']}：{f.name}（{size}）", "cell", TEXT_WIDTH - 13)])
        rows.append([Paragraph(f"SHA-256: {f.sha256}", lay.styles["hash"])])
    t = Table(rows, colWidths=[TEXT_WIDTH])
    t.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 0.5, colors.grey),
                ("LINEBELOW", (0, 1), (-1, -1), 0.5, colors.grey),
                ("FONTNAME", (0, 0), (-1, -1), lay.font),
            ]
        )
    )
    return t


def _outcome(
    s: RecordingStatement, lay: DocumentLayout, w: dict[str, str], english: bool
) -> list[Flowable]:
    when = (
        _when(s.ended_at, english, "").split(" ")[0]
        if english
        else chinese_date(s.ended_at.astimezone(BEIJING))
    )
    date_text = f"{'Date: ' if english else '日期：'}{when}"
    outcome = _outcome_text(s, english)
    if english:
        confirm = (
            "The above is true. The parties have checked the integrity values (SHA-256) of the "
            "recording files listed above."
        )
        labels = (
            "Recording technician:",
            "Prosecutor:",
            "Suspect (signature, fingerprint):",
            "Detention centre officer:",
        )
    else:
        confirm = "以上情况属实。上列录音录像文件的完整性校验值（SHA-256）已经各方核对无误。"
        labels = (
            "录制人员（签名）：",
            "检察官（签名）：",
            "犯罪嫌疑人（签名、捺指印）：",
            "看守所民警（签名）：",
        )
    lines: list[Flowable] = [
        lay.para(w["confirm"], "heading"),
        lay.para(confirm),
        Spacer(1, 4),
        SignatureLine(lay, labels[0], FIELD_TECHNICIAN, date_text),
        SignatureLine(lay, labels[1], FIELD_PROSECUTOR, date_text),
        SignatureLine(lay, labels[2], FIELD_SUSPECT, date_text, box=FINGERPRINT_BOX),
    ]
    if custody_officer(s) is not None:
        lines.append(SignatureLine(lay, labels[3], FIELD_CUSTODY_OFFICER, date_text))
    seal = f"{s.procuratorate}{'' if english else '（电子签章）'}"
    lines.append(SealArea(lay, [s.procuratorate, date_text], seal, FIELD_PROCURATORATE))
    return [lay.para(w["outcome"], "heading"), lay.para(outcome), KeepTogether(lines)]


def _outcome_text(s: RecordingStatement, english: bool) -> str:
    """What became of the plea agreement, in one paragraph."""
    if s.agreement_signed:
        if english:
            return (
                "The suspect signed the plea agreement with the lawyer present; "
                "the signing was recorded."
            )
        return (
            "犯罪嫌疑人在值班律师在场的情况下签署了《认罪认罚具结书》，签署过程已全程同步录音录像。"
        )
    if s.no_agreement is not None:
        n = s.no_agreement
        if english:
            return (
                "No plea agreement was signed, under article 174 paragraph 2 of the Criminal "
                f"Procedure Law: {n.reason.english}. {n.details}"
            )
        return (
            "本案依照《中华人民共和国刑事诉讼法》第一百七十四条第二款的规定，未签署认罪认罚具结书。"
            f"理由：{n.reason.label}。具体情况：{n.details}"
        )
    if english:
        return "No plea agreement was signed in this session."
    return "本次录制过程中未签署认罪认罚具结书。"
