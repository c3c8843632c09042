<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>ClerkProgress</name>
    <message>
        <location filename="../../desktop/clerk/progress.py" line="11" />
        <source>Encrypting</source>
        <translation>正在加密</translation>
    </message>
    <message>
        <location filename="../../desktop/clerk/progress.py" line="12" />
        <source>Checking the bag</source>
        <translation>正在校验证据包</translation>
    </message>
    <message>
        <location filename="../../desktop/clerk/progress.py" line="13" />
        <source>Writing the image</source>
        <translation>正在写入光盘镜像</translation>
    </message>
    <message>
        <location filename="../../desktop/clerk/progress.py" line="14" />
        <source>Burning</source>
        <translation>正在刻录</translation>
    </message>
    <message>
        <location filename="../../desktop/clerk/progress.py" line="15" />
        <source>Reading back</source>
        <translation>正在回读校验</translation>
    </message>
    <message>
        <location filename="../../desktop/clerk/progress.py" line="16" />
        <source>Decrypting</source>
        <translation>正在解密</translation>
    </message>
    <message>
        <location filename="../../desktop/clerk/progress.py" line="28" />
        <source>estimating time left</source>
        <translation>正在估算剩余时间</translation>
    </message>
    <message>
        <location filename="../../desktop/clerk/progress.py" line="33" />
        <source>about %1 h %2 min left</source>
        <translation>约剩 %1 小时 %2 分钟</translation>
    </message>
    <message>
        <location filename="../../desktop/clerk/progress.py" line="39" />
        <source>about %1 min %2 s left</source>
        <translation>约剩 %1 分 %2 秒</translation>
    </message>
    <message>
        <location filename="../../desktop/clerk/progress.py" line="43" />
        <source>about %1 s left</source>
        <translation>约剩 %1 秒</translation>
    </message>
</context>
<context>
    <name>ClerkWindow</name>
    <message>
        <location filename="../../desktop/clerk/window.py" line="32" />
        <source>Reading the queue</source>
        <translation>正在读取待办队列</translation>
    </message>
    <message>
        <location filename="../../desktop/clerk/window.py" line="33" />
        <source>Sealing</source>
        <translation>正在封存</translation>
    </message>
    <message>
        <location filename="../../desktop/clerk/window.py" line="34" />
        <source>Planning discs</source>
        <translation>正在规划光盘</translation>
    </message>
    <message>
        <location filename="../../desktop/clerk/window.py" line="35" />
        <source>Burning</source>
        <translation>正在刻录</translation>
    </message>
    <message>
        <location filename="../../desktop/clerk/window.py" line="36" />
        <source>Checking a disc</source>
        <translation>正在检查光盘</translation>
    </message>
    <message>
        <location filename="../../desktop/clerk/window.py" line="51" />
        <source>PleaDesk — Evidence archive</source>
        <translation>PleaDesk — 证据归档</translation>
    </message>
    <message>
        <location filename="../../desktop/clerk/window.py" line="56" />
        <source>Sessions to seal</source>
        <translation>待封存的会见</translation>
    </message>
    <message>
        <location filename="../../desktop/clerk/window.py" line="57" />
        <source>Discs</source>
        <translation>光盘</translation>
    </message>
    <message>
        <location filename="../../desktop/clerk/window.py" line="58" />
        <location filename="../../desktop/clerk/window.py" line="89" />
        <source>Custody log</source>
        <translation>保管记录</translation>
    </message>
    <message>
        <location filename="../../desktop/clerk/window.py" line="60" />
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <location filename="../../desktop/clerk/window.py" line="62" />
        <source>Archive: %1</source>
        <translation>归档目录：%1</translation>
    </message>
    <message>
        <location filename="../../desktop/clerk/window.py" line="83" />
        <source>Sessions to seal (%1)</source>
        <translation>待封存的会见（%1）</translation>
    </message>
    <message>
        <location filename="../../desktop/clerk/window.py" line="86" />
        <source>Discs (%1)</source>
        <translation>光盘（%1）</translation>
    </message>
    <message>
        <location filename="../../desktop/clerk/window.py" line="88" />
        <source> — CHECK FAILED</source>
        <translation> — 校验失败</translation>
    </message>
    <message>
        <location filename="../../desktop/clerk/window.py" line="92" />
        <source>%1: done.</source>
        <translation>%1：已完成。</translation>
    </message>
    <message>
        <location filename="../../desktop/clerk/window.py" line="94" />
        <source>Labels to print: %1</source>
        <translation>待打印的光盘标签：%1</translation>
    </message>
    <message>
        <location filename="../../desktop/clerk/window.py" line="101" />
        <source>%1 failed.</source>
        <translation>%1 失败。</translation>
    </message>
    <message>
        <location filename="../../desktop/clerk/window.py" line="104" />
        <source>PleaDesk</source>
        <translation>PleaDesk</translation>
    </message>
