"""Sign-ins, sign-outs, failures, lockouts and refused requests go to the audit trail
(issue 9, 等保2.0 三级 安全审计), each with the client address. Connected in WebConfig.ready."""

from __future__ import annotations

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from lifecycle import audit

LOGIN = "auth.login"
LOGOUT = "auth.logout"
FAILED = "auth.login_failed"
LOCKED = "auth.locked_out"
DENIED = "auth.denied"


def client_ip(request) -> str:
    if request is None:
        return ""
    return getattr(request, "axes_ip_address", "") or request.META.get("REMOTE_ADDR", "")


def _where(request) -> dict:
    if request is None:
        return {}
    return {"ip": client_ip(request), "path": request.path[:200]}


@receiver(user_logged_in, dispatch_uid="web.access_log.logged_in")
def logged_in(sender, request, user, **kwargs):
    audit.record_access(action=LOGIN, label=_("登录"), actor=user, data=_where(request))


@receiver(user_logged_out, dispatch_uid="web.access_log.logged_out")
def logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit.record_access(action=LOGOUT, label=_("退出登录"), actor=user, data=_where(request))


@receiver(user_login_failed, dispatch_uid="web.access_log.login_failed")
def login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    audit.record_access(action=FAILED, label=_("登录失败"), username=username, data=_where(request))


@receiver(user_locked_out, dispatch_uid="web.access_log.locked_out")
def locked_out(sender, request, username=None, ip_address=None, **kwargs):
    audit.record_access(
        action=LOCKED,
        label=_("登录失败次数过多，已锁定"),
        username=str(username or "")[:150],
        data={**_where(request), "ip": ip_address or client_ip(request)},
    )


def refused(request, status: int) -> None:
    """A request answered 403 (permission refused, CSRF failure) by someone signed in or not."""
    user = getattr(request, "user", None)
    actor = user if user is not None and user.is_authenticated else None
    audit.record_access(
        action=DENIED,
        label=_("拒绝访问"),
        actor=actor,
        data={**_where(request), "method": request.method, "status": status},
    )


def lockout_response(request, credentials=None, *args, **kwargs):
    """The page a locked-out sign-in gets (settings.AXES_LOCKOUT_CALLABLE): 429, in Chinese,
    saying for how long and who can unlock."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(
        request,
        "registration/locked.html",
        {"failure_limit": settings.AXES_FAILURE_LIMIT, "cooloff_minutes": minutes},
        status=429,
    )
