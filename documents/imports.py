"""The published Excel template for applications (办法第九条) and its import.

A department fills one row per project on the sheet 申报项目 and the rows of each project's
数据资源目录 on the sheet 数据资源目录 (keyed by 项目名称), and uploads the workbook. Every
row is checked before anything is written; if any row is wrong, the department gets the
full list of errors, each with its sheet, row number and column, and nothing is created —
there is no half-imported batch to clean up.

Amounts are typed in 万元 (as the forms show them) and stored in 元 as Decimal: the cell
value is read through its decimal text, never through float arithmetic.
"""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from core.nature import ProjectNature
from core.states import ProjectState
from core.validation import (
    PERIOD_MONTHS_MAX,
    construction_years,
    validate_planned_date,
    years_text,
    yuan_to_wan_exact,
)
from core.vocabulary import OrgKind
from lifecycle import audit
from lifecycle.errors import RuleViolation
from lifecycle.events import Action
from lifecycle.models import AuditEntry
from lifecycle.rules import STAFF
from projects.models import (
    CallSubmission,
    DataResource,
    FundingLine,
    FundingSource,
    Network,
    OpenType,
    Organisation,
    Project,
    SharingType,
    YearlyInvestment,
)

from . import contents, import_cells as cells

PROJECT_SHEET = "申报项目"
CATALOGUE_SHEET = "数据资源目录"
TEN_THOUSAND = Decimal("10000")
CENT = Decimal("0.01")
#: Rows beyond this are not read (a department files a handful of projects per call).
MAX_ROWS = 500
#: Limits of this system for the filled template (not of the 办法): the file, and what its
#: XML may unpack to.
IMPORT_MAX_BYTES = 10 << 20
IMPORT_MAX_UNPACKED_BYTES = 64 << 20


@dataclass(frozen=True)
class Col:
    header: str
    field: str
    kind: str = "text"  # text | int | money | yearly | funding | network | yesno | date | choice
    required: bool = True
    width: int = 24
    note: str = ""


#: issue 15: 建设性质 as people write it (spaces, brackets, "/" and "·" removed first).
NATURE_WORDS = {
    **{re.sub(r"[\s（）()、/·・]", "", str(n.label)): n.value for n in ProjectNature},
    "扩建": ProjectNature.UPGRADE.value,
    "改建": ProjectNature.UPGRADE.value,
    "升级改造": ProjectNature.UPGRADE.value,
    "扩建升级": ProjectNature.UPGRADE.value,
    "改扩建": ProjectNature.UPGRADE.value,
    "运行维护": ProjectNature.OPERATION.value,
    "运营维护": ProjectNature.OPERATION.value,
    "服务采购": ProjectNature.SERVICE.value,
    "政府购买服务": ProjectNature.SERVICE.value,
}


def _labels(choices) -> str:
    return "/".join(str(label) for label in choices.labels)


def project_columns() -> list[Col]:
    return [
        Col("项目名称", "name", width=28),
        Col("建设依据和必要性", "basis_and_necessity", width=40),
        Col("建设内容和规模", "content_and_scale", width=40),
        Col("技术路线", "technical_route", width=32),
        Col("建设工期（月）", "period_months", "int", width=12),
        Col("计划开工日期", "planned_start", "date", required=False, width=14, note="如 2026-03-01，可不填"),
        Col("项目总投资（万元）", "total_investment_yuan", "money", width=16),
        Col(
            "年度投资（万元）", "yearly", "yearly", width=24, note="如 2026:300;2027:200，合计等于项目总投资"
        ),
        Col(
            "资金来源（万元）",
            "funding",
            "funding",
            width=30,
            note="如 省级财政资金:400;单位自筹:100，合计等于项目总投资",
        ),
        Col("项目绩效目标", "performance_targets", width=36),
        Col("政务云需求方案", "cloud_requirements", width=36),
        Col("等级保护或分级保护方案", "protection_plan", width=36),
        Col("安全保障方案", "security_plan", width=36),
        Col("产品安全可靠情况", "product_reliability", width=36),
        Col("密码应用方案", "crypto_plan", width=36),
        Col(f"依托网络（{_labels(Network)}）", "network", "network", width=22),
        Col("是否涉密（是/否）", "classified", "yesno", width=14),
        # issue 15: 建设性质 (empty = 新建) and the existing system an upgrade or O&M is about
        Col(
            f"建设性质（{_labels(ProjectNature)}）",
            "nature",
            "nature",
            required=False,
            width=20,
            note="不填为新建",
        ),
        Col(
            "涉及的已建政务信息系统",
            "system_name",
            required=False,
            width=28,
            note="扩建·升级改造、运维项目填写（办法第三十四条）",
        ),
    ]


