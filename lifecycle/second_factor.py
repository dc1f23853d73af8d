"""Two-factor sign-in (TOTP) for the people who sign (issue 9; 等保2.0 第三级 身份鉴别: two
factors for privileged actions).

A person enrols an authenticator app (a django-otp ``TOTPDevice``, confirmed only by a correct
code) and gets ten one-time recovery codes (a ``StaticDevice``). Once enrolled, every sign-in
asks for a code after the password (web/otp_views.py, web/otp_middleware.py), and the session
counts as *verified* (``request.user.is_verified()``, set by django-otp's OTPMiddleware).

The 负责人 steps — the transitions only a head may take, and any head's override of a 原则上
rule — check it where every step is authorised, ``services._check`` (so the step pages, the
admin's buttons and any later API alike): ``refusal`` refuses such a step without a verified
session when the person has enrolled, and for every head when ``settings.OTP_REQUIRED_FOR_HEADS``
is on. The step's audit row records ``data["second_factor"]`` when it was taken verified.

Every enrolment, verification, failure, throttled attempt, use of a recovery code, disabling
and administrator's reset is an access row of the audit trail ("auth.account",
``audit.record_access``). Wrong codes are throttled by django-otp (1, 2, 4, 8 … seconds
between attempts, ``OTP_TOTP_THROTTLE_FACTOR``).
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_lazy as _l
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.vocabulary import Role

from . import acting, audit
from .errors import RuleViolation

ENROLLED = "auth.otp_enrolled"
ENROL_FAILED = "auth.otp_enrol_failed"
VERIFIED = "auth.otp_verified"
FAILED = "auth.otp_failed"
THROTTLED = "auth.otp_throttled"
RECOVERY_USED = "auth.otp_recovery_used"
DISABLED = "auth.otp_disabled"
RESET = "auth.otp_reset"

LABELS = {
    ENROLLED: _l("启用双因素认证"),
    ENROL_FAILED: _l("启用双因素认证失败（验证码错误）"),
    VERIFIED: _l("双因素认证通过"),
    FAILED: _l("双因素认证失败（验证码错误）"),
    THROTTLED: _l("双因素认证错误次数过多，暂停验证"),
    RECOVERY_USED: _l("以恢复码通过双因素认证"),
    DISABLED: _l("停用双因素认证"),
    RESET: _l("管理员重置双因素认证"),
}

#: One-time recovery codes given at enrolment (each works once, instead of the app's code).
RECOVERY_CODES = 10
TOTP_NAME = "authenticator"
RECOVERY_NAME = "recovery"
#: Longer input is no code of either kind; refused before it reaches django-otp.
MAX_TOKEN_LENGTH = 16
#: A 负责人 step, for the audit row and the refusal.
CODE = "second_factor"

# lifecycle sits below projects: the person is a projects.User (``role``, ``username``).
Person = Any


# ---------------------------------------------------------------- reading


def confirmed_device(user: Person) -> TOTPDevice | None:
    """The person's confirmed authenticator, or None (not enrolled)."""
    if not getattr(user, "pk", None):
        return None
    return TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).order_by("pk").first()


#: Within ``remembered()``: user pk → enrolled, so a check of many steps by one person (the
#: consolidated submission's drafts) asks the database once.
_REMEMBERED: contextvars.ContextVar[dict[int, bool] | None] = contextvars.ContextVar(
    "second_factor_remembered", default=None
)


@contextlib.contextmanager
def remembered() -> Iterator[None]:
    """Answer ``enrolled`` from memory for the same person inside the block."""
    token = _REMEMBERED.set({})
    try:
        yield
    finally:
        _REMEMBERED.reset(token)


def enrolled(user: Person) -> bool:
    if not getattr(user, "pk", None):
        return False
    memory = _REMEMBERED.get()
    if memory is not None and user.pk in memory:
        return memory[user.pk]
    answer = TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).exists()
    if memory is not None:
        memory[user.pk] = answer
    return answer


def verified(user: Person) -> bool:
    """Whether this request's session passed the second step (django-otp's OTPMiddleware puts
    ``is_verified`` on request.user; a person loaded any other way is not verified)."""
    check = getattr(user, "is_verified", None)
    return bool(check()) if callable(check) else False


def recovery_codes_left(user: Person) -> int:
    return StaticToken.objects.filter(device__user_id=user.pk, device__confirmed=True).count()


# ---------------------------------------------------------------- the 负责人 steps