</context>
<context>
    <name>ConnectDialog</name>
    <message>
        <location filename="../../desktop/station/connect_dialog.py" line="15" />
        <source>Join a plea session</source>
        <translation>加入认罪认罚远程会见</translation>
    </message>
    <message>
        <location filename="../../desktop/station/connect_dialog.py" line="29" />
        <source>Hub</source>
        <translation>中心服务器</translation>
    </message>
    <message>
        <location filename="../../desktop/station/connect_dialog.py" line="30" />
        <source>Session</source>
        <translation>会见编号</translation>
    </message>
    <message>
        <location filename="../../desktop/station/connect_dialog.py" line="31" />
        <source>Role</source>
        <translation>身份</translation>
    </message>
    <message>
        <location filename="../../desktop/station/connect_dialog.py" line="32" />
        <source>Join token</source>
        <translation>加入口令</translation>
    </message>
</context>
<context>
    <name>CustodyView</name>
    <message>
        <location filename="../../desktop/clerk/custody_view.py" line="12" />
        <source>Sealed</source>
        <translation>已封存</translation>
    </message>
    <message>
        <location filename="../../desktop/clerk/custody_view.py" line="13" />
        <source>Planned discs</source>
        <translation>已规划光盘</translation>
    </message>
    <message>
        <location filename="../../desktop/clerk/custody_view.py" line="14" />
        <source>Burned</source>
        <translation>已刻录</translation>
    </message>
    <message>
        <location filename="../../desktop/clerk/custody_view.py" line="15" />
        <source>Verified</source>
        <translation>已校验</translation>
    </message>
    <message>
        <location filename="../../desktop/clerk/custody_view.py" line="16" />
        <source>Copied</source>
        <translation>已复制</translation>
    </message>
    <message>
        <location filename="../../desktop/clerk/custody_view.py" line="17" />
        <source>Accessed</source>
        <translation>已调阅</translation>
    </message>
    <message>
        <location filename="../../desktop/clerk/custody_view.py" line="18" />
        <source>Decrypted</source>
        <translation>已解密</translation>
    </message>
    <message>
        <location filename="../../desktop/clerk/custody_view.py" line="19" />
        <source>Exported</source>
        <translation>已导出</translation>
    </message>
    <message>
        <location filename="../../desktop/clerk/custody_view.py" line="48" />
        <source>No.</source>
        <translation>序号</translation>
    </message>
    <message>
        <location filename="../../desktop/clerk/custody_view.py" line="48" />
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <location filename="../../desktop/clerk/custody_view.py" line="48" />
        <source>Clerk</source>
        <translation>技术人员</translation>
    </message>
    <message>
        <location filename="../../desktop/clerk/custody_view.py" line="48" />
        <source>Event</source>
        <translation>事项</translation>
    </message>
    <message>
        <location filename="../../desktop/clerk/custody_view.py" line="48" />
        <source>About</source>
        <translation>对象</translation>
    </message>
    <message>
        <location filename="../../desktop/clerk/custody_view.py" line="65" />
        <source> (failed)</source>
        <translation>（失败）</translation>
    </message>
    <message>
        <location filename="../../desktop/clerk/custody_view.py" line="78" />
        <source>The custody log FAILED its check: %1</source>
        <translation>保管记录校验失败：%1</translation>
    </message>
    <message>
        <location filename="../../desktop/clerk/custody_view.py" line="85" />
        <source>The custody log is intact: %1 signed entries.</source>
        <translation>保管记录完整：共 %1 条签名记录。</translation>
    </message>
