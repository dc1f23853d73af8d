"""The supervision pages (办法第三十四、三十六、三十九条): the 第三十四条 findings, set and lifted
by their responsible agency; the 孤网 exception (department → 省营商环境局 → 省政府); the
通报批评 and 暂缓安排信息化投资计划 decisions of 省营商环境局.

Who sees what: every agency (and 审计厅, 第三十七条) sees every record, a department its own,
anyone else nothing (404). A page to act is 403 to whoever sees the records but may not take
the step; every POST goes through projects/supervision.py, which checks again.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from core import timeutil
from core.vocabulary import OrgKind, Role
from lifecycle import acting
from lifecycle.errors import RuleViolation
from lifecycle.models import AuditEntry
from projects import supervision
from projects.history import visible_history
from projects.models import Organisation
from projects.params import row_id
from projects.supervision_forms import (
    DecisionForm,
    DecisionLiftForm,
    ExceptionForm,
    ExceptionReviewForm,
    FindingForm,
    LiftForm,
)
from projects.supervision_models import ConnectivityException, DecisionKind


def _posted(request):
    return request.POST if request.method == "POST" else None


def _require_sees(user) -> None:
    if not supervision.sees_supervision(user):
        raise Http404


def _history(obj, user):
    # Issue 10: a department reads only its own history rows (projects.history).
    return visible_history(
        user,
        AuditEntry.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
        .select_related("organisation", "project")
        .order_by("at", "pk"),
    )


def _may_request_exception(user) -> bool:
    return getattr(user.organisation, "kind", None) == OrgKind.OWNER and acting.holds(user, {Role.HEAD})


@login_required
def supervision_home(request):
    """The records the person may see, and the steps they may take; ``?org=<id>``: one
    department's record (its findings, exceptions and decisions)."""
    user = request.user
    _require_sees(user)
    findings = supervision.visible_findings(user).order_by("lifted_at", "-set_at", "-pk")
    exceptions = supervision.visible_exceptions(user)
    decisions = supervision.visible_decisions(user)
    department = None
    if "org" in request.GET:
        department = Organisation.objects.filter(pk=row_id(request.GET["org"]), kind=OrgKind.OWNER).first()
        own = getattr(user.organisation, "kind", None) == OrgKind.OWNER
        if department is None or (own and department.pk != user.organisation_id):
            raise Http404  # another department's record is not a department's to see
        findings, exceptions, decisions = (
            qs.filter(organisation=department) for qs in (findings, exceptions, decisions)
        )
    if department is None and getattr(user.organisation, "kind", None) == OrgKind.OWNER:
        department = user.organisation
    return render(
        request,
        "projects/supervision_home.html",
        {
            "department": department,
            "filtered": "org" in request.GET,
            # 办法第三十四条: may the department apply for new systems and 运行维护经费 now?
            "blocked": supervision.om_funding_refusal(department) if department else None,
            "findings": findings,
            "exceptions": exceptions,
            "decisions": decisions,
            "may_find": bool(supervision.finding_kinds_for(user)),
            "may_request": _may_request_exception(user),
            "may_decide": supervision.is_bureau_head(user),
        },
    )


def _form_page(request, *, form, title, article, submit, act, url_name, intro=""):
    """A page with one form: GET shows it, POST runs ``act(cleaned_data)`` (a service) and
    redirects to the record it returns; a refusal is shown with its article (400)."""
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            obj = act(form.cleaned_data)
        except RuleViolation as exc:
            error = exc.message
        else:
            messages.success(request, _("已办理并记录。"))
            return redirect(url_name, pk=obj.pk)
    return render(
        request,
        "projects/supervision_form.html",
        {"form": form, "title": title, "article": article, "submit": submit, "error": error, "intro": intro},
        status=400 if error or form.errors else 200,
    )


@login_required
def finding_new(request):
    """办法第三十四条: an agency records a situation it is responsible for."""
    user = request.user
    _require_sees(user)
    if not supervision.finding_kinds_for(user):
        raise PermissionDenied(_("第三十四条情形由其主管机构的审核人或负责人认定（办法第三十四条）。"))
    form = FindingForm(_posted(request), user=user)

    def act(data):
        return supervision.finding_set(actor=user, **data)

    return _form_page(
        request,
        form=form,
        title=_("认定第三十四条情形"),
        article="第三十四条",
        submit=_("认定并记录"),
        act=act,
        url_name="finding",
        intro=_("认定后，该单位不得新建、改建、扩建政务信息系统，不得申报运行维护经费，直至认定机构解除。"),
    )


@login_required
def finding_detail(request, pk):
    """A finding, its history, and (for the agency that set it) the form that lifts it."""
    user = request.user
    _require_sees(user)
    finding = get_object_or_404(supervision.visible_findings(user), pk=pk)
    may_lift = finding.is_open and supervision.may_lift_finding(user, finding)
    form = LiftForm(_posted(request)) if may_lift else None
    error = ""
    if request.method == "POST":
        if not may_lift:
            raise PermissionDenied(supervision.lift_refusal(user, finding) or _("该认定已经解除。"))
        assert form is not None
        if form.is_valid():
            try:
                supervision.finding_lift(finding, actor=user, **form.cleaned_data)
            except RuleViolation as exc:
                error = exc.message
            else:
                messages.success(request, _("已解除该认定。"))
                return redirect("finding", pk=finding.pk)
    return render(
        request,
        "projects/supervision_finding.html",
        {
            "finding": finding,
            "excused_by": finding.excusing_exception(),
            "form": form,
            "error": error,
            "history": _history(finding, user),
        },
        status=400 if error or (form is not None and form.errors) else 200,
    )