_ON_THE_SERVER: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "second_factor_on_the_server", default=False
)


@contextlib.contextmanager
def on_the_server() -> Iterator[None]:
    """For a command an operator runs on the server itself (``manage.py load_demo``, loading
    old projects): no one signs in, so there is no session to verify — the operator's access to
    the server is the stronger factor. Never entered by a request."""
    token = _ON_THE_SERVER.set(True)
    try:
        yield
    finally:
        _ON_THE_SERVER.reset(token)


def required_for_heads() -> bool:
    """The policy setting: every 负责人 needs a verified second factor for a 负责人 step."""
    return bool(getattr(settings, "OTP_REQUIRED_FOR_HEADS", False))


def head_step(permission: Any, *, overriding: bool = False) -> bool:
    """A step only a 负责人 may take (every grant of its ``rules.Actors`` is heads only), or a
    head passing a 原则上 rule with a reason."""
    grants = getattr(permission, "grants", ())
    return overriding or (bool(grants) and all(set(g.roles) <= {Role.HEAD} for g in grants))


def refusal(actor: Person, permission: Any, *, label: str, overriding: bool = False) -> RuleViolation | None:
    """Why ``actor`` may not take this 负责人 step without a verified second factor, or None.

    Required when the person has enrolled (always), or for every 负责人 when
    ``settings.OTP_REQUIRED_FOR_HEADS`` is on. Any other step is not concerned."""
    if not head_step(permission, overriding=overriding) or verified(actor) or _ON_THE_SERVER.get():
        return None
    if enrolled(actor):
        message = _(
            "“%(label)s”是负责人签批的操作，须在本次登录中通过双因素认证后办理：请到“双因素认证”页面"
            "（%(url)s）输入验证器上的动态验证码。"
        ) % {"label": label, "url": reverse("otp_verify")}
    # a substitute acting in a 负责人's role (issue 12, lifecycle/acting.py) is asked the same
    elif required_for_heads() and acting.holds(actor, {Role.HEAD}):
        message = _(
            "“%(label)s”是负责人签批的操作，本系统要求负责人启用双因素认证后办理：请先到“双因素认证”"
            "页面（%(url)s）绑定验证器并输入动态验证码。"
        ) % {"label": label, "url": reverse("otp_setup")}
    else:
        return None
    return RuleViolation(message, code=CODE)


def audit_data(actor: Person) -> dict[str, str]:
    """What a step's audit row records about the second factor: the kind of device that
    verified the session ("totp" or "recovery"), nothing when the session is not verified."""
    if not verified(actor):
        return {}
    device = getattr(actor, "otp_device", None)
    return {CODE: "recovery" if isinstance(device, StaticDevice) else "totp"}


# ---------------------------------------------------------------- checking a code


@dataclass
class Outcome:
    ok: bool
    message: str = ""
    device: Device | None = None
    codes: list[str] = field(default_factory=list)


def _clean(token: str) -> str:
    return "".join(str(token or "").split())[: MAX_TOKEN_LENGTH + 1]


def _throttled(device: Device) -> str | None:
    allowed, info = device.verify_is_allowed()
    if allowed:
        return None
    until = (info or {}).get("locked_until")
    if until is None:
        return _("验证码错误次数过多，请稍后再试。")
    seconds = max(1, int((until - timezone.now()).total_seconds() + 0.999))
    return _("验证码错误次数过多，请 %(seconds)s 秒后再试；每错一次，等待时间加倍。") % {"seconds": seconds}


def _check(device: Device, token: str) -> tuple[bool, str | None]:
    """(accepted, why refused without checking — throttled) for one attempt on ``device``,
    locked for the attempt so that two at once cannot both pass."""
    locked = type(device).objects.select_for_update().get(pk=device.pk)
    wait = _throttled(locked)
    if wait:
        return False, wait
    if len(token) > MAX_TOKEN_LENGTH:  # no code of either kind: a failed attempt all the same
        locked.throttle_increment()
        ok = False
    else:
        ok = bool(locked.verify_token(token))
    device.refresh_from_db()
    return ok, None


def _row(action: str, user: Person, where: dict[str, Any] | None, **extra: Any) -> None:
    audit.record_access(action=action, label=LABELS[action], actor=user, data={**(where or {}), **extra})


# ---------------------------------------------------------------- services


