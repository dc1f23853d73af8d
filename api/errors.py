"""Errors of the API as JSON, in Chinese, with the article (issue 12): never a 500 for a
refusal. ``{"detail": message, "code": …, "article": "第N条"}``; a form's errors under
``errors`` (field → messages)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from lifecycle.errors import RuleViolation

#: RuleViolation.code → HTTP status. A refusal by who may act is 403; one by the state of the
#: object (or someone acting first) 409; the rules of the 办法 and the data 400.
STATUS = {
    "permission": status.HTTP_403_FORBIDDEN,
    "second_factor": status.HTTP_403_FORBIDDEN,
    "override_denied": status.HTTP_403_FORBIDDEN,
    "token": status.HTTP_401_UNAUTHORIZED,
    "state": status.HTTP_409_CONFLICT,
    "concurrent": status.HTTP_409_CONFLICT,
    "via": status.HTTP_409_CONFLICT,
    "issued": status.HTTP_409_CONFLICT,
    "storage": status.HTTP_503_SERVICE_UNAVAILABLE,
}


def refusal(exc: RuleViolation) -> Response:
    return Response(
        {"detail": exc.message, "code": exc.code, "article": exc.article},
        status=STATUS.get(exc.code, status.HTTP_400_BAD_REQUEST),
    )


def handler(exc, context):
    if isinstance(exc, RuleViolation):
        return refusal(exc)
    if isinstance(exc, (Http404, exceptions.NotFound)):
        # As the pages: whoever may not see an object cannot learn that it exists.
        return Response({"detail": _("不存在或无权查看。"), "code": "not_found", "article": ""}, status=404)
    if isinstance(exc, PermissionDenied) and not isinstance(exc, exceptions.APIException):
        message = str(exc) or _("无权办理。")
        return Response({"detail": message, "code": "permission", "article": ""}, status=403)
    response = exception_handler(exc, context)
    if response is not None and isinstance(response.data, dict) and "detail" in response.data:
        response.data.setdefault("code", getattr(exc, "default_code", "error"))
        response.data.setdefault("article", "")
    elif response is not None:
        response.data = {
            "detail": _("提交的数据有误。"),
            "code": "invalid",
            "article": "",
            "errors": response.data,
        }
    return response
