"""Friendly Chinese error pages (issue 7: errors, not crashes).

403, 404 and 409 say why when the server knows it — a ``PermissionDenied("须由省内网办办理")``
shows that sentence — and link back (the previous page when it is one of ours, and the
home page). 500 is rendered from a self-contained template with no context at all (no
database query, no context processor), so that it renders even when the database is the
reason for the error.

``handler400/403/404`` in config/urls.py and config.middleware.ErrorPagesMiddleware use
the same functions, so a refusal looks the same whether DEBUG is on or off.
"""

from __future__ import annotations

import re

from django.http import HttpResponse
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

#: A message is shown to people only when it is written for them (Chinese), not Django's
#: internal English texts such as "No Project matches the given query.".
_CJK = re.compile(r"[\u4e00-\u9fff]")


def reason_of(exception) -> str:
    """The human reason carried by ``exception`` (its message, when written in Chinese)."""
    if exception is None:
        return ""
    message = getattr(exception, "message", None)
    if message is None:
        message = exception.args[0] if getattr(exception, "args", None) else ""
    if isinstance(message, dict):  # Resolver404 carries {"tried": …, "path": …}
        return ""
    text = str(message or "")
    return text if _CJK.search(text) else ""


def back_url(request) -> str:
    """The page the person came from, when it is a page of this site; else empty."""
    referer = request.META.get("HTTP_REFERER", "") if request is not None else ""
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return referer
    return ""


def _page(
    request, status: int, template: str, *, title: str, default: str, exception=None, reason: str = ""
) -> HttpResponse:
    context = {
        "status": status,
        "title": title,
        "reason": reason or reason_of(exception),
        "default": default,
        "back": back_url(request),
        "path": request.path if request is not None else "",
    }
    return HttpResponse(loader.render_to_string(template, context, request), status=status)


def bad_request(request, exception=None, template_name="400.html"):
    return _page(
        request,
        400,
        template_name,
        title=_("请求有误"),
        exception=exception,
        default=_("提交的内容无法处理，请返回上一页检查后重新提交。"),
    )


def permission_denied(request, exception=None, template_name="403.html"):
    return _page(
        request,
        403,
        template_name,
        title=_("无权办理"),
        exception=exception,
        default=_("您所在的单位或您的角色不能办理此事项。如需办理，请联系有权办理的单位或本单位负责人。"),
    )


def csrf_failure(request, reason="", template_name="403.html"):
    """settings.CSRF_FAILURE_VIEW (issue 11: a bare English "403 Forbidden"): the form was
    posted without the page's valid security token — a page left open too long, a sign-out
    or sign-in elsewhere meanwhile, cookies blocked. Said in Chinese, with what to do."""
    return _page(
        request,
        403,
        template_name,
        title=_("页面已过期，请刷新后重新提交"),
        reason=_("本次提交没有保存：页面的安全校验已失效。"),
        default=_(
            "为保护您的账号，每次提交都须带有打开页面时生成的安全校验码。页面打开时间过长、期间在别处退出"
            "或重新登录、或浏览器禁用了 Cookie 时，校验码会失效。请返回上一页并刷新，重新填写后提交；"
            "仍不成功的，请重新登录后再试。"
        ),
    )


def page_not_found(request, exception=None, template_name="404.html"):
    return _page(
        request,
        404,
        template_name,
        title=_("页面不存在"),
        exception=exception,
        default=_("您要找的页面不存在，或您无权查看此项目。请从工作台或项目列表重新进入。"),
    )


def storage_unavailable(request, exception=None, template_name="503.html"):
    """The document storage failed (documents.storage.StorageUnavailable): nothing was kept."""
    return _page(
        request,
        503,
        template_name,
        title=_("文件存储暂时不可用"),
        exception=exception,
        default=_("文件存储暂时不可用，本次操作没有完成，也没有保存任何内容。请稍后重试。"),
    )


def conflict(request, exception=None, template_name="409.html"):
    """Someone else acted on the same matter at the same moment. Self-contained page: the
    database may be the cause, so nothing here may query it."""
    context = {
        "reason": reason_of(exception),
        "back": back_url(request),
        "path": request.path if request is not None else "",
    }
    return HttpResponse(loader.render_to_string(template_name, context), status=409)