def catalogue_columns() -> list[Col]:
    return [
        Col("项目名称", "project", width=28),
        Col("信息资源名称", "name", width=28),
        Col("提供单位", "provider", width=24),
        Col("数据格式", "data_format", width=14),
        Col("更新周期", "update_cycle", width=12),
        Col(f"共享类型（{_labels(SharingType)}）", "sharing_type", "choice", width=22),
        Col(
            "共享条件",
            "sharing_condition",
            required=False,
            width=32,
            note="有条件共享或不予共享时必填（办法第十六条）",
        ),
        Col(f"开放类型（{_labels(OpenType)}）", "open_type", "choice", width=22),
    ]


# ---------------------------------------------------------------- the template


def template_workbook() -> bytes:
    """The blank template: two sheets with headers, notes as cell comments, drop-down lists
    for every choice column, text format for the "年份:金额" columns (so Excel does not
    turn them into times)."""

    wb = Workbook()
    sheets = [
        (wb.active, PROJECT_SHEET, project_columns()),
        (wb.create_sheet(), CATALOGUE_SHEET, catalogue_columns()),
    ]
    lists = {
        "network": Network,
        "nature": ProjectNature,
        "classified": None,
        "sharing_type": SharingType,
        "open_type": OpenType,
    }
    for ws, title, cols in sheets:
        ws.title = title
        ws.append([c.header for c in cols])
        ws.freeze_panes = "A2"
        for i, col in enumerate(cols, 1):
            letter = get_column_letter(i)
            cell = ws.cell(row=1, column=i)
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor="DDDDDD")
            cell.alignment = Alignment(wrap_text=True, vertical="center")
            ws.column_dimensions[letter].width = col.width
            note = (_("必填。") if col.required else _("选填。")) + col.note
            cell.comment = Comment(note, "系统")
            if col.field in lists:
                options = (
                    ["是", "否"] if lists[col.field] is None else [str(x) for x in lists[col.field].labels]
                )
                dv = DataValidation(
                    type="list", formula1='"' + ",".join(options) + '"', allow_blank=not col.required
                )
                dv.error = _("请从下拉列表中选择。")
                ws.add_data_validation(dv)
                dv.add(f"{letter}2:{letter}{MAX_ROWS + 1}")
            if col.kind in ("yearly", "funding", "text"):
                for row in range(2, 102):
                    ws.cell(row=row, column=i).number_format = "@"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# ---------------------------------------------------------------- reading and checking


@dataclass
class RowError:
    sheet: str
    row: int | None
    column: str
    message: str

    def __str__(self) -> str:
        where = "" if self.sheet == PROJECT_SHEET else f"「{self.sheet}」"
        if self.row:
            where += f"第{self.row}行"
        if self.column:
            where += f"「{self.column}」"
        return f"{where}：{self.message}" if where else self.message

    def as_dict(self) -> dict:
        return {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "message": self.message,
            "text": str(self),
        }


@dataclass
class RowPreview:
    """One row of the sheet 申报项目 as the preview shows it (issue 15): ok, warning (imported,
    but a value was converted — check it) or error (not imported; each message names the
    column, the form expected and what was received)."""

    number: int
    name: str = ""
    total_yuan: Decimal | None = None
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    data: dict = field(default_factory=dict)
    resources: list[dict] = field(default_factory=list)

    @property
    def status(self) -> str:
        return "error" if self.errors else "warning" if self.warnings else "ok"

    @property
    def total_wan(self) -> str:
        return "" if self.total_yuan is None else _wan(self.total_yuan)