</context>
<context>
    <name>DayView</name>
    <message>
        <location filename="../../desktop/schedule/day_view.py" line="36" />
        <source>PleaDesk — rooms and sessions</source>
        <extracomment>How often the view reads the store again, for states the hub changes (milliseconds).</extracomment>
        <translation>PleaDesk — 会见室与会见安排</translation>
    </message>
    <message>
        <location filename="../../desktop/schedule/day_view.py" line="40" />
        <source>Bring in (提押)</source>
        <translation>提押</translation>
    </message>
    <message>
        <location filename="../../desktop/schedule/day_view.py" line="41" />
        <source>Return (还押)</source>
        <translation>还押</translation>
    </message>
    <message>
        <location filename="../../desktop/schedule/day_view.py" line="59" />
        <source>Previous day</source>
        <translation>前一天</translation>
    </message>
    <message>
        <location filename="../../desktop/schedule/day_view.py" line="60" />
        <source>Next day</source>
        <translation>后一天</translation>
    </message>
    <message>
        <location filename="../../desktop/schedule/day_view.py" line="91" />
        <source>Case</source>
        <translation>案号</translation>
    </message>
    <message>
        <location filename="../../desktop/schedule/day_view.py" line="92" />
        <source>Suspect</source>
        <translation>犯罪嫌疑人</translation>
    </message>
    <message>
        <location filename="../../desktop/schedule/day_view.py" line="93" />
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <location filename="../../desktop/schedule/day_view.py" line="94" />
        <source>Room</source>
        <translation>房间</translation>
    </message>
    <message>
        <location filename="../../desktop/schedule/day_view.py" line="95" />
        <source>Prosecutor</source>
        <translation>检察官</translation>
    </message>
    <message>
        <location filename="../../desktop/schedule/day_view.py" line="96" />
        <source>Duty lawyer</source>
        <translation>值班律师</translation>
    </message>
    <message>
        <location filename="../../desktop/schedule/day_view.py" line="97" />
        <source>Interpreter</source>
        <translation>翻译人员</translation>
    </message>
    <message>
        <location filename="../../desktop/schedule/day_view.py" line="98" />
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../desktop/schedule/day_view.py" line="99" />
        <source>Brought in at</source>
        <translation>提押时间</translation>
    </message>
    <message>
        <location filename="../../desktop/schedule/day_view.py" line="100" />
        <source>Returned at</source>
        <translation>还押时间</translation>
    </message>
    <message>
        <location filename="../../desktop/schedule/day_view.py" line="118" />
        <source>%1 — %2 sessions</source>
        <translation>%1 — 共%2场会见</translation>
    </message>
    <message>
        <location filename="../../desktop/schedule/day_view.py" line="164" />
        <source>Request %1: suspect brought in at %2.</source>
        <translation>申请%1：犯罪嫌疑人已于%2提押。</translation>
    </message>
    <message>
        <location filename="../../desktop/schedule/day_view.py" line="166" />
        <source>Request %1: suspect returned at %2.</source>
        <translation>申请%1：犯罪嫌疑人已于%2还押。</translation>
    </message>
</context>
<context>
    <name>DiscsView</name>
    <message>
        <location filename="../../desktop/clerk/discs_view.py" line="30" />
        <source>Bag</source>
        <translation>证据包</translation>
    </message>
    <message>
        <location filename="../../desktop/clerk/discs_view.py" line="30" />
        <source>Case number</source>
        <translation>案号</translation>
    </message>
    <message>
        <location filename="../../desktop/clerk/discs_view.py" line="30" />
        <source>Size</source>
        <translation>大小</translation>
    </message>
    <message>
        <location filename="../../desktop/clerk/discs_view.py" line="34" />
        <source>DVD 4.7 GB</source>
        <translation>DVD 4.7 GB</translation>
    </message>
    <message>
        <location filename="../../desktop/clerk/discs_view.py" line="35" />
        <source>DVD DL 8.5 GB</source>
        <translation>DVD 双层 8.5 GB</translation>
    </message>
    <message>
        <location filename="../../desktop/clerk/discs_view.py" line="36" />
        <source>BD-R 25 GB</source>
        <translation>BD-R 25 GB</translation>
    </message>
    <message>
        <location filename="../../desktop/clerk/discs_view.py" line="37" />
        <source>BD-R DL 50 GB</source>
        <translation>BD-R 双层 50 GB</translation>
    </message>
    <message>
        <location filename="../../desktop/clerk/discs_view.py" line="41" />
        <source>One case per disc</source>
        <translation>一案一盘</translation>
    </message>
    <message>
        <location filename="../../desktop/clerk/discs_view.py" line="42" />
        <source>Pack by size</source>
        <translation>按容量合并</translation>
    </message>
    <message>
        <location filename="../../desktop/clerk/discs_view.py" line="43" />
        <source>Plan discs</source>
        <translation>规划光盘</translation>
    </message>
    <message>
        <location filename="../../desktop/clerk/discs_view.py" line="49" />
        <source>Disc</source>
        <translation>光盘</translation>
    </message>
    <message>
        <location filename="../../desktop/clerk/discs_view.py" line="49" />
        <source>Bags</source>
        <translation>证据包</translation>
    </message>
    <message>
        <location filename="../../desktop/clerk/discs_view.py" line="49" />
        <source>Copy A</source>
        <translation>A 盘</translation>
    </message>
    <message>
        <location filename="../../desktop/clerk/discs_view.py" line="49" />
        <source>Copy B</source>
        <translation>B 盘</translation>
    </message>
    <message>
        <location filename="../../desktop/clerk/discs_view.py" line="55" />
        <source>empty: an image file in the archive</source>
        <translation>留空：在归档目录中生成镜像文件</translation>
    </message>
    <message>
        <location filename="../../desktop/clerk/discs_view.py" line="56" />
        <source>Burn and verify copies A and B</source>
        <translation>刻录并校验 A、B 两盘</translation>
    </message>
    <message>
        <location filename="../../desktop/clerk/discs_view.py" line="59" />
        <source>drive (/dev/sr0) or stdio:image.iso</source>
        <translation>刻录机（/dev/sr0）或 stdio:镜像文件.iso</translation>
    </message>
    <message>
        <location filename="../../desktop/clerk/discs_view.py" line="60" />
        <source>Check a stored disc</source>
        <translation>抽查存档光盘</translation>
    </message>
    <message>
        <location filename="../../desktop/clerk/discs_view.py" line="69" />
        <source>Sealed bags waiting for a disc</source>
        <translation>等待刻录的已封存证据包</translation>
    </message>
    <message>
        <location filename="../../desktop/clerk/discs_view.py" line="78" />
        <source>Discs to burn</source>
        <translation>待刻录光盘</translation>
    </message>
    <message>
        <location filename="../../desktop/clerk/discs_view.py" line="80" />
        <source>Drive for copy A (technical department)</source>
        <translation>A 盘刻录机（技术部门）</translation>
    </message>
    <message>
        <location filename="../../desktop/clerk/discs_view.py" line="81" />
        <source>Drive for copy B (case file)</source>
        <translation>B 盘刻录机（案卷）</translation>
    </message>
    <message>
        <location filename="../../desktop/clerk/discs_view.py" line="86" />
        <source>Spot check</source>
        <translation>抽查</translation>
    </message>
    <message>
        <location filename="../../desktop/clerk/discs_view.py" line="98" />
        <source>not burned</source>
        <translation>未刻录</translation>
    </message>
    <message>
        <location filename="../../desktop/clerk/discs_view.py" line="99" />
        <source>burned, not verified</source>
        <translation>已刻录，未校验</translation>
    </message>
    <message>
        <location filename="../../desktop/clerk/discs_view.py" line="100" />
        <source>verified</source>
        <translation>已校验</translation>
    </message>
    <message>
        <location filename="../../desktop/clerk/discs_view.py" line="101" />
        <source>FAILED</source>
        <translation>失败</translation>
    </message>
