"""Creating, revoking and checking API tokens (issue 12).

A person has at most one live token. The key is 43 random URL-safe characters, shown once;
only its SHA-256 digest is stored (``ApiToken.digest``). Creation and revocation are access
rows of the audit trail (``lifecycle.audit.record_access``, "auth.account").

The API is no way around the second factor (等保2.0 第三级, lifecycle/second_factor.py): a
person who must use it — enrolled, or a 负责人 under ``settings.OTP_REQUIRED_FOR_HEADS`` — creates
a token only from a session verified by a code, and the token remembers the device that
verified it. Each request with the token then counts as verified by that device, as the
session did; once the device is gone (turned off, or reset by the administrator) the token no
longer authenticates, and a token created without a second factor stops working as soon as
the person must use one.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_lazy as _l
from django_otp.models import Device

from core.vocabulary import Role
from lifecycle import audit, second_factor
from lifecycle.errors import RuleViolation

from .models import ApiToken

CREATED = "api.token_created"
REVOKED = "api.token_revoked"
LABELS = {CREATED: _l("创建API令牌"), REVOKED: _l("撤销API令牌")}
#: How long a token lives (a setting of this system, not of the 办法).
DEFAULT_DAYS = 30
KEYWORD = "Token"

Person = Any


def lifetime() -> datetime.timedelta:
    return datetime.timedelta(days=int(getattr(settings, "API_TOKEN_DAYS", DEFAULT_DAYS)))


def digest_of(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def live_token(user: Person) -> ApiToken | None:
    """The person's token that still works, or None."""
    return (
        ApiToken.objects.filter(user_id=user.pk, revoked_at__isnull=True, expires_at__gt=timezone.now())
        .order_by("-pk")
        .first()
    )


def must_use_second_factor(user: Person) -> bool:
    """Enrolled, or a 负责人 while the system requires the second factor of every head."""
    return second_factor.enrolled(user) or (
        second_factor.required_for_heads() and getattr(user, "role", "") == Role.HEAD
    )


def creation_refusal(user: Person) -> str | None:
    """Why ``user`` may not create a token in this session, or None."""
    if not must_use_second_factor(user) or second_factor.verified(user):
        return None
    return _(
        "本账号须使用双因素认证：请先在“双因素认证”页面绑定验证器（或输入动态验证码），"
        "在通过双因素认证的本次登录中再创建API令牌，API不能绕过双因素认证。"
    )


def create(user: Person, *, where: dict[str, Any] | None = None) -> tuple[ApiToken, str]:
    """A new token for ``user`` (any earlier live one is revoked); returns it and its key,
    which is shown once and never stored."""
    problem = creation_refusal(user)
    if problem:
        raise RuleViolation(problem, code=second_factor.CODE)
    device = getattr(user, "otp_device", None) if second_factor.verified(user) else None
    key = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        _revoke_live(user, where=where, now=now)
        token = ApiToken.objects.create(
            user=user,
            prefix=key[:8],
            digest=digest_of(key),
            created_at=now,
            expires_at=now + lifetime(),
            otp_device=device.persistent_id if isinstance(device, Device) else "",
        )
        audit.record_access(
            action=CREATED,
            label=LABELS[CREATED],
            actor=user,
            data={
                **(where or {}),
                "token": token.prefix,
                "expires_at": token.expires_at,
                **second_factor.audit_data(user),
            },
        )
    return token, key


def revoke(user: Person, *, where: dict[str, Any] | None = None) -> bool:
    """Revoke the person's live token; False when there was none."""
    with transaction.atomic():
        return _revoke_live(user, where=where, now=timezone.now())


def _revoke_live(user: Person, *, where: dict[str, Any] | None, now: datetime.datetime) -> bool:
    revoked = False
    for token in ApiToken.objects.select_for_update().filter(user_id=user.pk, revoked_at__isnull=True):
        token.revoked_at = now
        token.save(update_fields=["revoked_at"])
        audit.record_access(
            action=REVOKED, label=LABELS[REVOKED], actor=user, data={**(where or {}), "token": token.prefix}
        )
        revoked = True
    return revoked


def authenticate(key: str) -> tuple[Person, ApiToken]:
    """The person a key stands for, marked verified by the device its token remembers;
    RuleViolation (code "token") when the key does not authenticate."""
    invalid = RuleViolation(_("API令牌无效、已撤销或已过期，请在“API令牌”页面重新创建。"), code="token")
    if not key or len(key) > 100:
        raise invalid
    token = (
        ApiToken.objects.select_related("user", "user__organisation")
        .filter(digest=digest_of(key), revoked_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )
    if token is None or not token.user.is_active:
        raise invalid
    user: Person = token.user
    device = Device.from_persistent_id(token.otp_device) if token.otp_device else None
    lost = bool(token.otp_device) and (
        device is None or device.user_id != user.pk or not getattr(device, "confirmed", True)
    )
    if lost or (device is None and must_use_second_factor(user)):
        # The device that verified the token's session is gone (turned off, or reset by the
        # administrator: a lost phone), or the person must now use a second factor.
        raise RuleViolation(
            _(
                "本账号须使用双因素认证，此API令牌不是在通过双因素认证的登录中创建的（或验证器已更换）："
                "请通过双因素认证登录后，在“API令牌”页面重新创建。"
            ),
            code="token",
        )
    if device is not None:
        # As django-otp's OTPMiddleware does for a verified session (second_factor.verified).
        user.otp_device = device
        user.is_verified = lambda: True
    return user, token