@dataclass
class Preview:
    """What an import would do, before anything is written: the file's digest, its rows with
    their status, and the errors of the file itself or of rows not tied to a project row."""

    file_sha: str = ""
    file_name: str = ""
    rows: list[RowPreview] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def valid_rows(self) -> list[RowPreview]:
        return [r for r in self.rows if not r.errors]

    @property
    def bad_rows(self) -> list[RowPreview]:
        return [r for r in self.rows if r.errors]

    def all_errors(self) -> list[RowError]:
        found = [e for r in self.rows for e in r.errors] + self.errors
        return sorted(found, key=lambda e: (e.sheet != PROJECT_SHEET, e.row or 0))


@dataclass
class ImportResult:
    projects: list = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    #: Rows not imported by a partial import (their errors are in the preview).
    skipped: list[RowPreview] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


#: The form each kind of column expects, named in the message of an empty required cell.
def _expected(col: Col) -> str:
    examples = {
        "money": cells.money_expected(),
        "int": _("应填写月数（正整数），如 12"),
        "date": _("应填写日期，如 2026-03-01"),
        "yearly": _("格式应为“2026:300;2027:200”"),
        "funding": _("格式应为“省级财政资金:400;单位自筹:100”"),
        "network": _("应填写%s之一") % "、".join(str(x) for x in Network.labels),
        "yesno": _("应填写“是”或“否”"),
        "nature": _("应填写%s之一") % "、".join(str(x) for x in ProjectNature.labels),
    }
    return examples.get(col.kind, _("应填写文字说明"))


def _read_sheet(wb, title, cols, errors):
    """Rows of a sheet as (excel row number, {field: raw value}); blank rows skipped."""
    if title not in wb.sheetnames:
        errors.append(RowError(title, None, "", _("缺少工作表「%s」，请使用系统提供的模板。") % title))
        return []
    ws = wb[title]
    rows = ws.iter_rows(min_row=1, max_row=MAX_ROWS + 1, values_only=True)
    header = [_text(h).lstrip("*") for h in (next(rows, None) or ())]
    positions = {}
    for col in cols:
        if col.header not in header:
            errors.append(RowError(title, 1, col.header, _("缺少此列，请使用系统提供的模板。")))
        else:
            positions[col.field] = header.index(col.header)
    if len(positions) < len(cols):
        return []
    result = []
    for number, values in enumerate(rows, 2):
        values = list(values)
        if all(_text(v) == "" for v in values):
            continue
        result.append((number, {f: (values[i] if i < len(values) else None) for f, i in positions.items()}))
    if ws.max_row and ws.max_row > MAX_ROWS + 1:
        errors.append(RowError(title, None, "", _("每次最多导入%d行。") % MAX_ROWS))
    return result


def _read_text(col: Col, value, ctx: dict):
    text = _text(value)
    if col.field in ("name", "system_name") and len(text) > 200:
        raise cells.CellError(_("不能超过200字；收到%d字") % len(text))
    return text


def _read_int(col: Col, value, ctx: dict):
    n = cells.months(value)
    if col.field == "period_months" and n > PERIOD_MONTHS_MAX:
        raise cells.CellError(_("建设工期不能超过%d个月，请核对（办法第九条）") % PERIOD_MONTHS_MAX)
    return n


def _read_date(col: Col, value, ctx: dict):
    day = cells.date(value)
    try:
        validate_planned_date(day)
    except ValidationError as exc:
        raise cells.CellError("".join(exc.messages).rstrip("。")) from None
    return day


def _read_money(col: Col, value, ctx: dict):
    yuan, warning = cells.amount(value, positive=True)
    if warning:
        ctx["warnings"].append(f"「{col.header}」{warning}")
    return yuan


