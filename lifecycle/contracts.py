"""The project's contracts (办法第二十一、二十四、三十条): recorded by the owner, audited.

``contract_record`` is the only way a ``Contract`` is written (the web page, the demo data
and the tests call it; the admin shows contracts read-only). What it enforces:

* 办法第二十一条 (严格执行招标投标、政府采购、工程监理、合同管理等制度): every contract says
  how it was procured (``Contract.Method``), who won it, its number, amount and date;
* 办法第二十四条 (工程监理制): the 监理 contract is a contract of kind ``supervision``; the
  guard ``supervision_contracted`` lets construction start only once one is recorded;
* 办法第三十条: the contract states that the results and their IP belong to the owner. A
  contract without that clause is refused, unless a 负责人 of the owner records why (a
  原则上-style exception: ``ip_override_reason``, flagged as an override on the audit row).
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from core import timeutil
from core.validation import EARLIEST_DATE, MONEY_LIMIT_YUAN
from core.vocabulary import OrgKind, Role

from . import acting, audit, events
from .errors import RuleViolation
from .events import Action
from .models import Contract
from .rules import STAFF
from .services import PAGE_STATES, require_staff

#: A projects.Project / projects.User (lifecycle sits below projects; see services.py).
ProjectRecord = Any
Actor = Any

ARTICLE = "第二十一条"
IP_ARTICLE = "第三十条"


def _text(value: Any, label: str, max_length: int) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        raise RuleViolation(
            _("请填写“%(label)s”（办法第二十一条）。") % {"label": label}, code="data", article=ARTICLE
        )
    if len(text) > max_length:
        raise RuleViolation(
            _("“%(label)s”不能超过%(n)s个字。") % {"label": label, "n": max_length},
            code="data",
            article=ARTICLE,
        )
    return text


def _amount(value: Any) -> Decimal:
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError):
        amount = Decimal("NaN")
    if isinstance(value, bool) or not amount.is_finite() or amount <= 0 or amount >= MONEY_LIMIT_YUAN:
        raise RuleViolation(
            _("“合同金额”须大于零且小于10¹²元（办法第二十一条）。"), code="data", article=ARTICLE
        )
    if amount != amount.quantize(Decimal("0.01")):
        raise RuleViolation(_("“合同金额”最小单位为分。"), code="data", article=ARTICLE)
    return amount


def _signed_on(value: Any) -> datetime.date:
    if isinstance(value, datetime.datetime) or not isinstance(value, datetime.date):
        raise RuleViolation(_("“签订日期”须为日期。"), code="data", article=ARTICLE)
    today = timeutil.today()
    if value > today or value < EARLIEST_DATE:
        raise RuleViolation(
            _("“签订日期”%(d)s不在%(earliest)s至今天（%(today)s）之间：登记的是已签订的合同。")
            % {"d": value.isoformat(), "earliest": EARLIEST_DATE.isoformat(), "today": today.isoformat()},
            code="data",
            article=ARTICLE,
        )
    return value


def contract_record(
    project: ProjectRecord,
    *,
    actor: Actor,
    kind: str,
    procurement_method: str,
    supplier: str,
    number: str,
    amount_yuan: Decimal,
    signed_on: datetime.date,
    ip_clause: bool,
    ip_override_reason: str = "",
) -> Contract:
    """The owner's staff record a construction or 监理 contract of their own project while
    it is ratified or being built (``PAGE_STATES["contract"]``). Refused with the article:
    anyone else; another state; a missing or malformed datum; a number already recorded for
    the project; a contract without the 第三十条 IP clause unless a 负责人 of the owner gives
    ``ip_override_reason``. Audit row ``contract.recorded`` (override flag when the clause is
    missing), then ``step_taken``."""
    require_staff(actor, OrgKind.OWNER, roles=STAFF)
    if actor.organisation_id != project.owner_id:
        raise RuleViolation(_("只能登记本单位项目的合同。"), code="permission")
    if project.state not in PAGE_STATES["contract"]:
        raise RuleViolation(
            _("省政府审定后至项目建成前登记建设和监理合同，当前状态为“%(state)s”（办法第二十一条）。")
            % {"state": project.get_state_display()},
            code="state",
            article=ARTICLE,
        )
    if kind not in Contract.Kind.values:
        raise RuleViolation(_("请选择合同类别（建设合同或监理合同）。"), code="data", article=ARTICLE)
    if procurement_method not in Contract.Method.values:
        raise RuleViolation(_("请选择招标采购方式（办法第二十一条）。"), code="data", article=ARTICLE)
    supplier = _text(supplier, _("中标（成交）供应商"), 200)
    number = _text(number, _("合同编号"), 60)
    amount = _amount(amount_yuan)
    signed = _signed_on(signed_on)
    reason = ip_override_reason.strip() if isinstance(ip_override_reason, str) else ""
    ip_clause = ip_clause is True
    if not ip_clause:
        if not reason:
            raise RuleViolation(
                _(
                    "合同须明确项目建设完成后形成的项目成果（设计文件、源代码、测试文档、数据资源、数据接口等）"
                    "及相关知识产权归项目建设单位所有；确需例外登记的，须由负责人填写理由（办法第三十条）。"
                ),
                code="ip_clause",
                article=IP_ARTICLE,
            )
        if not acting.authorise(actor, {Role.HEAD}):  # own role or lent (issue 12)
            raise RuleViolation(
                _("合同未载明知识产权归属条款，只有负责人可以填写理由后例外登记（办法第三十条）。"),
                code="override_denied",
                article=IP_ARTICLE,
            )
    if project.contracts.filter(number=number).exists():
        raise RuleViolation(
            _("本项目已登记合同编号“%(n)s”。") % {"n": number}, code="duplicate", article=ARTICLE
        )
    with transaction.atomic():
        contract = Contract.objects.create(
            project=project,
            kind=kind,
            procurement_method=procurement_method,
            supplier=supplier,
            number=number,
            amount_yuan=amount,
            signed_on=signed,
            ip_clause=ip_clause,
            ip_override_reason="" if ip_clause else reason,
            ip_override_by=None if ip_clause else actor,
            recorded_by=actor,
            recorded_at=timeutil.now(),
        )
        label = _("登记监理合同") if kind == Contract.Kind.SUPERVISION else _("登记建设合同")
        entry = audit.record(
            actor=actor,
            action=Action.CONTRACT_RECORDED,
            obj=project,
            label=label,
            article="第二十四条" if kind == Contract.Kind.SUPERVISION else ARTICLE,
            from_state=project.state,
            to_state=project.state,
            reason="" if ip_clause else reason,
            override=not ip_clause,
            data={
                "contract": contract,
                "kind": kind,
                "procurement_method": procurement_method,
                "supplier": supplier,
                "number": number,
                "amount_yuan": amount,
                "signed_on": signed,
                "ip_clause": ip_clause,
            },
        )
        events.announce(project, Action.CONTRACT_RECORDED, actor=actor, entry=entry, contract=contract)
    return contract


# ================================================================ read by filings and exports


def supervision_text(project: ProjectRecord) -> tuple[str, str]:
    """(监理单位, 监理合同编号) of the project's 监理 contracts, "、"-joined (办法第二十四条)."""
    rows = [c for c in project.contracts.all() if c.kind == Contract.Kind.SUPERVISION]
    return "、".join(c.supplier for c in rows), "、".join(c.number for c in rows)


def ip_text(project: ProjectRecord) -> str:
    """办法第三十条 as the filings state it: whether every recorded contract carries the clause."""
    rows = list(project.contracts.all())
    if not rows:
        return _("未登记合同")
    missing = [c for c in rows if not c.ip_clause]
    if not missing:
        return _("已在全部%(n)s份合同中明确归建设单位所有") % {"n": len(rows)}
    return _("%(m)s份合同未载明（例外登记理由：%(why)s）") % {
        "m": len(missing),
        "why": "；".join(c.ip_override_reason for c in missing),
    }