</context>
<context>
    <name>DocumentPanel</name>
    <message>
        <location filename="../../desktop/station/document_panel.py" line="26" />
        <source>Load agreement…</source>
        <translation>载入具结书…</translation>
    </message>
    <message>
        <location filename="../../desktop/station/document_panel.py" line="29" />
        <source>◀ Previous page</source>
        <translation>◀ 上一页</translation>
    </message>
    <message>
        <location filename="../../desktop/station/document_panel.py" line="30" />
        <source>Next page ▶</source>
        <translation>下一页 ▶</translation>
    </message>
    <message>
        <location filename="../../desktop/station/document_panel.py" line="63" />
        <source>Page %1 of %2</source>
        <translation>第 %1 页，共 %2 页</translation>
    </message>
    <message>
        <location filename="../../desktop/station/document_panel.py" line="72" />
        <source>Load the plea agreement</source>
        <translation>载入认罪认罚具结书</translation>
    </message>
    <message>
        <location filename="../../desktop/station/document_panel.py" line="72" />
        <source>PDF documents (*.pdf)</source>
        <translation>PDF 文件 (*.pdf)</translation>
    </message>
</context>
<context>
    <name>LiveDocument</name>
    <message>
        <location filename="../../desktop/station/live_document.py" line="164" />
        <source>The document received (SHA-256 %1) is not the one the prosecutor shows (%2). It cannot be signed; ask the prosecutor to show it again.</source>
        <extracomment>States in which the agreement is on every screen (fetched if a station has none). Refusals that mean the signature just sent did not count: the signer may sign again. Whether this party's pad takes a signature now. What the user must know about the document or the signature; "" when nothing is amiss.</extracomment>
        <translation>收到的文书（SHA-256 %1）不是检察官出示的文书（%2），不能签署；请检察官重新出示。</translation>
    </message>
    <message>
        <location filename="../../desktop/station/live_document.py" line="220" />
        <source>Your signature was sent to the hub.</source>
        <translation>您的签名已提交。</translation>
    </message>
</context>
<context>
    <name>PageView</name>
    <message>
        <location filename="../../desktop/station/page_view.py" line="26" />
        <source>No document is shown yet.</source>
        <translation>尚未显示文书。</translation>
    </message>
    <message>
        <location filename="../../desktop/station/page_view.py" line="78" />
        <source>Document SHA-256: %1 · pages: %2 · This is the document you sign.</source>
        <translation>文书 SHA-256：%1 · 共 %2 页 · 您签署的就是这份文书。</translation>
    </message>
    <message>
        <location filename="../../desktop/station/page_view.py" line="107" />
        <source>The document cannot be shown: %1</source>
        <translation>文书无法显示：%1</translation>
    </message>