def _read_pairs(col: Col, value, ctx: dict):
    """年度投资 (年度:金额) or 资金来源 (来源:金额); every bad pair is reported."""
    yearly = col.kind == "yearly"
    example = "2026:300;2027:200" if yearly else "省级财政资金:400;单位自筹:100"
    pairs = cells.pairs(value, example=example)
    years_allowed = ctx["years_allowed"]
    parsed, problems = {}, []
    for raw_key, raw_amount in pairs:
        try:
            if yearly:
                key = cells.year(raw_key)
                if key not in years_allowed:
                    raise cells.CellError(
                        _("“%(key)s”不是有效年度（应在%(lo)s—%(hi)s年之间）")
                        % {"key": raw_key, "lo": min(years_allowed), "hi": max(years_allowed)}
                    )
            else:
                source = next((s for s in FundingSource if str(s.label) == cells.normal(raw_key)), None)
                if source is None:
                    raise cells.CellError(
                        _("“%(key)s”不是有效的资金来源（可填：%(options)s）")
                        % {"key": raw_key, "options": "、".join(str(x) for x in FundingSource.labels)}
                    )
                key = source.value
            if key in parsed:
                raise cells.CellError(_("“%s”重复填写") % raw_key)
            # 办法第九条: a construction year may have no investment (0); a funding source
            # listed provides something (> 0), as in the forms.
            try:
                amount, warning = cells.amount(raw_amount, positive=not yearly)
            except cells.CellError as exc:
                raise cells.CellError(
                    _("“%(key)s”的金额：%(error)s") % {"key": raw_key, "error": exc}
                ) from None
            if warning:
                ctx["warnings"].append(f"「{col.header}」“{raw_key}”{warning}")
            parsed[key] = amount
        except cells.CellError as exc:
            problems.append(str(exc))
    if problems:
        raise cells.CellError("；".join(problems))
    return parsed


def _read_choice_of(enum):
    def read(col: Col, value, ctx: dict):
        text = cells.normal(value)
        choice = next((c for c in enum if str(c.label) == text), None)
        if choice is None:
            raise cells.CellError(
                _("应填写%(options)s之一；收到%(got)s")
                % {"options": "、".join(str(x) for x in enum.labels), "got": cells.quoted(value)}
            )
        return choice.value

    return read


def _read_nature(col: Col, value, ctx: dict):
    """Issue 15: 建设性质 as written in published plans (扩建, 升级改造, 运行维护 …; empty: 新建)."""
    nature = NATURE_WORDS.get(re.sub(r"[\s（）()、/·・]", "", _text(value)))
    if nature is None:
        raise cells.CellError(
            _("应填写%(options)s之一；收到%(got)s")
            % {"options": "、".join(str(x) for x in ProjectNature.labels), "got": cells.quoted(value)}
        )
    return nature


def _read_yesno(col: Col, value, ctx: dict):
    text = cells.normal(value)
    if text not in ("是", "否"):
        raise cells.CellError(_("应填写“是”或“否”；收到%s") % cells.quoted(value))
    return text == "是"


#: How each kind of column of the sheet 申报项目 is read: kind → reader(col, raw value, ctx)
#: returning the value or raising cells.CellError. A new column is a Col in
#: project_columns(); a new kind of column is one more reader here.
READERS = {
    "text": _read_text,
    "int": _read_int,
    "date": _read_date,
    "money": _read_money,
    "yearly": _read_pairs,
    "funding": _read_pairs,
    "network": _read_choice_of(Network),
    "yesno": _read_yesno,
    "nature": _read_nature,
}


def _check_project_row(number, raw, cols, errors, *, years_allowed, plan_year=None, warnings=None):

    def err(col, message):
        errors.append(RowError(PROJECT_SHEET, number, col.header, message))

    ctx = {"years_allowed": years_allowed, "warnings": warnings if warnings is not None else []}
    data = {}
    for col in cols:
        value = raw[col.field]
        if _text(value) == "":
            if col.required:
                err(col, _("不能为空（办法第九条）：%s") % _expected(col))
            continue
        try:
            data[col.field] = READERS.get(col.kind, _read_text)(col, value, ctx)
        except cells.CellError as exc:
            err(col, str(exc))
    total = data.get("total_investment_yuan")
    by_field = {c.field: c for c in cols}
    # 办法第九条: 年度投资额 for the years of the construction period (as in the form).
    period = construction_years(
        planned_start=data.get("planned_start"), period_months=data.get("period_months"), plan_year=plan_year
    )
    if period is not None and "yearly" in data:
        outside = [year for year in data["yearly"] if year not in period]
        if outside:
            err(
                by_field["yearly"],
                _("%(outside)s年不在建设期（%(years)s年）内：年度投资额只填建设期各年度（办法第九条）")
                % {"outside": "、".join(str(y) for y in sorted(outside)), "years": years_text(period)},
            )
    if total is not None:
        for key, message in (
            ("yearly", _("各年度投资合计%(sum)s万元，应等于项目总投资%(total)s万元（办法第九条）")),
            ("funding", _("各资金来源合计%(sum)s万元，应等于项目总投资%(total)s万元（办法第九条）")),
        ):
            if key in data and sum(data[key].values(), Decimal("0")) != total:
                err(
                    by_field[key],
                    message % {"sum": _wan(sum(data[key].values(), Decimal("0"))), "total": _wan(total)},
                )
    return data


