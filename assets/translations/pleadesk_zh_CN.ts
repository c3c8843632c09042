<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>ConnectDialog</name>
    <message>
        <location filename="../../desktop/connect_dialog.py" line="15"/>
        <source>Join a plea session</source>
        <translation>加入认罪认罚远程会见</translation>
    </message>
    <message>
        <location filename="../../desktop/connect_dialog.py" line="27"/>
        <source>Hub</source>
        <translation>中心服务器</translation>
    </message>
    <message>
        <location filename="../../desktop/connect_dialog.py" line="28"/>
        <source>Session</source>
        <translation>会见编号</translation>
    </message>
    <message>
        <location filename="../../desktop/connect_dialog.py" line="29"/>
        <source>Role</source>
        <translation>身份</translation>
    </message>
</context>
<context>
    <name>StationWindow</name>
    <message>
        <location filename="../../desktop/station_window.py" line="51"/>
        <source>PleaDesk — %s</source>
        <translation>认罪认罚远程会见 — %s</translation>
    </message>
    <message>
        <location filename="../../desktop/station_window.py" line="76"/>
        <source>Waiting for video…</source>
        <translation>正在等待视频…</translation>
    </message>
    <message>
        <location filename="../../desktop/station_window.py" line="95"/>
        <source>● REC</source>
        <translation>● 录制中</translation>
    </message>
    <message>
        <location filename="../../desktop/station_window.py" line="95"/>
        <source>○ not recording</source>
        <translation>○ 未录制</translation>
    </message>
    <message>
        <location filename="../../desktop/station_window.py" line="101"/>
        <source>Waiting…</source>
        <translation>请稍候…</translation>
    </message>
    <message>
        <location filename="../../desktop/station_window.py" line="113"/>
        <source>%s has left</source>
        <translation>%s 已离开</translation>
    </message>
</context>
<context>
    <name>roles</name>
    <message>
        <location filename="../../desktop/texts.py" line="8"/>
        <source>Suspect</source>
        <translation>犯罪嫌疑人</translation>
    </message>
    <message>
        <location filename="../../desktop/texts.py" line="9"/>
        <source>Prosecutor</source>
        <translation>检察官</translation>
    </message>
    <message>
        <location filename="../../desktop/texts.py" line="10"/>
        <source>Duty lawyer</source>
        <translation>值班律师</translation>
    </message>
    <message>
        <location filename="../../desktop/texts.py" line="11"/>
        <source>Recorder</source>
        <translation>录制端</translation>
    </message>
</context>
<context>
    <name>states</name>
    <message>
        <location filename="../../desktop/texts.py" line="14"/>
        <source>Connecting</source>
        <translation>正在连接</translation>
    </message>
    <message>
        <location filename="../../desktop/texts.py" line="15"/>
        <source>Waiting for the parties</source>
        <translation>等待各方到场</translation>
    </message>
    <message>
        <location filename="../../desktop/texts.py" line="16"/>
        <source>All parties present</source>
        <translation>各方已到场</translation>
    </message>
    <message>
        <location filename="../../desktop/texts.py" line="17"/>
        <source>Recording started</source>
        <translation>同步录音录像已开始</translation>
    </message>
    <message>
        <location filename="../../desktop/texts.py" line="18"/>
        <source>Recording announced</source>
        <translation>已告知正在录音录像</translation>
    </message>
    <message>
        <location filename="../../desktop/texts.py" line="19"/>
        <source>Rights notice read</source>
        <translation>已告知诉讼权利</translation>
    </message>
    <message>
        <location filename="../../desktop/texts.py" line="20"/>
        <source>Hearing</source>
        <translation>听取意见</translation>
    </message>
    <message>
        <location filename="../../desktop/texts.py" line="21"/>
        <source>Private consultation</source>
        <translation>律师单独会见</translation>
    </message>
    <message>
        <location filename="../../desktop/texts.py" line="22"/>
        <source>Agreement presented</source>
        <translation>已出示具结书</translation>
    </message>
    <message>
        <location filename="../../desktop/texts.py" line="23"/>
        <source>Signing</source>
        <translation>签署具结书</translation>
    </message>
    <message>
        <location filename="../../desktop/texts.py" line="24"/>
        <source>Agreement signed</source>
        <translation>具结书已签署</translation>
    </message>
    <message>
        <location filename="../../desktop/texts.py" line="25"/>
        <source>Closing</source>
        <translation>正在结束</translation>
    </message>
    <message>
        <location filename="../../desktop/texts.py" line="26"/>
        <source>Session closed</source>
        <translation>会见已结束</translation>
    </message>
    <message>
        <location filename="../../desktop/texts.py" line="27"/>
        <source>Interrupted</source>
        <translation>已中断</translation>
    </message>
    <message>
        <location filename="../../desktop/texts.py" line="28"/>
        <source>No agreement signed</source>
        <translation>不签署具结书</translation>
    </message>
</context>
<context>
    <name>steps</name>
    <message>
        <location filename="../../desktop/texts.py" line="31"/>
        <source>Announce the recording</source>
        <translation>告知录音录像</translation>
    </message>
    <message>
        <location filename="../../desktop/texts.py" line="32"/>
        <source>Read the rights notice</source>
        <translation>告知诉讼权利</translation>
    </message>
    <message>
        <location filename="../../desktop/texts.py" line="33"/>
        <source>Begin the hearing</source>
        <translation>开始听取意见</translation>
    </message>
    <message>
        <location filename="../../desktop/texts.py" line="34"/>
        <source>Present the agreement</source>
        <translation>出示具结书</translation>
    </message>
    <message>
        <location filename="../../desktop/texts.py" line="35"/>
        <source>Begin signing</source>
        <translation>开始签署</translation>
    </message>
    <message>
        <location filename="../../desktop/texts.py" line="36"/>
        <source>Close the session</source>
        <translation>结束会见</translation>
    </message>
    <message>
        <location filename="../../desktop/texts.py" line="37"/>
        <source>Resume the session</source>
        <translation>恢复会见</translation>
    </message>
</context>
</TS>
