"""The bureau's statistics as a workbook (issue 12 item 7): one sheet per table of the page
(exports/statistics.py), the same numbers; money in 万元 with two decimals, rates as
percentages, the filters written under the title."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from core.formatting import wan

from .base import BORDER, CENTRE, HEAD_FILL, HEAD_FONT, MONEY_FORMAT, PLAIN, TITLE_FONT, _cell
from .statistics import Statistics


def _sheet(
    wb: Workbook, title: str, subtitle: str, header: list[str], rows: list[list[Any]], formats: list[str]
):
    ws = wb.create_sheet(title[:31])
    for i in range(1, len(header) + 1):
        ws.column_dimensions[get_column_letter(i)].width = 14 if i > 1 else 30
    head = _cell(ws, title)
    head.font = TITLE_FONT
    ws.append([head])
    ws.append([_cell(ws, subtitle)])
    cells = []
    for label in header:
        c = _cell(ws, label)
        c.font, c.alignment, c.fill, c.border = HEAD_FONT, CENTRE, HEAD_FILL, BORDER
        cells.append(c)
    ws.append(cells)
    for values in rows:
        line = []
        for value, fmt in zip(values, formats, strict=True):
            c = _cell(ws, value)
            c.font, c.border = PLAIN, BORDER
            if fmt and value is not None and not isinstance(value, str):
                c.number_format = fmt
            line.append(c)
        ws.append(line)


def write_statistics(stats: Statistics, fh, owner_name: str = "") -> None:
    wb = Workbook(write_only=True)
    parts = [_("年度：%(year)s") % {"year": stats.filters.year or _("全部")}]
    parts.append(_("项目建设单位：%(name)s") % {"name": owner_name or _("全部")})
    parts.append(_("统计日期：%(day)s") % {"day": stats.today.isoformat()})
    subtitle = "；".join(parts)
    money = MONEY_FORMAT
    _sheet(
        wb,
        _("各阶段项目"),
        subtitle,
        [_("阶段"), _("项目数"), _("项目总投资（万元）")],
        [[str(s.label), s.count, wan(s.money_yuan)] for s in stats.stages],
        ["", "0", money],
    )
    inv = stats.investment
    _sheet(
        wb,
        _("各单位各年度投资"),
        subtitle,
        [_("项目建设单位"), *[_("%(year)s年（万元）") % {"year": y} for y in inv.years], _("合计（万元）")],
        [[name, *[wan(v) for v in values], wan(total)] for name, values, total in inv.rows]
        + [[_("合计"), *[wan(v) for v in inv.totals], wan(inv.total)]],
        ["", *[money for _y in inv.years], money],
    )
    _sheet(
        wb,
        _("各单位按期完成率"),
        subtitle,
        [_("单位"), _("按期完成"), _("逾期完成"), _("已逾期未完成"), _("未到期"), _("按期率"), _("时限")],
        [
            [
                r.organisation,
                r.met,
                r.late,
                r.overdue,
                r.pending,
                float(r.rate) if r.rate is not None else None,
                "、".join(r.clocks),
            ]
            for r in stats.on_time
        ],
        ["", "0", "0", "0", "0", "0.00%", ""],
    )
    _sheet(
        wb,
        _("各环节平均用时"),
        subtitle,
        [_("环节"), _("依据"), _("已完成项数"), _("平均用时（工作日）")],
        [
            [
                str(s.label),
                _("办法%(a)s") % {"a": s.article},
                s.count,
                float(s.average_days) if s.average_days is not None else None,
            ]
            for s in stats.steps
        ],
        ["", "", "0", "0.0"],
    )
    wb.save(fh)