@login_required
def exception_new(request):
    """办法第三十四条 (孤网是例外): the department's 负责人 asks for the exception."""
    user = request.user
    _require_sees(user)
    if not _may_request_exception(user):
        raise PermissionDenied(_("孤网例外须由项目建设单位负责人申请（办法第三十四条）。"))
    form = ExceptionForm(_posted(request), user=user)

    def act(data):
        return supervision.exception_request(actor=user, **data)

    return _form_page(
        request,
        form=form,
        title=_("申请孤网例外"),
        article="第三十四条",
        submit=_("提交申请"),
        act=act,
        url_name="connectivity_exception",
        intro=_(
            "联网通办是原则，孤网是例外：由省营商环境局会同有关部门审核并报省政府批准后，方可建设或者保留。"
        ),
    )


def _exception_step(user, exc: ConnectivityException) -> str:
    """The step ``user`` may take on ``exc`` now: "review", "decide" or ""."""
    kind = getattr(user.organisation, "kind", None)
    if (
        exc.state == ConnectivityException.State.REQUESTED
        and kind == OrgKind.BUREAU
        and acting.holds(user, {Role.REVIEWER, Role.HEAD})
    ):
        return "review"
    reviewed = exc.state == ConnectivityException.State.REVIEWED
    if reviewed and kind == OrgKind.GOVERNMENT and acting.holds(user, {Role.HEAD}):
        return "decide"
    return ""


@login_required
def exception_detail(request, pk):
    user = request.user
    _require_sees(user)
    exc = get_object_or_404(supervision.visible_exceptions(user), pk=pk)
    step = _exception_step(user, exc)
    form = ExceptionReviewForm(_posted(request)) if step else None
    error = ""
    if request.method == "POST":
        if not step:
            raise PermissionDenied(_("当前没有您可以办理的步骤（办法第三十四条）。"))
        assert form is not None
        if form.is_valid():
            data = form.cleaned_data
            try:
                if step == "review":
                    supervision.exception_review(
                        exc, actor=user, favourable=data["favourable"], note=data["note"]
                    )
                else:
                    supervision.exception_decide(
                        exc,
                        actor=user,
                        approve=data["favourable"],
                        note=data["note"],
                        document_no=data["document_no"],
                    )
            except RuleViolation as e:
                error = e.message
            else:
                messages.success(request, _("已办理并记录。"))
                return redirect("connectivity_exception", pk=exc.pk)
    return render(
        request,
        "projects/supervision_exception.html",
        {"exc": exc, "step": step, "form": form, "error": error, "history": _history(exc, request.user)},
        status=400 if error or (form is not None and form.errors) else 200,
    )


@login_required
def decision_new(request):
    """办法第三十六、三十九条: the bureau's 负责人 records a decision with its 文号."""
    user = request.user
    _require_sees(user)
    if not supervision.is_bureau_head(user):
        raise PermissionDenied(_("监督处理决定须由省营商环境局负责人记录（办法第三十六条）。"))
    form = DecisionForm(_posted(request), user=user)

    def act(data):
        return supervision.decision_record(actor=user, **data)

    return _form_page(
        request,
        form=form,
        title=_("记录监督处理决定"),
        article="第三十六条",
        submit=_("记录决定"),
        act=act,
        url_name="supervision_decision",
        intro=_(
            "逾期不整改或整改后仍不符合要求的，可以通报批评、暂缓安排信息化投资计划（办法第三十六条）；"
            "未履行审批程序、未依规安排使用财政资金等的，予以通报批评（办法第三十九条）。"
        ),
    )


@login_required
def decision_detail(request, pk):
    user = request.user
    _require_sees(user)
    decision = get_object_or_404(supervision.visible_decisions(user), pk=pk)
    may_lift = (
        supervision.is_bureau_head(user)
        and decision.kind == DecisionKind.DEFERRAL
        and decision.in_force_on(timeutil.today())
    )
    form = DecisionLiftForm(_posted(request)) if may_lift else None
    error = ""
    if request.method == "POST":
        if not may_lift:
            raise PermissionDenied(_("须由省营商环境局负责人解除执行期内的暂缓决定（办法第三十六条）。"))
        assert form is not None
        if form.is_valid():
            try:
                supervision.decision_lift(decision, actor=user, reason=form.cleaned_data["reason"])
            except RuleViolation as e:
                error = e.message
            else:
                messages.success(request, _("已解除。"))
                return redirect("supervision_decision", pk=decision.pk)
    return render(
        request,
        "projects/supervision_decision.html",
        {
            "decision": decision,
            "in_force": decision.in_force_on(timeutil.today()),
            "is_deferral": decision.kind == DecisionKind.DEFERRAL,
            "form": form,
            "error": error,
            "history": _history(decision, user),
        },
        status=400 if error or (form is not None and form.errors) else 200,
    )
