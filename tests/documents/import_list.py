"""A department's realistic list of 60 next-year items, as a preparer types them into the
import template (issue 15): titles and amounts in the style of published provincial plans
(政务云 service purchases of several hundred million 元, platform upgrades, 运维), amounts
written the ways people write them (thousand separators, full-width digits, a trailing 万/万元,
in 元 or 亿元, with spaces), years written "2028年", and some rows with amounts missing or
mistyped.

``ITEMS``: (title, total as typed, yearly as typed, expected) where expected is the exact 元
(Decimal) for a row that must import, or the kind of message the preview must show.
"""

from __future__ import annotations

from decimal import Decimal

OK, WARN = "ok", "warning"
#: The rows whose amounts are missing or mistyped: (title, total, yearly, column, message part).
BAD = [
    (
        "全省统一电子证照系统扩容",
        None,
        "2027:800",
        "项目总投资（万元）",
        "不能为空（办法第九条）：应填写金额（万元）",
    ),
    (
        "省级政务数据共享交换平台运维",
        "",
        "2027:350",
        "项目总投资（万元）",
        "不能为空（办法第九条）：应填写金额（万元）",
    ),
    ("全省智慧应急指挥平台二期", "待定", "2027:900", "项目总投资（万元）", "收到“待定”"),
    ("省市场监管综合执法系统升级", "约500万", "2027:500", "项目总投资（万元）", "收到“约500万”"),
    ("全省不动产登记信息平台优化", "1.2.3", "2027:120", "项目总投资（万元）", "收到“1.2.3”"),
    ("省级财政预算管理一体化系统运维", "450", None, "年度投资（万元）", "不能为空（办法第九条）：格式应为"),
    ("省生态环境监测监控平台", "680", "2027年:600", "年度投资（万元）", "各年度投资合计600.00万元"),
    ("全省公共资源交易平台升级改造", "1,2345", "2027:1000", "项目总投资（万元）", "千分位逗号位置不对"),
]

#: (title, total as typed, yearly as typed, expected 元, status)
GOOD = [
    ("黑龙江省政务云服务购买（2027年度）", "39838.35万", "2027年:39838.35", Decimal("398383500.00"), OK),
    (
        "省一体化政务服务平台升级改造",
        "274,246.20",
        "2027:137,123.10;2028年:137,123.10",
        Decimal("2742462000.00"),
        OK,
    ),
    ("全省“互联网+监管”系统二期", "２７４２４６", "2027:２７４２４６", Decimal("2742460000.00"), OK),
    ("省级电子政务外网安全防护", "1 234.56", "2027:1234.56", Decimal("12345600.00"), OK),
    ("全省数字机关协同办公平台", "3,200万元", "2027年：1,600;2028年：1,600", Decimal("32000000.00"), OK),
    ("省公共数据资源目录系统", 860, "2027:860", Decimal("8600000.00"), OK),
    ("全省医保信息平台运维（2027年）", 1520.75, "2027:1520.75", Decimal("15207500.00"), OK),
    ("省社会信用信息共享平台升级", "2.5亿元", "2027:25000", Decimal("250000000.00"), WARN),
    ("全省12345政务服务便民热线系统", "3,983,835元", "2027:398.3835", Decimal("3983835.00"), WARN),
    ("省级政务大数据中心存储扩容", "１，２００．５０", "2027:1200.50", Decimal("12005000.00"), OK),
]

#: Ordinary rows, with the total and the yearly amounts typed plainly or with separators.
PLAIN_TITLES = [
    "全省教育督导信息平台",
    "全省学前教育管理系统",
    "省人力资源社会保障一体化平台",
    "全省就业创业服务系统",
    "省级养老服务信息平台",
    "全省残疾人服务管理系统",
    "省交通运输综合执法平台",
    "全省公路安全监测预警系统",
    "省水利工程运行管理平台",
    "全省河湖长制信息系统",
    "省农业农村大数据平台",
    "全省高标准农田管理系统",
    "省林草资源监测平台",
    "全省森林草原防灭火指挥系统",
    "省文化和旅游公共服务平台",
    "全省文物资源数据库",
    "省卫生健康综合监管平台",
    "全省全民健康信息平台升级",
    "省疾病预防控制信息系统",
    "全省药品追溯监管平台",
    "省住房公积金综合服务平台",
    "全省城镇燃气安全监管系统",
    "省自然资源三维时空平台",
    "全省国土空间规划监测系统",
    "省统计联网直报平台优化",
    "全省审计大数据分析平台",
    "省档案信息化管理系统",
    "全省政务服务好差评系统",
    "省人民防空指挥信息系统",
    "全省退役军人服务保障系统",
    "省民族宗教事务管理平台",
    "全省粮食和物资储备监管系统",
    "省知识产权公共服务平台",
    "全省气象灾害预警信息平台",
    "省地震监测预警系统升级",
    "全省商务运行监测平台",
    "省外事服务管理系统",
    "全省侨务信息管理平台",
    "省政府网站集约化平台运维",
    "全省信访信息系统升级",
    "省机关事务管理平台",
    "全省税费协同共治平台",
]


def plain_amount(index: int) -> tuple[str | int | float, Decimal]:
    """The total of the index-th plain row as typed, and its exact 元."""
    wan = Decimal(150 + 37 * index) + Decimal(index % 7) / Decimal(4)
    typed = [f"{wan:,}", str(wan), float(wan), f"{wan}万元"][index % 4]
    if index % 4 == 2 and wan == wan.to_integral_value():
        typed = int(wan)
    return typed, wan * 10000


def items():
    """All 60 rows: (title, total typed, yearly typed, expected 元 or None, status, column, message)."""
    rows = []
    for title, total, yearly, expected, status in GOOD:
        rows.append((title, total, yearly, expected, status, None, None))
    for i, title in enumerate(PLAIN_TITLES):
        typed, yuan = plain_amount(i)
        yearly = f"{2027 if i % 2 else '2027年'}:{yuan / 10000}"
        rows.append((title, typed, yearly, yuan, OK, None, None))
    for title, total, yearly, column, message in BAD:
        rows.append((title, total, yearly, None, "error", column, message))
    assert len(rows) == 60, len(rows)
    return rows
