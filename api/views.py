"""The REST API (issue 12): the same selectors, access helpers and services as the pages.

* Reading: every project through ``projects.access.get_project_for_user`` (404 for what the
  person may not see, as ``projects.selectors.visible_projects`` decides for the pages), a
  change through ``get_change_for_user``, materials and filings through ``documents.access``
  and streamed by the same ``material_open`` / ``filing_open`` that write the download's
  audit row.
* Writing: a step is ``lifecycle.services.perform`` (transitions of projects, plans and
  changes), an opinion ``lifecycle.services.opinion_give``, with the step page's own form
  (``StepForm``, ``OpinionForm``) checking the data — so the state, who may act (办法's
  ``Actors``), the second factor of a 负责人 step, the reason, the guards (原则上 rules with a
  head's override reason) and the step data are checked exactly as on the pages. A refusal is
  a 4xx JSON answer with the article (api/errors.py).
* 办法第十五条: the 进展填报 rows of ``exports.progress``.
"""

from __future__ import annotations

import re
import tempfile
from decimal import Decimal
from typing import Any, cast
from urllib.parse import quote

from django.db.models import QuerySet
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.states import STAGES, ChangeState, ProjectState
from core.vocabulary import OrgKind
from documents import filings as documents_filings, services as documents_services
from documents.access import filing_for_user, material_for_user
from documents.models import Filing, MaterialVersion
from exports.base import stream_csv, write_xlsx
from exports.jobs import CONTENT_TYPES
from exports.progress import ProgressExporter, clean_code, progress_records, reportable
from lifecycle import audit, services
from lifecycle.errors import RuleViolation
from lifecycle.models import ChangeRequest
from lifecycle.webforms import ChangeForm, ChangeItemFormSet, OpinionForm, StepForm
from projects import access
from projects.capabilities import PAGES_BY_NAME, opinion_aspects
from projects.models import Project
from projects.selectors import stage_counts, visible_projects

from . import serializers as s

ERRORS = {
    400: OpenApiResponse(s.ErrorSerializer, description="违反办法规定或数据有误（附条款）"),
    401: OpenApiResponse(s.ErrorSerializer, description="未提供令牌或令牌无效"),
    403: OpenApiResponse(s.ErrorSerializer, description="无权办理（附条款）"),
    404: OpenApiResponse(s.ErrorSerializer, description="不存在或无权查看"),
    409: OpenApiResponse(s.ErrorSerializer, description="当前状态下不能办理（附条款）"),
}
READ_ERRORS = {k: ERRORS[k] for k in (401, 404)}
FILE = OpenApiResponse(OpenApiTypes.BINARY, description="文件")


