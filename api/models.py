"""A person's API token (issue 12): only the SHA-256 digest of the key is stored; the key is
shown once, when it is created on the settings page (api/web_views.py). Created and revoked
through api/tokens.py, which writes the audit rows."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("人员"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    #: The first characters of the key, to tell tokens apart on the page and in the audit trail.
    prefix = models.CharField(_("令牌前缀"), max_length=8)
    digest = models.CharField(_("令牌摘要"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("创建时间"))
    expires_at = models.DateTimeField(_("失效时间"))
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    #: The django-otp device that verified the session the token was created in
    #: (``Device.persistent_id``), empty when the session was not verified by a second factor.
    otp_device = models.CharField(_("创建时的双因素认证设备"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("API令牌")
        verbose_name_plural = _("API令牌")
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=models.Q(revoked_at__isnull=True), name="one_live_api_token"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.prefix}…"
