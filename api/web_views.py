"""The settings page of a person's API token (issue 12): create (the key shown once) and
revoke, both audited (api/tokens.py). A person who must use the second factor creates a
token only from a verified session."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from lifecycle.errors import RuleViolation

from . import tokens


def _where(request) -> dict:
    """Where the request came from, for the audit row (as web/access_log.py records it; api
    sits beside web and does not import it)."""
    ip = getattr(request, "axes_ip_address", "") or request.META.get("REMOTE_ADDR", "")
    return {"ip": ip, "path": request.path[:200]}


@never_cache
@login_required
def api_token(request):
    """GET: the live token (its prefix and dates) and the buttons. POST ``action=create``
    creates a new one (an earlier one is revoked) and shows its key once; ``action=revoke``."""
    user = request.user
    action = request.POST.get("action", "") if request.method == "POST" else ""
    key, error, status = "", "", 200
    if action == "create":
        try:
            _token, key = tokens.create(user, where=_where(request))
        except RuleViolation as exc:
            error, status = exc.message, 403
    elif action == "revoke":
        if tokens.revoke(user, where=_where(request)):
            messages.success(request, _("API令牌已撤销，使用它的程序将无法再访问。"))
        return redirect("api_token")
    elif request.method == "POST":
        error, status = _("该操作现在不能办理，请刷新页面后重试。"), 400
    return render(
        request,
        "api/_api_token.html",
        {
            "token": tokens.live_token(user),
            "key": key,
            "error": error,
            "refusal": tokens.creation_refusal(user),
            "days": tokens.lifetime().days,
        },
        status=status,
    )