</context>
<context>
    <name>PartyTile</name>
    <message>
        <location filename="../../desktop/station/party_tile.py" line="21" />
        <source>Waiting for video…</source>
        <translation>正在等待视频…</translation>
    </message>
    <message>
        <location filename="../../desktop/station/party_tile.py" line="26" />
        <source>Hand raised</source>
        <translation>已举手</translation>
    </message>
    <message>
        <location filename="../../desktop/station/party_tile.py" line="58" />
        <source>%s has left</source>
        <translation>%s 已离开</translation>
    </message>
</context>
<context>
    <name>ProgressPanel</name>
    <message>
        <location filename="../../desktop/clerk/progress.py" line="53" />
        <location filename="../../desktop/clerk/progress.py" line="73" />
        <source>Idle</source>
        <translation>空闲</translation>
    </message>
    <message>
        <location filename="../../desktop/clerk/progress.py" line="63" />
        <source>%1 of %2</source>
        <translation>%1 / %2</translation>
    </message>
</context>
<context>
    <name>SessionsView</name>
    <message>
        <location filename="../../desktop/clerk/sessions_view.py" line="28" />
        <source>Case number</source>
        <translation>案号</translation>
    </message>
    <message>
        <location filename="../../desktop/clerk/sessions_view.py" line="28" />
        <source>Session started</source>
        <translation>会见开始时间</translation>
    </message>
    <message>
        <location filename="../../desktop/clerk/sessions_view.py" line="28" />
        <source>Size</source>
        <translation>大小</translation>
    </message>
    <message>
        <location filename="../../desktop/clerk/sessions_view.py" line="35" />
        <source>Seal selected</source>
        <translation>封存所选</translation>
    </message>
    <message>
        <location filename="../../desktop/clerk/sessions_view.py" line="36" />
        <source>Seal all</source>
        <translation>全部封存</translation>
    </message>
    <message>
        <location filename="../../desktop/clerk/sessions_view.py" line="62" />
        <source>Cannot be sealed: %1</source>
        <translation>无法封存：%1</translation>
    </message>
</context>
<context>
    <name>SignaturePad</name>
    <message>
        <location filename="../../desktop/station/signature_pad.py" line="41" />
        <source>Clear</source>
        <translation>清除</translation>
    </message>
    <message>
        <location filename="../../desktop/station/signature_pad.py" line="42" />
        <source>Confirm signature</source>
        <translation>确认签名</translation>
    </message>
    <message>
        <location filename="../../desktop/station/signature_pad.py" line="132" />
        <source>Sign here</source>
        <translation>请在此处签名</translation>
    </message>
</context>
<context>
    <name>SignaturePadModel</name>
    <message>
        <location filename="../../desktop/station/signature_pad_model.py" line="83" />
        <source>The signature has too many strokes; clear it and sign again.</source>
        <extracomment>Pressure recorded for a mouse, which has none. The signer confirmed: the ``Signature`` wire dict (see documents.signature), bound to the document on screen, ready for the session's data channel. The strokes changed (a point added, or the pad cleared): repaint. The signature could not be accepted: the message for the signer. The pen left the pad after a stroke: (pad width, pad height, the stroke's points as ``[[x, y, t, pressure], ...]``), for the witness to see the writing as it happens.</extracomment>
        <translation>签名笔画过多，请清除后重新签名。</translation>
    </message>
    <message>
        <location filename="../../desktop/station/signature_pad_model.py" line="111" />
        <source>No document is shown; the signature has nothing to sign.</source>
        <translation>尚未显示文书，签名没有对应的文书。</translation>
    </message>
    <message>
        <location filename="../../desktop/station/signature_pad_model.py" line="114" />
        <source>Please sign in the box before confirming.</source>
        <translation>请先在框内签名，再点击确认。</translation>
    </message>
    <message>
        <location filename="../../desktop/station/signature_pad_model.py" line="129" />
        <source>The signature is too long; clear it and sign again.</source>
        <translation>签名过长，请清除后重新签名。</translation>
    </message>
</context>
<context>
    <name>StationActions</name>
    <message>
        <location filename="../../desktop/station/actions.py" line="82" />
        <source>The step was not sent: %1</source>
        <extracomment>Largest agreement file read from disk (the hub has its own, similar limit). Something this station tried did not work: the message for the user.</extracomment>
        <translation>未能发送该步骤：%1</translation>
    </message>
    <message>
        <location filename="../../desktop/station/actions.py" line="90" />
        <source>%1 is larger than %2 MB.</source>
        <translation>%1 超过 %2 MB。</translation>
    </message>
    <message>
        <location filename="../../desktop/station/actions.py" line="92" />
        <source>%1 is not a PDF file.</source>
        <translation>%1 不是 PDF 文件。</translation>
    </message>
    <message>
        <location filename="../../desktop/station/actions.py" line="99" />
        <source>The agreement was not loaded: %1</source>
        <translation>具结书未能载入：%1</translation>
    </message>
    <message>
        <location filename="../../desktop/station/actions.py" line="105" />
        <source>The agreement cannot be shown: %1</source>
        <translation>具结书无法显示：%1</translation>
    </message>
    <message>
        <location filename="../../desktop/station/actions.py" line="163" />
        <source>Not connected to the session's recorder yet; try again in a moment.</source>
        <translation>尚未连接到会见录制端，请稍后再试。</translation>
    </message>
    <message>
        <location filename="../../desktop/station/actions.py" line="166" />
        <source>Could not send: %1</source>
        <translation>未能发送：%1</translation>
    </message>