class Pages(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


def _form_data(data: Any) -> dict[str, str]:
    """JSON values as the page's form receives them (text), for the same form to check."""
    if not isinstance(data, dict):
        return {}
    result: dict[str, str] = {}
    for key, value in data.items():
        if isinstance(value, bool):
            result[str(key)] = "on" if value else ""
        elif isinstance(value, (str, int, float)) or value is None:
            result[str(key)] = "" if value is None else str(value)
    return result


def _invalid(form) -> Response:
    return Response(
        {
            "detail": _("提交的数据有误，请按各项说明修改。"),
            "code": "invalid",
            "article": "",
            "errors": {field: [str(e) for e in errors] for field, errors in form.errors.items()},
        },
        status=status.HTTP_400_BAD_REQUEST,
    )


def _take_step(request: Request, obj: Any, name: str) -> Response:
    """The step page's flow (web/step_views.py ``_step_page``), answered in JSON: 404 for no
    such step, 403 for who may not take it, the refusal with its article when the state does
    not allow it, then ``StepForm`` and ``services.perform`` — each step under its own article
    (e.g. 办法第十条 pass_review by the bureau, 第十五条 approve_fsr by 省发改委 from fsr_review
    only, 第二十九条 complete_construction by the department's 负责人)."""
    if name not in services.transition_names(obj):
        raise Http404
    body = s.StepInSerializer(data=request.data if isinstance(request.data, dict) else {})
    body.is_valid(raise_exception=True)
    reason, override = body.validated_data["reason"], body.validated_data["override_reason"]
    t, _possible = services.transition_of(obj, name)
    who = cast(Any, t.permission).refusal(obj, request.user)
    if who:
        raise RuleViolation(
            _("“%(label)s”%(who)s（办法%(article)s）。")
            % {"label": t.custom["label"], "who": who, "article": t.custom["article"]},
            code="permission",
            article=t.custom["article"],
        )
    step = next((x for x in services.available(obj, request.user) if x["name"] == name), None)
    if step is None:
        # Not from this state (or only inside its own service): perform refuses it, saying why.
        services.perform(obj, name, actor=request.user, reason=reason, override_reason=override)
        raise RuleViolation(_("当前不能办理该操作。"), code="state", article=t.custom["article"])
    form = StepForm(
        {**_form_data(body.validated_data["data"]), "reason": reason, "override_reason": override},
        obj=obj,
        step=step,
    )
    if not form.is_valid():
        return _invalid(form)
    services.perform(
        obj,
        name,
        actor=request.user,
        reason=form.cleaned_data["reason"],
        override_reason=form.cleaned_data.get("override_reason", ""),
        **form.step_data(),
    )
    return Response({"state": obj.state, "state_label": obj.get_state_display(), "step": step["label"]})


# ---------------------------------------------------------------- projects


@extend_schema(
    tags=["projects"],
    parameters=[OpenApiParameter("state", str, description="只列出该状态的项目", enum=ProjectState.values)],
    responses={200: s.ProjectSerializer(many=True), **READ_ERRORS},
)
class ProjectList(generics.ListAPIView):
    """The projects the person may see (the same selector as the project list page): a
    department its own and those it takes part in (办法第十三条), the agencies all but the
    departments' drafts, 审计厅 everything (办法第三十七条)."""

    serializer_class = s.ProjectSerializer
    pagination_class = Pages

    def get_queryset(self) -> QuerySet[Project]:
        qs = visible_projects(self.request.user).select_related("owner", "plan").order_by("pk")
        state = self.request.query_params.get("state")
        if state:
            qs = qs.filter(state=state) if state in ProjectState.values else qs.none()
        return qs


class ProjectDetail(APIView):
    @extend_schema(tags=["projects"], responses={200: s.ProjectDetailSerializer, **READ_ERRORS})
    def get(self, request: Request, pk: int) -> Response:
        """One project, with the steps the person may take now; 404 for a project the person may
        not see (办法第十三、三十七条, ``projects.access.get_project_for_user``)."""
        project = access.get_project_for_user(request.user, pk)
        steps = services.available(project, request.user)
        return Response(s.ProjectDetailSerializer(project, context={"steps": steps}).data)


class ProjectSteps(APIView):
    @extend_schema(tags=["steps"], responses={200: s.StepSerializer(many=True), **READ_ERRORS})
    def get(self, request: Request, pk: int) -> Response:
        """The steps the person may take on the project now, and what blocks each."""
        project = access.get_project_for_user(request.user, pk)
        return Response(s.StepSerializer(services.available(project, request.user), many=True).data)


class ProjectStep(APIView):
    @extend_schema(
        tags=["steps"],
        request=s.StepInSerializer,
        responses={200: OpenApiTypes.OBJECT, **ERRORS},
    )
    def post(self, request: Request, pk: int, name: str) -> Response:
        """Take a step of the project (the same services.perform as the step page)."""
        project = access.get_project_for_user(request.user, pk)
        return _take_step(request, project, name)


class ProjectClocks(APIView):
    @extend_schema(tags=["projects"], responses={200: s.ClockSerializer(many=True), **READ_ERRORS})
    def get(self, request: Request, pk: int) -> Response:
        """The deadlines of the 办法 the system watches for the project."""
        project = access.get_project_for_user(request.user, pk)
        return Response(s.ClockSerializer(project.clocks.order_by("pk"), many=True).data)


class ProjectOpinions(APIView):
    @extend_schema(tags=["opinions"], responses={200: s.OpinionSerializer(many=True), **READ_ERRORS})
    def get(self, request: Request, pk: int) -> Response:
        """The opinions given on the project (办法第十、十二、二十九条), oldest first."""
        project = access.get_project_for_user(request.user, pk)
        opinions = project.opinions.select_related("organisation", "given_by").order_by("given_at", "pk")
        return Response(s.OpinionSerializer(opinions, many=True).data)

    @extend_schema(
        tags=["opinions"],
        request=s.OpinionInSerializer,
        responses={201: s.OpinionSerializer, **ERRORS},
    )
    def post(self, request: Request, pk: int) -> Response:
        """Give an opinion (the same form and services.opinion_give as the opinion page)."""
        project = access.get_project_for_user(request.user, pk)
        aspects = opinion_aspects(project, request.user)
        if not aspects:
            raise RuleViolation(
                _("本单位当前不能对该项目出具意见（办法第十、十二、二十九条）。"),
                code="permission",
                article="第十条",
            )
        form = OpinionForm(_form_data(request.data), aspects=aspects)
        if not form.is_valid():
            return _invalid(form)
        opinion = services.opinion_give(project, actor=request.user, **form.cleaned_data)
        return Response(s.OpinionSerializer(opinion).data, status=status.HTTP_201_CREATED)


def _changes_of(user: Any, project: Project) -> QuerySet[ChangeRequest]:
    """The project's changes the person may read: a draft only for its own department
    (projects.access.get_change_for_user)."""
    changes = project.changes.prefetch_related("items").order_by("pk")
    if not (access.kind_of(user) == OrgKind.OWNER and user.organisation_id == project.owner_id):
        changes = changes.exclude(state=ChangeState.DRAFT)
    return changes


def _require_page(project: Project, user: Any, name: str) -> None:
    """``capabilities.require_page`` (the page's states and people), refused with its article."""
    page = PAGES_BY_NAME[name]
    if not page.open_to(user, project):
        raise RuleViolation(
            _("“%(label)s”现在不能由您办理（办法%(article)s）。")
            % {"label": page.label, "article": page.article},
            code="permission",
            article=page.article,
        )


class ProjectChanges(APIView):
    @extend_schema(tags=["changes"], responses={200: s.ChangeSerializer(many=True), **READ_ERRORS})
    def get(self, request: Request, pk: int) -> Response:
        """The project's changes (办法第二十八条)."""
        project = access.get_project_for_user(request.user, pk)
        return Response(s.ChangeSerializer(_changes_of(request.user, project), many=True).data)

    @extend_schema(
        tags=["changes"], request=s.ChangeInSerializer, responses={201: s.ChangeSerializer, **ERRORS}
    )
    def post(self, request: Request, pk: int) -> Response:
        """办法第二十八条: the department drafts a change (the change page's forms and
        services.change_create); its 负责人 then submits it (``steps/submit/``), which routes it
        to filing or approval."""
        project = access.get_project_for_owner_staff(request.user, pk)
        _require_page(project, request.user, "change_new")
        body = request.data if isinstance(request.data, dict) else {}
        form = ChangeForm(_form_data(body))
        items = body.get("items")
        rows = [_form_data(item) for item in items] if isinstance(items, list) else []
        management = {
            "items-TOTAL_FORMS": str(len(rows)),
            "items-INITIAL_FORMS": "0",
            "items-MIN_NUM_FORMS": "0",
            "items-MAX_NUM_FORMS": "1000",
        }
        formset = ChangeItemFormSet(
            {
                **management,
                **{
                    f"items-{i}-{key}": value
                    for i, row in enumerate(rows[:100])
                    for key, value in row.items()
                },
            },
            prefix="items",
        )
        if not form.is_valid():
            return _invalid(form)
        if not formset.is_valid():
            errors = {
                f"items[{i}].{field}": [str(e) for e in errs]
                for i, f in enumerate(formset.forms)
                for field, errs in f.errors.items()
            }
            errors.update(
                {"items": [str(e) for e in formset.non_form_errors()]} if formset.non_form_errors() else {}
            )
            return Response(
                {
                    "detail": _("提交的数据有误，请按各项说明修改。"),
                    "code": "invalid",
                    "article": "",
                    "errors": errors,
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        moved = [
            {k: f.cleaned_data[k] for k in ("from_content", "to_content", "amount_yuan")}
            for f in formset.forms
            if f.cleaned_data
        ]
        # The routing the change page computes before saving (办法第二十八条); refuses as it does.
        services.change_routing(
            project,
            moved_yuan=sum((i["amount_yuan"] for i in moved), Decimal("0")),
            new_total_yuan=form.cleaned_data["new_total_yuan"],
            goals_unchanged=form.cleaned_data["goals_unchanged"],
            ground=form.cleaned_data["ground"],
        )
        change = services.change_create(
            project,
            actor=request.user,
            items=moved,
            **{name: form.cleaned_data[name] for name in ChangeRequest.FORM_FIELDS},
        )
        return Response(s.ChangeSerializer(change).data, status=status.HTTP_201_CREATED)


class ProjectMaterials(APIView):
    @extend_schema(tags=["materials"], responses={200: s.MaterialSerializer(many=True), **READ_ERRORS})
    def get(self, request: Request, pk: int) -> Response:
        """Every version of every material uploaded for the project."""
        project = access.get_project_for_user(request.user, pk)
        versions = MaterialVersion.objects.filter(project=project).order_by("kind", "number", "pk")
        return Response(s.MaterialSerializer(versions, many=True).data)


class ProjectFilings(APIView):
    @extend_schema(tags=["filings"], responses={200: s.FilingSerializer(many=True), **READ_ERRORS})
    def get(self, request: Request, pk: int) -> Response:
        """The filings (文书) issued for the project."""
        project = access.get_project_for_user(request.user, pk)
        filings = Filing.objects.filter(project=project).defer("snapshot").order_by("generated_at", "pk")
        return Response(s.FilingSerializer(filings, many=True).data)


# ---------------------------------------------------------------- stages, changes, plans


class Stages(APIView):
    @extend_schema(tags=["projects"], responses={200: s.StageSerializer(many=True), 401: ERRORS[401]})
    def get(self, request: Request) -> Response:
        """The stages of the 办法 with their states, and how many of the person's projects are in each."""
        counts = {str(label): n for label, n in stage_counts(request.user)}
        return Response(
            [
                {
                    "stage": str(label),
                    "count": counts.get(str(label), 0),
                    "states": [{"state": st, "label": str(ProjectState(st).label)} for st in states],
                }
                for label, states in STAGES.items()
            ]
        )


class ChangeDetail(APIView):
    @extend_schema(tags=["changes"], responses={200: s.ChangeDetailSerializer, **READ_ERRORS})
    def get(self, request: Request, pk: int) -> Response:
        """One change, with the steps the person may take on it."""
        change = access.get_change_for_user(request.user, pk)
        steps = services.available(change, request.user)
        return Response(s.ChangeDetailSerializer(change, context={"steps": steps}).data)


class ChangeStep(APIView):
    @extend_schema(tags=["steps"], request=s.StepInSerializer, responses={200: OpenApiTypes.OBJECT, **ERRORS})
    def post(self, request: Request, pk: int, name: str) -> Response:
        """Take a step of a change (办法第二十八条: submit, approve, reject, withdraw)."""
        change = access.get_change_for_user(request.user, pk)
        return _take_step(request, change, name)


class PlanStep(APIView):
    @extend_schema(tags=["steps"], request=s.StepInSerializer, responses={200: OpenApiTypes.OBJECT, **ERRORS})
    def post(self, request: Request, year: int, name: str) -> Response:
        """Take a step of the annual plan (办法第十一条)."""
        plan = access.get_plan_for_user(request.user, year)
        return _take_step(request, plan, name)


# ---------------------------------------------------------------- files


def _disposition(response: Any, filename: str) -> Any:
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


class MaterialDownload(APIView):
    @extend_schema(tags=["materials"], responses={(200, "application/octet-stream"): FILE, **READ_ERRORS})
    def get(self, request: Request, pk: int) -> Any:
        """The file of a material version, streamed (the download is recorded)."""
        version = material_for_user(request.user, pk)
        handle = documents_services.material_open(version, actor=request.user)
        return _disposition(FileResponse(handle), version.original_name)


class FilingDownload(APIView):
    @extend_schema(tags=["filings"], responses={(200, "application/pdf"): FILE, **READ_ERRORS})
    def get(self, request: Request, pk: int) -> Any:
        """The PDF of an issued filing, streamed (the download is recorded)."""
        filing = filing_for_user(request.user, pk)
        handle = documents_filings.filing_open(filing, actor=request.user)
        name = re.sub(r'[\\/:*?"<>|\x00-\x1f]', "_", filing.title)[:100] + ".pdf"
        return _disposition(FileResponse(handle, content_type="application/pdf"), name)


# ---------------------------------------------------------------- 办法第十五条 progress


CODE = OpenApiParameter("code", str, description="项目代码（只列出该项目）")


@extend_schema(
    tags=["progress"], parameters=[CODE], responses={200: s.ProgressSerializer(many=True), **READ_ERRORS}
)
class ProgressList(generics.ListAPIView):
    """办法第十五条: 进展填报 for the 投资项目在线审批监管平台, one row per 项目代码 of the projects the
    person may see (not classified projects)."""

    serializer_class = s.ProgressSerializer
    pagination_class = Pages

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        projects = visible_projects(request.user)
        code = clean_code(request.query_params.get("code"))
        if code is None:
            projects = projects.none()
        elif code:
            projects = projects.filter(platform_code=code)
        ids = list(reportable(projects).values_list("pk", flat=True))
        page_ids = self.paginate_queryset(ids)
        rows = list(progress_records(Project.objects.filter(pk__in=page_ids or [])))
        return self.get_paginated_response(s.ProgressSerializer(rows, many=True).data)


class ProgressOne(APIView):
    @extend_schema(tags=["progress"], responses={200: s.ProgressSerializer, **READ_ERRORS})
    def get(self, request: Request, code: str) -> Response:
        """办法第十五条: the 进展填报 row of one 项目代码."""
        if not clean_code(code):
            raise Http404
        rows = list(progress_records(visible_projects(request.user).filter(platform_code=code)))
        if not rows:
            raise Http404
        return Response(s.ProgressSerializer(rows[0]).data)


class ProgressExport(APIView):
    @extend_schema(
        tags=["progress"],
        # "file", not "format": DRF reads ?format= to choose its renderer.
        parameters=[CODE, OpenApiParameter("file", str, enum=["xlsx", "csv"], description="文件格式")],
        responses={(200, "application/octet-stream"): FILE, **READ_ERRORS},
    )
    def get(self, request: Request) -> Any:
        """办法第十五条: the 进展填报 rows as a workbook (streamed, write-only) or CSV (recorded)."""
        fmt = request.query_params.get("file", "xlsx")
        if fmt not in CONTENT_TYPES:
            raise Http404
        code = clean_code(request.query_params.get("code"))
        if code is None:
            raise Http404
        exporter = ProgressExporter(visible_projects(request.user), code=code)
        audit.record(
            actor=request.user,
            action="export.progress",
            obj=request.user,
            label=f"导出{exporter.title}",
            data={"format": fmt, "via": "api"},
        )
        if fmt == "csv":
            response: Any = StreamingHttpResponse(stream_csv(exporter), content_type=CONTENT_TYPES["csv"])
        else:
            spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
            write_xlsx(exporter, spool)
            spool.seek(0)
            response = FileResponse(spool, content_type=CONTENT_TYPES["xlsx"])
        return _disposition(response, f"{exporter.title}.{fmt}")
