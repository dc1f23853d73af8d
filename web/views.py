"""Pages of departments, the bureau and the agencies: sign-in, home, lists, the project
page, the application (办法第九条), the department's consolidated submission (第八条) and
the annual plan (第十一、十二条). Plain function views; every object comes through an
access helper of ``projects.access``; every change is a POST through a service."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import timeutil
from core.states import STAGES, PlanState, ProjectState as S
from core.vocabulary import Role
from documents import filings as document_filings
from lifecycle import acting, services
from lifecycle.errors import RuleViolation
from lifecycle.models import AuditEntry
from lifecycle.rules import REVIEWERS
from projects import (
    access,
    aspects as review_aspects,
    calls,
    capabilities,
    drafts,
    emergency_review,
    notifications as notify,
    params as params_mod,
    plan_stage,
    selectors,
    services as project_services,
)
from projects.forms import ApplicationForm, RecordsForm, application_formsets
from projects.models import (
    AnnualPlan,
    Call,
    CallSubmission,
    Organisation,
    OrgKind,
    Project,
    User,
)
from projects.supervision import project_supervision
from web import (
    clock_timeline,
    demo,
    home_page,
    plan_page,
    project_page,
    read_ahead,
    review_views,
    state_diagram,
    stats_views,
)
from web.evaluation_views import evaluation_context
from web.signin import SignInForm


def _posted(request):
    """The POST data on a POST (even an empty one), None on a GET: a form posted empty is
    validated, not shown blank."""
    return request.POST if request.method == "POST" else None


PAGE_SIZE = 25


# ---------------------------------------------------------------- sign-in and home


def demo_accounts():
    """In demo mode the sign-in page lists every active account, grouped by organisation,
    so that a visitor can try each role (settings.DEMO_MODE; never on a real intranet)."""
    if not getattr(settings, "DEMO_MODE", False):
        return []
    groups = {}
    for user in (
        User.objects.filter(is_active=True)
        .select_related("organisation")
        .order_by("organisation__kind", "organisation__name", "role", "username")
    ):
        groups.setdefault(user.organisation, []).append(user)
    return list(groups.items())


def login(request):
    return auth_views.LoginView.as_view(
        template_name="registration/login.html",
        authentication_form=SignInForm,
        redirect_authenticated_user=True,
        extra_context={"demo_accounts": demo_accounts(), "demo_password": _demo_password()},
    )(request)


def _demo_password():
    return demo.DEMO_PASSWORD if getattr(settings, "DEMO_MODE", False) else ""


#: Who reads the latest annual plans on their home page (办法第十一条: the bureau compiles them,
#: 财政厅 concurs, the provincial government approves; 审计厅 reads everything).
_PLAN_READERS = (OrgKind.BUREAU, OrgKind.FINANCE, OrgKind.GOVERNMENT, OrgKind.AUDIT)


@login_required
def home(request):
    user = request.user
    kind = access.kind_of(user)
    # Issue 10: what else the page reads is sent with the queues' first queries (one round trip
    # to PostgreSQL, core.kept_sql.together). The delegations and the header's unread count
    # are remembered on the person object, where queue_aspect and the header read them.
    also = {
        "aspect": review_aspects.queue_aspect_asks(user),
        "unread": [notify.unread_ask(user, remember=True)],
        "plans": [home_page.plans_ask()] if kind in _PLAN_READERS else [],
        "charts": stats_views.home_charts_asks(user),
    }
    queues, answers = selectors.home_queues_with(user, [a for asks in also.values() for a in asks])
    it = iter(answers)
    got = {name: [next(it) for _ in asks] for name, asks in also.items()}
    context = {"queues": home_page.ready(queues), "kind": kind}
    review_aspects.link_queue(context["queues"], user)  # 办法第十条: each agency's review page
    if kind == OrgKind.OWNER:
        today = timeutil.today()
        context["open_calls"] = list(Call.objects.filter(opens_on__lte=today, closes_on__gte=today))
    if got["plans"]:
        context["plans"] = got["plans"][0]
    # Issue 11 item 7: the bureau's pipeline and on-time charts (web/stats_views.py).
    context["stats_charts"] = stats_views.home_charts(user, got["charts"])
    if kind == OrgKind.AUDIT or not context["queues"]:
        context["stage_counts"] = selectors.stage_counts(user)
    if kind == OrgKind.AUDIT:
        context["recent"] = list(
            AuditEntry.objects.select_related("organisation", "project").order_by("-at", "-pk")[:20]
        )
    return render(request, "projects/home.html", context)


# ---------------------------------------------------------------- lists


class CountedApart:
    """What ``Paginator`` reads of a list — its count and a slice — with the count taken from
    another queryset of the same rows (one without the joins only the shown rows need)."""

    def __init__(self, rows: Any, counted: Any) -> None:
        self.rows, self.counted = rows, counted

    def count(self) -> int:
        return self.counted.count()

    def __getitem__(self, window: slice) -> Any:
        return self.rows[window]


@login_required
def project_list(request):
    params = request.GET
    filters = {
        "year": params.get("year") if (params.get("year") or "").isdigit() else None,
        "owner": params.get("owner") if (params.get("owner") or "").isdigit() else None,
        "stage": params.get("stage", ""),
        "overdue": params.get("overdue") == "1",
        "q": params.get("q", "").strip(),
    }
    # A year or department no row can have (e.g. 20 digits, beyond the database's integer)
    # matches nothing, instead of reaching the database (issue 7: no 500 for any value).
    impossible = (filters["year"] and params_mod.year(filters["year"]) is None) or (
        filters["owner"] and params_mod.row_id(filters["owner"]) is None
    )
    qs = selectors.project_list(request.user, **filters) if not impossible else Project.objects.none()
    # Issue 10: "还有 N 项" on a home page opens the whole queue here (projects.selectors).
    queue = None
    if params.get("queue"):
        queue = selectors.queue_projects(request.user, params["queue"])
        qs = qs.filter(pk__in=queue[1].order_by().values("pk")) if queue else Project.objects.none()
    # Only the columns the rows show (templates/_projects_table.html). The departments' names
    # come in a second query for the page's rows, not a join: PostgreSQL misjudges how many
    # projects a free-text search matches (6 estimated for 3,648) and joined every department
    # to every match (issue 10: 16 of a search's 30 ms at 10,000 projects).
    rows = plan_stage.with_plan(
        qs.select_related(None)
        .only(*selectors.LIST_COLUMNS)
        .prefetch_related(Prefetch("owner", queryset=Organisation.objects.only("name")))
    )
    # Counted without the plan's join the rows carry: with it SQLite read every project's row
    # instead of an index (issue 10: the overdue list's count 9.6 → 3.1 ms at 10,000).
    page = Paginator(CountedApart(rows, qs.select_related(None)), PAGE_SIZE).get_page(params.get("page"))
    selectors.decorate(page.object_list)
    query = params.copy()
    query.pop("page", None)
    owners = Organisation.objects.filter(kind=OrgKind.OWNER)
    if access.kind_of(request.user) == OrgKind.OWNER:
        owners = owners.filter(pk=request.user.organisation_id)
    return render(
        request,
        "projects/project_list.html",
        {
            "page": page,
            "filters": filters,
            "queue": {"key": params["queue"], "title": queue[0]} if queue else None,
            "query": query.urlencode(),
            "owners": list(owners),
            "stages": selectors.STAGE_CHOICES,
            "years": sorted(set(Call.objects.values_list("year", flat=True)), reverse=True),
        },
    )


# ---------------------------------------------------------------- project page


def _diagram(state):
    return [
        {
            "label": label,
            "current": state in states,
            "states": [{"value": s.value, "label": s.label, "current": s == state} for s in states],
        }
        for label, states in STAGES.items()
    ]


def _deadline_state(clock, today):
    if clock.stopped_on:
        return ("met", _("按期完成")) if clock.met else ("late", _("逾期完成"))
    if clock.paused:
        return "paused", _("暂停计时（补正中）")
    if clock.effective_due_on < today:
        return "overdue", _("已逾期")
    if clock.opens_on and today < clock.opens_on:
        return "waiting", _("期间未开始")
    return "running", _("计时中")


@login_required
def project_detail(request, pk):
    user = request.user
    project = access.get_project_for_user(user, pk)
    today = timeutil.today()
    # Issue 10: the page's queries about the project, sent together (web/project_page.py).
    # 办法第三、八条: the bureau (and 审计厅) is warned of split and duplicate applications.
    sees_splits = access.kind_of(user) in (OrgKind.BUREAU, OrgKind.AUDIT)
    splits = (project_page.splits,) if sees_splits else ()
    project_page.prefetch(project, (*project_page.PAGE_PARTS, *splits), read_ahead.person_asks(user))
    clocks = project_page.rows(project_page.clocks, project)
    for clock in clocks:
        clock.state_code, clock.state_label = _deadline_state(clock, today)
        if clock.paused and project.state == S.EXPERT_EVALUATION:
            # 办法第十条: the experts' time is not counted (cf. 行政许可法第四十五条).
            clock.state_label = _(
                "暂停计时（专家评估论证：专家评审时间不计入审核时限，参照行政许可法第四十五条）"
            )
    owner_staff = access.is_owner_staff(user, project)
    # Issue 10: the rows several parts of the page read, loaded once (web/project_page.py).
    loaded = project_page.load(project)
    context = {
        "project": project,
        "stage": selectors.stage_of(project.state),
        "can": capabilities.capabilities(project, user),
        "clocks": clocks,
        # Issue 10: a department reads only its own history rows (projects.history).
        "history": project_page.history(user, loaded),
        "decision": project_page.ending_decision(project, loaded),
        "recorded": project_page.recorded(project, user, clocks, loaded),
        "diagram": _diagram(project.state),
        "opinions": project_page.rows(project_page.opinions, project),
        "changes": project_page.visible_changes(loaded, owner_staff),
        "data_resources": project_page.rows(project_page.data_resources, project),
        "yearly": project_page.rows(project_page.yearly, project),
        "funding": project_page.rows(project_page.funding, project),
        "copies": project_page.rows(project_page.copies, project),
        "contracts": project_page.rows(project_page.contracts, project),
        "reports": loaded.reports,
        "incidents": project_page.rows(project_page.incidents, project),
        "rectifications": loaded.rectifications,
        "next_step": selectors.next_step(project.state),
    }
    context.update(project_page.documents_context(project, user, loaded))
    # 办法第十二、十三、十四条 (web/review_views.py)
    context.update(review_views.project_context(project, user))
    # 办法第三十四、三十六、三十九条: open findings, decisions and a 暂缓安排 in force.
    context["supervision"] = project_supervision(project)
    context["supervision_excused"] = project_page.excused_findings(context["supervision"])
    context.update(evaluation_context(project, user))  # 办法第九、三十三、三十八条
    context["may_discard"] = drafts.may_discard(user, project)  # issue 11 (web/draft_views.py)
    # 办法第十一条 (issue 11): in a plan not yet approved, the page says which plan.
    plan_year, plan_state = plan_stage.of(project)
    context["state_label"] = plan_stage.state_label(project.state, plan_year, plan_state)
    context["stage"] = plan_stage.stage(project.state, plan_year) or context["stage"]
    context["next_step"] = plan_stage.next_step(project.state, plan_year, plan_state) or context["next_step"]
    if plan_stage.in_unapproved_plan(project.state, plan_year):
        for node in (s for stage in context["diagram"] for s in stage["states"] if s["current"]):
            node["label"] = context["state_label"]
    context["aspect_pages"] = review_aspects.pages_for(project, user)  # 办法第十条
    context["aspect_pages"] += emergency_review.pages_for(project, user)  # 办法第十二条
    # Issue 11 item 7: the state diagram with the path taken and the clocks' timeline, from the
    # rows already loaded (web/state_diagram.py, web/clock_timeline.py): no query.
    relabel = context["state_label"] if plan_stage.in_unapproved_plan(project.state, plan_year) else ""
    context["state_svg"] = state_diagram.diagram(project.state, context["history"], relabel)
    context["clock_timeline"] = clock_timeline.timeline(clocks, context["history"], today)
    if sees_splits:
        # 办法第八条: the bureau is warned of applications that look split.
        # Issue 15: most likely first, with the other department of a duplicate (办法第三条).
        context["splits"] = project_page.rows(project_page.splits, project, parent="")
        home_page.ready_warnings(context["splits"])
    return render(request, "projects/project_detail.html", context)


# ---------------------------------------------------------------- application (第八、九条)


def _missing_by_field(project):
    missing = {}
    for field, message in project.missing_application_items():
        missing.setdefault(field, []).append(message)
    return missing


def _application_page(request, form, formsets, project=None, missing=None, status=200, form_token=None):
    missing = missing or {}
    fields = [(form[name], missing.get(name, [])) for name in form.fields]
    return render(
        request,
        "projects/application_form.html",
        {
            "form": form,
            "fields": fields,
            "project": project,
            "formsets": [
                (prefix, fs, heading, missing.get(key, [])) for prefix, fs, heading, key in formsets
            ],
            "missing_count": sum(len(v) for v in missing.values()),
            # Issue 11: the "new application" form's token (projects/drafts.py).
            "form_token": form_token,
            "may_discard": project is not None and drafts.may_discard(request.user, project),
        },
        status=status,
    )


def _save_application(request, project, *, replay=None):
    """Save the posted application onto ``project``; ``replay`` is the draft an earlier post
    of the same "new application" form created (projects/drafts.py): the post updates it."""
    form = ApplicationForm(request.POST, instance=replay or project)
    formsets = application_formsets(request.POST, instance=project, application=form)
    if not (form.is_valid() and all(fs.is_valid() for _p, fs, _h, _k in formsets)):
        # Bad input never loses what was typed: the bound forms go back as they came.
        messages.error(request, _("有填写错误，请按字段旁的提示修改；已填写的内容均已保留。"))
        return _application_page(
            request, form, formsets, project=project if project.pk else None, form_token=project.form_token
        )
    rows = [fs for _p, fs, _h, _k in formsets]
    try:
        if replay is not None:
            project = drafts.application_resave(replay, actor=request.user, form=form, formsets=rows)
        else:
            project = project_services.application_save(actor=request.user, form=form, formsets=rows)
    except RuleViolation as exc:
        messages.error(request, exc.message)
        return redirect("project", pk=(replay or project).pk)
    except IntegrityError:
        # The same form posted twice at once: the other post created the draft first.
        first = drafts.token_draft(request.user, project.form_token) if not project.pk else None
        if first is None:
            raise
        messages.info(request, _("这份申报刚刚已保存，未重复创建草稿；请在本页核对后继续填写。"))
        return redirect("application_edit", pk=first.pk)
    if request.POST.get("action") == "check":
        if project.missing_application_items():
            # Saved first, then shown again from its own address with every gap beside its
            # field, so that the next save edits this draft instead of creating another.
            messages.error(request, _("申报材料尚不完整，不能申报：请按字段旁的提示补齐（办法第九条）。"))
            return redirect(reverse("application_edit", args=[project.pk]) + "?check=1")
        messages.success(request, _("申报材料齐全（办法第九条）。"))
        if project.state == S.DRAFT and project.call_id:
            return redirect("call_submit", year=project.call.year)
        return redirect("project", pk=project.pk)
    messages.success(request, _("已保存。"))
    return redirect("application_edit", pk=project.pk)


@login_required
def application_new(request):
    access.require_owner_staff(request.user)
    project = Project(owner=request.user.organisation)
    if request.method == "POST":
        # Issue 11 (post/redirect/get with a form token): this form posted again — back and
        # save, a double click — updates the draft its first post created.
        project.form_token = drafts.usable_token(
            request.user, drafts.parse_token(request.POST.get("form_token"))
        )
        earlier = drafts.token_draft(request.user, project.form_token)
        if earlier is not None and earlier.discarded_at is not None:
            messages.warning(request, _("这份申报草稿已删除，本次未保存。如需申报，请重新新建。"))
            return redirect("project_list")
        return _save_application(request, project, replay=earlier)
    # 办法第八条: only the call open today is preselected, never a closed one.
    initial_call = calls.open_call()
    form = ApplicationForm(instance=project, initial={"call": initial_call})
    return _application_page(request, form, application_formsets(instance=project), form_token=uuid.uuid4())


@login_required
def application_edit(request, pk):
    project = access.get_project_for_owner_staff(request.user, pk)
    capabilities.require_page(project, request.user, "application_edit")
    if request.method == "POST":
        return _save_application(request, project)
    missing = _missing_by_field(project) if request.GET.get("check") else None
    return _application_page(
        request,
        ApplicationForm(instance=project),
        application_formsets(instance=project),
        project=project,
        missing=missing,
    )


@login_required
def records_edit(request, pk):
    project = access.get_project_for_owner_staff(request.user, pk)
    capabilities.require_page(project, request.user, "records_edit")
    form = RecordsForm(_posted(request), instance=project)
    if request.method == "POST" and form.is_valid():
        try:
            project_services.project_records_update(actor=request.user, form=form)
        except RuleViolation as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已登记。"))
            return redirect("project", pk=project.pk)
    return render(request, "projects/records_form.html", {"form": form, "project": project})


def _member(organisation, value):
    """The member of ``organisation`` whose id was posted, or None (bad ids are no 500)."""
    value = (value or "").strip()
    if not (value.isascii() and value.isdigit() and len(value) <= 18):
        return None
    return organisation.members.filter(pk=int(value)).first()


def _call_page(request, call, *, error="", status=200):
    org = request.user.organisation
    submission = (
        CallSubmission.objects.filter(call=call, organisation=org)
        .select_related("signed_by", "responsible_person")
        .first()
    )
    drafts = list(
        Project.objects.filter(owner=org, call=call, state=S.DRAFT, discarded_at__isnull=True)
        .order_by("pk")
        .prefetch_related("yearly_investments", "funding_lines")
    )
    for project in drafts:
        project.missing = [m for _f, m in project.missing_application_items()]
    posted = request.POST if request.method == "POST" else {}
    return render(
        request,
        "projects/call_submit.html",
        {
            "call": call,
            "submission": submission if submission and submission.submitted_at else None,
            "amendments": submission.amendments.select_related("signed_by").prefetch_related("projects")
            if submission and submission.submitted_at
            else [],
            "drafts": drafts,
            "submitted": list(
                Project.objects.filter(owner=org, call=call).exclude(state=S.DRAFT).order_by("pk")
            ),
            # 办法第八条: the head sees the likely split applications before signing.
            "splits": project_services.submission_splits(call, org, drafts) if drafts else [],
            # 办法第二十一条: the 项目责任人 is one of the unit's 负责人, named by the signer.
            "heads": org.members.filter(role="head", is_active=True).order_by("pk"),
            "error": error,
            "letter": posted.get("letter", ""),
            "chosen_person": posted.get("responsible_person", ""),
            "splits_confirmed": bool(posted.get("splits_confirmed")),
            "window_open": call.is_open_on(timeutil.today()),
        },
        status=status,
    )


@login_required
def call_submit(request, year):
    """办法第八条: the department's drafts for the call go out together, with the 申报函 signed
    by its head, the 项目责任人 named (第二十一条) and the split warnings confirmed."""
    call = access.get_call_for_owner_head(request.user, year)
    if request.method != "POST":
        return _call_page(request, call)
    if not acting.holds(request.user, {Role.HEAD}):
        raise PermissionDenied
    org = request.user.organisation
    try:
        with transaction.atomic():
            submission, _created = CallSubmission.objects.get_or_create(call=call, organisation=org)
            project_services.call_submit(
                submission,
                actor=request.user,
                letter=request.POST.get("letter", ""),
                responsible_person=_member(org, request.POST.get("responsible_person")),
                splits_confirmed=bool(request.POST.get("splits_confirmed")),
            )
    except RuleViolation as exc:
        return _call_page(request, call, error=exc.message, status=400)
    messages.success(request, _("已统一申报%(n)s个项目（办法第八条）。") % {"n": submission.projects.count()})
    return redirect("call_submit", year=call.year)


@login_required
@require_POST
def call_amend(request, year):
    """办法第八条: a late addition (补充申报) to the department's submission, while the call is
    open, with its own letter signed by the head."""
    call = access.get_call_for_owner_head(request.user, year)
    if not acting.holds(request.user, {Role.HEAD}):
        raise PermissionDenied
    org = request.user.organisation
    submission = CallSubmission.objects.filter(call=call, organisation=org).first() or CallSubmission(
        call=call, organisation=org
    )
    try:
        amendment = project_services.call_amend(
            submission,
            actor=request.user,
            letter=request.POST.get("letter", ""),
            responsible_person=_member(org, request.POST.get("responsible_person")),
            splits_confirmed=bool(request.POST.get("splits_confirmed")),
        )
    except RuleViolation as exc:
        return _call_page(request, call, error=exc.message, status=400)
    messages.success(
        request,
        _("已补充申报%(n)s个项目（第%(k)s次补充申报，办法第八条）。")
        % {"n": amendment.projects.count(), "k": amendment.number},
    )
    return redirect("call_submit", year=call.year)


# ---------------------------------------------------------------- annual plan (第十一、十二条)


@login_required
def plan_list(request):
    kind = access.kind_of(request.user)
    plans = AnnualPlan.objects.order_by("-year")
    if kind == OrgKind.OWNER:
        plans = plans.filter(state=PlanState.ISSUED)
    return render(
        request,
        "projects/plan_list.html",
        {
            "plans": list(plans),
            "may_open": kind == OrgKind.BUREAU and acting.holds(request.user, REVIEWERS),
            "calls": list(Call.objects.order_by("-year")[:5]),
        },
    )


@login_required
@require_POST
def plan_open(request):
    if not access.is_agency(request.user):
        raise Http404
    if access.kind_of(request.user) != OrgKind.BUREAU or not acting.holds(request.user, REVIEWERS):
        raise PermissionDenied
    year = params_mod.year(request.POST.get("year", ""))
    if year is None:
        messages.error(
            request,
            _("请填写%(min)s至%(max)s之间的计划年度。")
            % {"min": params_mod.MIN_YEAR, "max": params_mod.MAX_YEAR},
        )
        return redirect("plan_list")
    try:
        plan = project_services.plan_open(year, actor=request.user)
    except RuleViolation as exc:
        raise PermissionDenied(exc.message) from None
    return redirect("plan", year=plan.year)


@login_required
def plan_detail(request, year):
    user = request.user
    plan = access.get_plan_for_user(user, year)
    # Issue 10: one page of rows, totals from the database, the plan's own history
    # (a department reads only its own rows), in web/plan_page.py.
    context = plan_page.context(request, plan)
    context["plan_filings"] = plan_page.latest_filings(plan) if access.is_agency(user) else []
    context["plan_filing_actions"] = _plan_filing_actions(plan, user)
    return render(request, "projects/plan_detail.html", context)


def _plan_filing_actions(plan, user):
    """The plan table: issued after the government's approval, a draft before (办法第十一条)."""
    if not access.is_agency(user):
        return []
    return document_filings.plan_actions_for(user, plan)


