"""Generating, storing, opening and checking the PDF filings.

``generate`` builds a snapshot of the data, takes a 发文字号 for letters, renders the PDF from
the snapshot and stores it with the snapshot and both digests — all in one transaction, so a
number is only used when the filing it is printed on exists (numbering.py).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Callable

from django.db import transaction
from django.utils.translation import gettext as _

from lifecycle import audit, timeutil
from lifecycle.errors import RuleViolation
from lifecycle.models import ChangeRequest, Rectification
from lifecycle.rules import REVIEWERS, STAFF

from . import numbering, pdf, snapshots, storage
from .access import may_see
from .models import Filing, FilingKind


@dataclass(frozen=True)
class Spec:
    build: Callable
    article: str
    #: organisation kind that issues it ("owner" = the project's own department,
    #: "design" = the design reviewer of 办法第十八条: 省营商环境局 or 省内网办)
    issuer: str
    numbered: bool = False
    load: Callable | None = None  # object_id → the object the filing is about


def _change(project, object_id):
    qs = ChangeRequest.objects.filter(project=project)
    obj = qs.filter(pk=object_id).first() if object_id else qs.filter(state="filed").order_by("-pk").first()
    if obj is None:
        raise RuleViolation(_("没有可出具的项目变更。"), code="missing")
    return obj


def _filed_change(project, object_id):
    obj = _change(project, object_id)
    if obj.state != "filed":
        raise RuleViolation(_("只有已备案的变更才出具备案回执（办法第二十八条）。"), code="state", article="第二十八条")
    return obj


def _rectification(project, object_id):
    qs = Rectification.objects.filter(project=project)
    obj = qs.filter(pk=object_id).first() if object_id else qs.order_by("-ordered_at").first()
    if obj is None:
        raise RuleViolation(_("没有整改通知事项。"), code="missing")
    return obj


def _performance(project, object_id):
    qs = project.performance_reports.all()
    return qs.filter(pk=object_id).first() if object_id else None


SPECS: dict[str, Spec] = {
    FilingKind.JOINT_REVIEW_OPINION: Spec(snapshots.joint_review_opinion, "第十条", "bureau", numbered=True),
    FilingKind.DESIGN_APPROVAL: Spec(snapshots.design_approval, "第十八条", "design", numbered=True),
    FilingKind.CHANGE_RECEIPT: Spec(snapshots.change_receipt, "第二十八条", "bureau", numbered=True,
                                    load=_filed_change),
    FilingKind.RECTIFICATION_NOTICE: Spec(snapshots.rectification_notice, "第三十六条", "bureau", numbered=True,
                                          load=_rectification),
    FilingKind.ACCEPTANCE_OPINION: Spec(snapshots.acceptance_opinion, "第二十九条", "bureau", numbered=True),
    FilingKind.APPLICATION_FORM: Spec(snapshots.application_form, "第九条", "owner"),
    FilingKind.CHANGE_FORM: Spec(snapshots.change_form, "第二十八条", "owner", load=_change),
    FilingKind.EXTENSION_FORM: Spec(snapshots.extension_form, "第二十九条", "owner"),
    FilingKind.ACCEPTANCE_FORM: Spec(snapshots.acceptance_form, "第二十九条", "owner"),
    FilingKind.PERFORMANCE_FORM: Spec(snapshots.performance_form, "第二十五条", "owner", load=_performance),
    FilingKind.SELF_EVALUATION_FORM: Spec(snapshots.self_evaluation_form, "第三十三条", "owner"),
    FilingKind.ANNUAL_PLAN: Spec(snapshots.annual_plan, "第十一条", "bureau"),
}


def _issuer(spec: Spec, actor, project):
    """The organisation the filing is issued by, when ``actor`` may issue it; else refuse."""
    org = getattr(actor, "organisation", None)
    if org is None:
        raise RuleViolation(_("无权生成此文书。"), code="permission")
    if spec.issuer == "owner":
        if org.kind == "owner" and org.pk == project.owner_id and actor.role in STAFF:
            return project.owner
        if org.kind == "bureau" and actor.role in REVIEWERS:
            return project.owner
        raise RuleViolation(_("此表由项目建设单位填报。"), code="permission")
    kind = project.reviewing_kind if spec.issuer == "design" and project is not None else spec.issuer
    if spec.issuer == "annual_plan":
        kind = "bureau"
    if org.kind != kind or actor.role not in REVIEWERS:
        from projects.models import OrgKind

        raise RuleViolation(_("此文书须由%(org)s出具（办法%(article)s）。") % {
            "org": OrgKind(kind).label, "article": spec.article}, code="permission", article=spec.article)
    return org


def kinds_for(actor, project) -> list[tuple[str, str]]:
    """The filings ``actor`` may generate for ``project`` (for the project page)."""
    result = []
    for kind, spec in SPECS.items():
        if kind == FilingKind.ANNUAL_PLAN:
            continue
        try:
            _issuer(spec, actor, project)
        except RuleViolation:
            continue
        result.append((kind, FilingKind(kind).label))
    return result


def generate(kind: str, *, actor, project=None, plan=None, object_id=None) -> Filing:
    """Generate filing ``kind`` for ``project`` (or ``plan``) as ``actor``.

    Side effects (one transaction): a 发文字号 taken for letters; the PDF rendered from the
    snapshot and stored; a Filing row with snapshot, number and SHA-256/SM3 digests; an audit
    row ``filing.generated``.
    """
    spec = SPECS.get(kind)
    if spec is None:
        raise RuleViolation(_("未知的文书类型。"), code="kind")
    if project is not None and not may_see(actor, project):
        raise RuleViolation(_("无权查看本项目。"), code="permission")
    if plan is not None:
        if kind != FilingKind.ANNUAL_PLAN or getattr(actor, "org_kind", None) not in ("bureau", "finance"):
            raise RuleViolation(_("年度建设计划由省营商环境局会同省财政厅编制（办法第十一条）。"), code="permission")
        issuer = actor.organisation
    else:
        if project is None or kind == FilingKind.ANNUAL_PLAN:
            raise RuleViolation(_("请指定项目。"), code="missing")
        issuer = _issuer(spec, actor, project)
    obj = spec.load(project, object_id) if spec.load else None
    snapshot = spec.build(plan, issuer=issuer) if plan is not None else spec.build(project, issuer=issuer, obj=obj)
    year = timeutil.today().year
    subject = project or plan
    key = f"filings/{'project' if project else 'plan'}-{subject.pk}/{kind}-{uuid.uuid4().hex}.pdf"
    stored = None
    try:
        with transaction.atomic():
            number = None
            if spec.numbered:
                number, snapshot["document_no"] = numbering.allocate(issuer, year)
            data, pages = pdf.render(snapshot["template"], snapshot)
            sha, sm3 = storage.digests(data)
            stored = storage.save_bytes(key, data)
            filing = Filing.objects.create(
                kind=kind, title=snapshot["title"], project=project, plan=plan, issuer=issuer, year=year,
                number=number, document_no=snapshot["document_no"], snapshot=snapshot, storage_key=stored,
                size=len(data), pages=pages, sha256=sha, sm3=sm3, generated_by=actor, generated_at=timeutil.now())
            audit.record(actor=actor, action="filing.generated", obj=subject,
                         label=_("生成%(kind)s") % {"kind": filing.get_kind_display()}, article=spec.article,
                         from_state=subject.state, to_state=subject.state,
                         data={"filing": filing.pk, "document_no": filing.document_no, "sha256": sha, "sm3": sm3})
    except BaseException:
        if stored:
            storage.delete(stored)
        raise
    return filing


def filing_open(filing: Filing, *, actor):
    """Open the stored PDF; records the download (audit row ``filing.downloaded``)."""
    subject = filing.project or filing.plan
    audit.record(actor=actor, action="filing.downloaded", obj=subject,
                 label=_("下载%(kind)s") % {"kind": filing.get_kind_display()},
                 from_state=subject.state, to_state=subject.state,
                 data={"filing": filing.pk, "document_no": filing.document_no})
    return storage.open_file(filing.storage_key)


def filing_verify(filing: Filing) -> dict:
    """Check a filing: the stored file against its digests, and a fresh rendering of the
    stored snapshot against the stored file."""
    with storage.open_file(filing.storage_key) as fh:
        stored = fh.read()
    sha, sm3 = storage.digests(stored)
    again, _pages = pdf.render(filing.snapshot["template"], filing.snapshot)
    return {"stored_intact": (sha, sm3) == (filing.sha256, filing.sm3),
            "reproducible": storage.digests(again)[0] == filing.sha256}