def pending_device(user: Person) -> TOTPDevice:
    """The authenticator being enrolled: unconfirmed until a correct code (``enrol_confirm``);
    one per person, kept until then so that reloading the page shows the same key. It is no
    credential yet — sign-in and the steps look only at confirmed devices."""
    device = TOTPDevice.objects.filter(user_id=user.pk, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user_id=user.pk, name=TOTP_NAME, confirmed=False)


def enrol_confirm(user: Person, token: str, *, where: dict[str, Any] | None = None) -> Outcome:
    """Confirm the pending authenticator with a code it shows now; issue the recovery codes.
    Audited (success, wrong code, throttled)."""
    token = _clean(token)
    with transaction.atomic():
        if enrolled(user):
            return Outcome(False, _("您已启用双因素认证；如需更换验证器，请先停用再重新绑定。"))
        device = pending_device(user)
        ok, wait = _check(device, token)
        if wait:
            _row(THROTTLED, user, where, step="enrol")
            return Outcome(False, wait)
        if not ok:
            _row(ENROL_FAILED, user, where)
            return Outcome(False, _("验证码不正确。请核对手机时间后，输入验证器上当前显示的 6 位数字。"))
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _new_recovery_codes(user)
        _row(ENROLLED, user, where, device=device.name, recovery_codes=len(codes))
    return Outcome(True, device=device, codes=codes)


def _new_recovery_codes(user: Person) -> list[str]:
    StaticDevice.objects.filter(user_id=user.pk).delete()
    device = StaticDevice.objects.create(user_id=user.pk, name=RECOVERY_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _i in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def verify(user: Person, token: str, *, where: dict[str, Any] | None = None) -> Outcome:
    """The second step of a sign-in: a code of the person's authenticator, or one of their
    recovery codes (used up). Throttled per device by django-otp; every attempt is audited."""
    token = _clean(token)
    with transaction.atomic():
        device = confirmed_device(user)
        if device is None:
            return Outcome(False, _("您尚未启用双因素认证。"))
        recovery = StaticDevice.objects.filter(user_id=user.pk, confirmed=True).first()
        # The app shows 6 digits; a recovery code is 8 letters and digits (any case).
        use_recovery = recovery is not None and not (len(token) == device.digits and token.isdigit())
        if use_recovery:
            token = token.lower()
        target: Device = recovery if use_recovery and recovery is not None else device
        ok, wait = _check(target, token)
        if wait:
            _row(THROTTLED, user, where, step="sign_in", device="recovery" if use_recovery else "totp")
            return Outcome(False, wait)
        if not ok:
            _row(FAILED, user, where, device="recovery" if use_recovery else "totp")
            return Outcome(
                False, _("验证码不正确，请输入验证器上当前显示的 6 位数字（或一个未用过的恢复码）。")
            )
        if use_recovery:
            _row(RECOVERY_USED, user, where, left=recovery_codes_left(user))
        else:
            _row(VERIFIED, user, where)
    return Outcome(True, device=target)


def disable(user: Person, token: str, *, where: dict[str, Any] | None = None) -> Outcome:
    """Turn the second factor off (to re-enrol, e.g. a new phone): only with a current code of
    the authenticator. Removes the authenticator and the recovery codes; audited."""
    token = _clean(token)
    with transaction.atomic():
        device = confirmed_device(user)
        if device is None:
            return Outcome(False, _("您尚未启用双因素认证。"))
        ok, wait = _check(device, token)
        if wait:
            _row(THROTTLED, user, where, step="disable")
            return Outcome(False, wait)
        if not ok:
            _row(FAILED, user, where, step="disable")
            return Outcome(False, _("验证码不正确，未停用。停用须输入验证器上当前显示的 6 位数字。"))
        _remove_devices(user)
        _row(DISABLED, user, where)
    return Outcome(True)


def reset(user: Person, *, by: Person, where: dict[str, Any] | None = None) -> None:
    """An administrator's reset (a lost phone): the person's authenticator and recovery codes
    are removed; they sign in with the password and enrol again. Audited, naming both."""
    with transaction.atomic():
        _remove_devices(user)
        audit.record_access(
            action=RESET,
            label=LABELS[RESET],
            actor=by,
            account=str(getattr(user, "username", "")),
            data={**(where or {}), "account": str(getattr(user, "username", ""))},
        )


def _remove_devices(user: Person) -> None:
    TOTPDevice.objects.filter(user_id=user.pk).delete()
    StaticDevice.objects.filter(user_id=user.pk).delete()