</context>
<context>
    <name>StationWindow</name>
    <message>
        <location filename="../../desktop/station/window.py" line="63" />
        <source>PleaDesk — %s</source>
        <extracomment>The duty lawyer watches this party sign. Size that fits a 1366 × 768 screen with its panel and the window's frame.</extracomment>
        <translation>认罪认罚远程会见 — %s</translation>
    </message>
    <message>
        <location filename="../../desktop/station/window.py" line="71" />
        <location filename="../../desktop/station/window.py" line="170" />
        <source>Raise hand</source>
        <translation>举手</translation>
    </message>
    <message>
        <location filename="../../desktop/station/window.py" line="96" />
        <source>Signature</source>
        <translation>签名</translation>
    </message>
    <message>
        <location filename="../../desktop/station/window.py" line="137" />
        <source>● REC</source>
        <translation>● 录制中</translation>
    </message>
    <message>
        <location filename="../../desktop/station/window.py" line="137" />
        <source>○ not recording</source>
        <translation>○ 未录制</translation>
    </message>
    <message>
        <location filename="../../desktop/station/window.py" line="143" />
        <source>Waiting…</source>
        <translation>请稍候…</translation>
    </message>
    <message>
        <location filename="../../desktop/station/window.py" line="170" />
        <source>Lower hand</source>
        <translation>放下手</translation>
    </message>
</context>
<context>
    <name>WitnessView</name>
    <message>
        <location filename="../../desktop/station/witness_view.py" line="66" />
        <source>%1 signing, live</source>
        <translation>%1正在签名（实时）</translation>
    </message>
    <message>
        <location filename="../../desktop/station/witness_view.py" line="68" />
        <source>%1's signature will appear here as it is written.</source>
        <translation>%1的签名将在书写时实时显示于此。</translation>
    </message>
</context>
<context>
    <name>devices</name>
    <message>
        <location filename="../../desktop/texts.py" line="44" />
        <source>The camera was not found. Connect it, or choose another, before joining.</source>
        <translation>未找到摄像头。请先连接摄像头或选择其他摄像头，再加入会见。</translation>
    </message>
    <message>
        <location filename="../../desktop/texts.py" line="47" />
        <source>The camera could not be opened. Is another program using it?</source>
        <translation>摄像头无法打开。是否有其他程序正在使用？</translation>
    </message>
    <message>
        <location filename="../../desktop/texts.py" line="50" />
        <source>The microphone was not found. Connect it, or choose another, before joining.</source>
        <translation>未找到麦克风。请先连接麦克风或选择其他麦克风，再加入会见。</translation>
    </message>
    <message>
        <location filename="../../desktop/texts.py" line="52" />
        <source>The microphone could not be opened.</source>
        <translation>麦克风无法打开。</translation>
    </message>
    <message>
        <location filename="../../desktop/texts.py" line="54" />
        <source>The speaker was not found. Connect it, or choose another, before joining.</source>
        <translation>未找到扬声器。请先连接扬声器或选择其他扬声器，再加入会见。</translation>
    </message>
    <message>
        <location filename="../../desktop/texts.py" line="56" />
        <source>The speaker could not be opened.</source>
        <translation>扬声器无法打开。</translation>
    </message>
    <message>
        <location filename="../../desktop/texts.py" line="58" />
        <source>The sound library (PortAudio) is missing: install the package libportaudio2.</source>
        <translation>缺少声音程序库（PortAudio）：请安装 libportaudio2 软件包。</translation>
    </message>
    <message>
        <location filename="../../desktop/texts.py" line="61" />
        <source>The computer&apos;s sound devices could not be read. Check its sound settings.</source>
        <translation>无法读取本机的声音设备，请检查声音设置。</translation>
    </message>
    <message>
        <location filename="../../desktop/texts.py" line="64" />
        <source>The devices are not ready</source>
        <translation>设备未就绪</translation>
    </message>
</context>
<context>
    <name>roles</name>
    <message>
        <location filename="../../desktop/texts.py" line="8" />
        <source>Suspect</source>
        <translation>犯罪嫌疑人</translation>
    </message>
    <message>
        <location filename="../../desktop/texts.py" line="9" />
        <source>Prosecutor</source>
        <translation>检察官</translation>
    </message>
    <message>
        <location filename="../../desktop/texts.py" line="10" />
        <source>Duty lawyer</source>
        <translation>值班律师</translation>
    </message>
    <message>
        <location filename="../../desktop/texts.py" line="11" />
        <source>Recorder</source>
        <translation>录制端</translation>
    </message>