def _wan(yuan: Decimal) -> str:
    return yuan_to_wan_exact(yuan)


def _check_catalogue_row(number, raw, cols, errors, *, names):
    def err(col, message):
        errors.append(RowError(CATALOGUE_SHEET, number, col.header, message))

    data = {}
    choices = {"sharing_type": SharingType, "open_type": OpenType}
    limits = {"name": 200, "provider": 100, "data_format": 50, "update_cycle": 30, "sharing_condition": 300}
    for col in cols:
        text = _text(raw[col.field])
        if not text:
            if col.required:
                err(col, _("不能为空（办法第九条）"))
            continue
        if col.field == "project" and text not in names:
            err(col, _("“%s”不在「申报项目」表中") % text)
            continue
        if col.kind == "choice":
            choice = next((c for c in choices[col.field] if str(c.label) == text), None)
            if choice is None:
                err(col, _("须为%s之一") % "、".join(str(x) for x in choices[col.field].labels))
                continue
            text = choice.value
        elif col.field in limits and len(text) > limits[col.field]:
            err(col, _("不能超过%d字") % limits[col.field])
            continue
        data[col.field] = text
    if data.get("sharing_type") in (SharingType.CONDITIONAL, SharingType.NONE) and not data.get(
        "sharing_condition"
    ):
        condition_col = next(c for c in cols if c.field == "sharing_condition")
        # The same rule as DataResource.clean (办法第十六、三十四条).
        err(condition_col, _("有条件共享或不予共享须说明条件或依据（办法第十六条）"))
    return data


def _may_import(actor, organisation) -> bool:
    org = getattr(actor, "organisation", None)
    return (
        org is not None
        and organisation is not None
        and org.pk == organisation.pk
        and org.kind == OrgKind.OWNER
        and actor.role in STAFF
    )


def _earlier_import(file_sha: str, *, call, organisation) -> RowError | None:
    """The refusal naming the earlier import of the same file (same SHA-256) by
    ``organisation`` into ``call``, or None. Importing the same file twice creates nothing
    the second time (issue 7)."""
    rows = list(
        AuditEntry.objects.filter(
            action=Action.PROJECT_IMPORTED,
            project__owner=organisation,
            project__call=call,
            data__file_sha256=file_sha,
        )
        .select_related("project")
        .order_by("at", "pk")
    )
    if not rows:
        return None
    first = rows[0]
    names = "、".join(dict.fromkeys(r.project.name for r in rows))
    return RowError(
        PROJECT_SHEET,
        None,
        "",
        _(
            "该文件已于%(at)s由%(who)s导入本单位%(year)s年度征集（%(n)s个项目：%(names)s），本次未重复导入。"
            "如需修改，请在这些项目草稿中编辑。"
        )
        % {
            "at": timezone.localtime(first.at).strftime("%Y-%m-%d %H:%M"),
            "who": first.actor_name or _("系统"),
            "year": call.year,
            "n": len({r.project_id for r in rows}),
            "names": names,
        },
    )


def _refusal(*, call, organisation, actor) -> None:
    if not _may_import(actor, organisation):
        raise RuleViolation(
            _("只有项目建设单位的经办人或负责人可以为本单位导入申报项目。"), code="permission"
        )
    if CallSubmission.objects.filter(
        call=call, organisation=organisation, submitted_at__isnull=False
    ).exists():
        raise RuleViolation(
            _("本部门本次征集已统一申报，不能再导入项目（办法第八条）。"),
            code="already_submitted",
            article="第八条",
        )


def read_content(file) -> tuple[bytes | None, RowError | None]:
    """The uploaded file's bytes, or the refusal of a file above the limit."""
    content = file.read(IMPORT_MAX_BYTES + 1)
    # Bounded before openpyxl parses anything: a 1 MB file with 1 GiB of shared strings took
    # 2 GB of memory (issue 9). The template of MAX_ROWS rows is far below both limits.
    if len(content) > IMPORT_MAX_BYTES:
        return None, RowError(
            PROJECT_SHEET,
            None,
            "",
            _("文件超过%(mib)s MB，请只填写模板中的内容。") % {"mib": IMPORT_MAX_BYTES >> 20},
        )
    return content, None