def _plan_for_bureau(request, year):
    plan = access.get_plan_for_user(request.user, year)
    if access.kind_of(request.user) != OrgKind.BUREAU or not acting.holds(request.user, REVIEWERS):
        raise PermissionDenied
    return plan


@login_required
@require_POST
def plan_include(request, year):
    plan = _plan_for_bureau(request, year)
    ids = params_mod.row_ids(request.POST.getlist("project"))
    projects = list(Project.objects.filter(pk__in=ids)) if ids else []
    if not projects or len(projects) != len(set(ids)):
        messages.error(request, _("请在候选项目中勾选要编入计划的项目。"))
        return redirect("plan", year=plan.year)
    # Issue 11: a project already in this plan is not included again, and "已编入0个项目" is
    # no success: nothing new → a notice saying so and what to do; all or nothing on a refusal.
    new = [p for p in projects if p.plan_id != plan.pk]
    try:
        with transaction.atomic():
            for project in new:
                services.plan_include(plan, project, actor=request.user)
    except RuleViolation as exc:
        messages.error(request, exc.message)
    else:
        if new:
            messages.success(request, _("已编入%(n)s个项目。") % {"n": len(new)})
        else:
            messages.warning(
                request,
                _("所选项目均已在本计划中，未编入新的项目；请在候选项目中勾选尚未编入的项目。"),
            )
    return redirect("plan", year=plan.year)


@login_required
@require_POST
def plan_exclude(request, year, pk):
    plan = _plan_for_bureau(request, year)
    project = get_object_or_404(Project, pk=pk, plan=plan)
    try:
        services.plan_exclude(plan, project, actor=request.user, reason=request.POST.get("reason", ""))
    except RuleViolation as exc:
        messages.error(request, exc.message)
    return redirect("plan", year=plan.year)


@login_required
@require_POST
def plan_concur(request, year):
    plan = access.get_plan_for_user(request.user, year)
    if access.kind_of(request.user) != OrgKind.FINANCE or not acting.holds(request.user, {Role.HEAD}):
        raise PermissionDenied
    try:
        services.plan_finance_concur(plan, actor=request.user)
    except RuleViolation as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("财政厅已会签（办法第十一条）。"))
    return redirect("plan", year=plan.year)