</context>
<context>
    <name>schedule</name>
    <message>
        <location filename="../../desktop/schedule/day_view_model.py" line="133" />
        <source>The suspect has been brought in: the session can no longer be moved.</source>
        <extracomment>The bookings, their states or the day shown changed: redraw. An action was refused or failed: the message for staff. A custody time was recorded: (request id, "take_out" or "return", time as HH:MM).</extracomment>
        <translation>犯罪嫌疑人已提押，会见不能再调整。</translation>
    </message>
    <message>
        <location filename="../../desktop/schedule/day_view_model.py" line="171" />
        <source>The suspect was already brought in at {time}.</source>
        <translation>犯罪嫌疑人已于{time}提押。</translation>
    </message>
    <message>
        <location filename="../../desktop/schedule/day_view_model.py" line="189" />
        <source>The suspect has not been brought in yet.</source>
        <translation>犯罪嫌疑人尚未提押。</translation>
    </message>
    <message>
        <location filename="../../desktop/schedule/day_view_model.py" line="194" />
        <source>The suspect was already returned at {time}.</source>
        <translation>犯罪嫌疑人已于{time}还押。</translation>
    </message>
    <message>
        <location filename="../../desktop/schedule/texts.py" line="13" />
        <source>Booked</source>
        <translation>已预约</translation>
    </message>
    <message>
        <location filename="../../desktop/schedule/texts.py" line="14" />
        <source>Brought in</source>
        <translation>已提押</translation>
    </message>
    <message>
        <location filename="../../desktop/schedule/texts.py" line="15" />
        <source>In session</source>
        <translation>会见中</translation>
    </message>
    <message>
        <location filename="../../desktop/schedule/texts.py" line="16" />
        <source>Agreement signed</source>
        <translation>已签署具结书</translation>
    </message>
    <message>
        <location filename="../../desktop/schedule/texts.py" line="17" />
        <source>Ended, not signed</source>
        <translation>已结束（未签署）</translation>
    </message>
    <message>
        <location filename="../../desktop/schedule/texts.py" line="18" />
        <source>Returned</source>
        <translation>已还押</translation>
    </message>
    <message>
        <location filename="../../desktop/schedule/texts.py" line="22" />
        <source>Remote interrogation room</source>
        <translation>远程讯问室</translation>
    </message>
    <message>
        <location filename="../../desktop/schedule/texts.py" line="23" />
        <source>Plea workroom</source>
        <translation>认罪认罚远程工作室</translation>
    </message>
    <message>
        <location filename="../../desktop/schedule/texts.py" line="24" />
        <source>Waiting room</source>
        <translation>等候室</translation>
    </message>
    <message>
        <location filename="../../desktop/schedule/texts.py" line="28" />
        <source>room</source>
        <translation>房间</translation>
    </message>
    <message>
        <location filename="../../desktop/schedule/texts.py" line="29" />
        <source>suspect</source>
        <translation>犯罪嫌疑人</translation>
    </message>
    <message>
        <location filename="../../desktop/schedule/texts.py" line="30" />
        <source>prosecutor</source>
        <translation>检察官</translation>
    </message>
    <message>
        <location filename="../../desktop/schedule/texts.py" line="31" />
        <source>duty lawyer</source>
        <translation>值班律师</translation>
    </message>
    <message>
        <location filename="../../desktop/schedule/texts.py" line="32" />
        <source>interpreter</source>
        <translation>翻译人员</translation>
    </message>
    <message>
        <location filename="../../desktop/schedule/texts.py" line="33" />
        <source>request</source>
        <translation>申请</translation>
    </message>
    <message>
        <location filename="../../desktop/schedule/texts.py" line="37" />
        <source>There is no {what} {id}.</source>
        <translation>没有{what}{id}。</translation>
    </message>
    <message>
        <location filename="../../desktop/schedule/texts.py" line="38" />
        <source>Room {id} is a waiting room and cannot hold a session.</source>
        <translation>房间{id}是等候室，不能用于会见。</translation>
    </message>
    <message>
        <location filename="../../desktop/schedule/texts.py" line="41" />
        <source>Request {request} needs {detail} minutes.</source>
        <translation>申请{request}需要{detail}分钟。</translation>
    </message>
    <message>
        <location filename="../../desktop/schedule/texts.py" line="44" />
        <source>The {what} {id} is already booked for request {other} at that time.</source>
        <translation>{what}{id}在该时段已被申请{other}占用。</translation>
    </message>
    <message>
        <location filename="../../desktop/schedule/texts.py" line="47" />
        <source>The {what} {id} needs {detail} minutes of change-over after request {other}.</source>
        <translation>{what}{id}在申请{other}之后需要{detail}分钟的转换时间。</translation>
    </message>
    <message>
        <location filename="../../desktop/schedule/texts.py" line="50" />
        <source>The {what} {id} is not available {detail}.</source>
        <translation>{what}{id}在{detail}不可用。</translation>
    </message>
    <message>
        <location filename="../../desktop/schedule/texts.py" line="53" />
        <source>Request {request} must be held by prosecutor {detail}.</source>
        <translation>申请{request}须由检察官{detail}办理。</translation>
    </message>
    <message>
        <location filename="../../desktop/schedule/texts.py" line="56" />
        <source>Request {request} needs an interpreter for {detail}.</source>
        <translation>申请{request}需要{detail}语翻译人员。</translation>
    </message>
    <message>
        <location filename="../../desktop/schedule/texts.py" line="59" />
        <source>Interpreter {id} does not speak {detail}.</source>
        <translation>翻译人员{id}不会{detail}语。</translation>
    </message>
    <message>
        <location filename="../../desktop/schedule/texts.py" line="62" />
        <source>Request {request} is booked more than once.</source>
        <translation>申请{request}被重复预约。</translation>
    </message>