def import_preview(file, *, call, organisation, actor, content: bytes | None = None) -> Preview:
    """Read and check a filled template without writing anything (issue 15): every row of the
    sheet 申报项目 with its status and messages, the catalogue rows attached to their project.

    Refused (RuleViolation) when ``actor`` is not 经办人/负责人 of ``organisation`` or the
    department already sent its submission for the call (办法第八条)."""
    _refusal(call=call, organisation=organisation, actor=actor)
    preview = Preview(file_name=str(getattr(file, "name", "") or ""))
    errors = preview.errors
    if content is None:
        content, too_big = read_content(file)
        if too_big:
            errors.append(too_big)
            return preview
    assert content is not None
    try:
        if content.startswith(b"PK"):  # an .xlsx is a ZIP; anything else fails in openpyxl below
            contents.inspect_zip(io.BytesIO(content), max_unpacked=IMPORT_MAX_UNPACKED_BYTES)
    except RuleViolation as exc:
        errors.append(RowError(PROJECT_SHEET, None, "", exc.message))
        return preview
    preview.file_sha = hashlib.sha256(content).hexdigest()
    earlier = _earlier_import(preview.file_sha, call=call, organisation=organisation)
    if earlier:
        errors.append(earlier)
        return preview
    try:
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        errors.append(
            RowError(PROJECT_SHEET, None, "", _("无法读取文件，请上传用系统提供的模板填写的 .xlsx 文件。"))
        )
        return preview

    pcols, ccols = project_columns(), catalogue_columns()
    try:
        project_rows = _read_sheet(wb, PROJECT_SHEET, pcols, errors)
        catalogue_rows = _read_sheet(wb, CATALOGUE_SHEET, ccols, errors)
    except Exception:  # a damaged sheet part: the file as a whole is unreadable
        errors.append(
            RowError(PROJECT_SHEET, None, "", _("无法读取文件，请上传用系统提供的模板填写的 .xlsx 文件。"))
        )
        return preview
    finally:
        wb.close()
    if errors:
        return preview
    if not project_rows:
        errors.append(RowError(PROJECT_SHEET, None, "", _("没有填写任何项目。")))
        return preview

    # Investment years: the call's year and the years a project may run after it.
    years_allowed = range(call.year - 1, call.year + 10)
    row_of_name: dict[str, RowPreview] = {}
    existing = set(
        Project.objects.filter(owner=organisation, call=call, discarded_at__isnull=True).values_list(
            "name", flat=True
        )
    )
    name_col = pcols[0]
    for number, raw in project_rows:
        row = RowPreview(number=number)
        row.data = _check_project_row(
            number,
            raw,
            pcols,
            row.errors,
            years_allowed=years_allowed,
            plan_year=call.year,
            warnings=row.warnings,
        )
        row.name = row.data.get("name") or _text(raw.get("name"))[:200]
        row.total_yuan = row.data.get("total_investment_yuan")
        name = row.data.get("name")
        if name:
            if name in row_of_name:
                row.errors.append(
                    RowError(
                        PROJECT_SHEET,
                        number,
                        name_col.header,
                        _("与第%d行的项目名称重复") % row_of_name[name].number,
                    )
                )
            elif name in existing:
                row.errors.append(
                    RowError(PROJECT_SHEET, number, name_col.header, _("本单位本次征集已有同名项目"))
                )
            row_of_name.setdefault(name, row)
        preview.rows.append(row)
    for number, raw in catalogue_rows:
        row_errors: list[RowError] = []
        resource = _check_catalogue_row(number, raw, ccols, row_errors, names=set(row_of_name))
        owner_row = row_of_name.get(_text(raw.get("project")))
        if owner_row is None:
            errors.extend(row_errors)
            continue
        owner_row.errors.extend(row_errors)
        if not row_errors:
            owner_row.resources.append(resource)
    for row in preview.rows:
        named = bool(row.data.get("name")) and row_of_name.get(row.data["name"]) is row
        if named and not row.resources and not any(e.sheet == CATALOGUE_SHEET for e in row.errors):
            row.errors.append(
                RowError(
                    PROJECT_SHEET, row.number, "", _("「数据资源目录」表中没有本项目的条目（办法第九条）")
                )
            )
    errors.sort(key=lambda e: (e.sheet != PROJECT_SHEET, e.row or 0))
    return preview


def applications_import(
    file, *, call, organisation, actor, partial: bool = False, content: bytes | None = None
) -> ImportResult:
    """Import the applications of ``organisation`` for ``call`` from a filled template.

    Refused (RuleViolation) when ``actor`` is not 经办人/负责人 of ``organisation`` or the
    department already sent its submission for the call (办法第八条). Every row of both
    sheets is checked first (``import_preview``). With ``partial=False`` any error refuses
    the whole file with every error listed; with ``partial=True`` (the preview's confirm,
    issue 15) the rows without errors are imported and the others are returned in
    ``skipped``. Nothing is submitted: each project is a draft (办法第八条: the department
    submits its applications together, later). Side effects (one transaction): one draft
    Project per imported row with its YearlyInvestment, FundingLine and DataResource rows,
    and one audit row ``project.imported`` per project naming the file's SHA-256, the row and
    the rows left out.
    """
    preview = import_preview(file, call=call, organisation=organisation, actor=actor, content=content)
    result = ImportResult()
    errors = result.errors
    if preview.errors and (not partial or not preview.rows):
        errors.extend(preview.all_errors())
        return result
    if not partial and preview.bad_rows:
        errors.extend(preview.all_errors())
        return result
    valid = preview.valid_rows
    result.skipped = preview.bad_rows
    if not valid:
        errors.extend(preview.all_errors())
        return result
    file_sha = preview.file_sha
    pcols = project_columns()
    name_col = pcols[0]
    simple = [c.field for c in pcols if c.kind not in ("yearly", "funding")]
    with transaction.atomic():
        # Two uploads of the same file (a double click, two colleagues) must not both
        # create the projects: take the department's lock, then check again what the other
        # one may have written meanwhile. PostgreSQL: a row lock on the department that does
        # not block foreign keys to it (FOR NO KEY UPDATE); SQLite: transactions begin
        # IMMEDIATE (config/settings.py), so the second import waits for the first to commit.
        list(Organisation.objects.select_for_update(no_key=True).filter(pk=organisation.pk).values_list("pk"))
        earlier = _earlier_import(file_sha, call=call, organisation=organisation)
        taken = set(
            Project.objects.filter(
                owner=organisation,
                call=call,
                name__in=[r.data.get("name") for r in valid],
                discarded_at__isnull=True,
            ).values_list("name", flat=True)
        )
        if earlier or taken:
            errors.append(
                earlier
                or RowError(
                    PROJECT_SHEET,
                    None,
                    name_col.header,
                    _("本单位本次征集刚刚已有同名项目：%(names)s；未导入任何项目，请刷新后核对。")
                    % {"names": "、".join(sorted(taken))},
                )
            )
            return result
        skipped_rows = [r.number for r in result.skipped]
        for row in valid:
            data = row.data
            project = Project.objects.create(
                owner=organisation,
                call=call,
                state=ProjectState.DRAFT,
                **{f: data[f] for f in simple if f in data},
            )
            YearlyInvestment.objects.bulk_create(
                [
                    YearlyInvestment(project=project, year=year, amount_yuan=amount)
                    for year, amount in sorted(data["yearly"].items())
                ]
            )
            FundingLine.objects.bulk_create(
                [
                    FundingLine(project=project, source=source, amount_yuan=amount)
                    for source, amount in data["funding"].items()
                ]
            )
            DataResource.objects.bulk_create(
                [
                    DataResource(project=project, **{k: v for k, v in r.items() if k != "project"})
                    for r in row.resources
                ]
            )
            audit.record(
                actor=actor,
                action=Action.PROJECT_IMPORTED,
                obj=project,
                label=_("从申报模板导入项目"),
                article="第九条",
                to_state=ProjectState.DRAFT,
                data={
                    "file": preview.file_name,
                    "file_sha256": file_sha,
                    "row": row.number,
                    "warnings": row.warnings,
                    "rows_not_imported": skipped_rows,
                },
            )
            result.projects.append(project)
    return result