</context>
<context>
    <name>states</name>
    <message>
        <location filename="../../desktop/texts.py" line="14" />
        <source>Connecting</source>
        <translation>正在连接</translation>
    </message>
    <message>
        <location filename="../../desktop/texts.py" line="15" />
        <source>Waiting for the parties</source>
        <translation>等待各方到场</translation>
    </message>
    <message>
        <location filename="../../desktop/texts.py" line="16" />
        <source>All parties present</source>
        <translation>各方已到场</translation>
    </message>
    <message>
        <location filename="../../desktop/texts.py" line="17" />
        <source>Recording started</source>
        <translation>同步录音录像已开始</translation>
    </message>
    <message>
        <location filename="../../desktop/texts.py" line="18" />
        <source>Recording announced</source>
        <translation>已告知正在录音录像</translation>
    </message>
    <message>
        <location filename="../../desktop/texts.py" line="19" />
        <source>Rights notice read</source>
        <translation>已告知诉讼权利</translation>
    </message>
    <message>
        <location filename="../../desktop/texts.py" line="20" />
        <source>Hearing</source>
        <translation>听取意见</translation>
    </message>
    <message>
        <location filename="../../desktop/texts.py" line="21" />
        <source>Private consultation</source>
        <translation>律师单独会见</translation>
    </message>
    <message>
        <location filename="../../desktop/texts.py" line="22" />
        <source>Agreement presented</source>
        <translation>已出示具结书</translation>
    </message>
    <message>
        <location filename="../../desktop/texts.py" line="23" />
        <source>Signing</source>
        <translation>签署具结书</translation>
    </message>
    <message>
        <location filename="../../desktop/texts.py" line="24" />
        <source>Agreement signed</source>
        <translation>具结书已签署</translation>
    </message>
    <message>
        <location filename="../../desktop/texts.py" line="25" />
        <source>Closing</source>
        <translation>正在结束</translation>
    </message>
    <message>
        <location filename="../../desktop/texts.py" line="26" />
        <source>Session closed</source>
        <translation>会见已结束</translation>
    </message>
    <message>
        <location filename="../../desktop/texts.py" line="27" />
        <source>Interrupted</source>
        <translation>已中断</translation>
    </message>
    <message>
        <location filename="../../desktop/texts.py" line="28" />
        <source>No agreement signed</source>
        <translation>不签署具结书</translation>
    </message>
</context>
<context>
    <name>steps</name>
    <message>
        <location filename="../../desktop/texts.py" line="31" />
        <source>Announce the recording</source>
        <translation>告知录音录像</translation>
    </message>
    <message>
        <location filename="../../desktop/texts.py" line="32" />
        <source>Read the rights notice</source>
        <translation>告知诉讼权利</translation>
    </message>
    <message>
        <location filename="../../desktop/texts.py" line="33" />
        <source>Begin the hearing</source>
        <translation>开始听取意见</translation>
    </message>
    <message>
        <location filename="../../desktop/texts.py" line="34" />
        <source>Present the agreement</source>
        <translation>出示具结书</translation>
    </message>
    <message>
        <location filename="../../desktop/texts.py" line="35" />
        <source>Begin signing</source>
        <translation>开始签署</translation>
    </message>
    <message>
        <location filename="../../desktop/texts.py" line="36" />
        <source>Close the session</source>
        <translation>结束会见</translation>
    </message>
    <message>
        <location filename="../../desktop/texts.py" line="37" />
        <source>Resume the session</source>
        <translation>恢复会见</translation>
    </message>
</context>
</TS>
