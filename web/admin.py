"""The two-factor devices in the admin (issue 9, lifecycle/second_factor.py), replacing
django-otp's own admin pages: the administrator sees who enrolled and when, never a key or a
recovery code, adds or edits nothing, and *resets* a person's second factor (a lost phone) by
deleting the device — the person's authenticator and recovery codes go, and the reset is an
access row of the audit trail naming the administrator and the account."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from lifecycle import second_factor

from .access_log import _where

for model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


@admin.register(TOTPDevice)
class SecondFactorAdmin(admin.ModelAdmin):
    list_display = ("user", "confirmed", "created_at", "last_used_at", "throttling_failure_count")
    list_filter = ("confirmed",)
    search_fields = ("user__username", "user__full_name")
    fields = ("user", "name", "confirmed", "created_at", "last_used_at", "throttling_failure_count")
    readonly_fields = fields
    actions = ["reset_selected"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # a reset, audited, instead
        return actions

    @admin.action(description=_("重置所选人员的双因素认证（须重新绑定）"), permissions=["delete"])
    def reset_selected(self, request, queryset):
        users = {device.user for device in queryset.select_related("user")}
        for user in users:
            second_factor.reset(user, by=request.user, where=_where(request))
        self.message_user(request, _("已重置 %(n)s 人的双因素认证。") % {"n": len(users)})

    def delete_model(self, request, obj):
        second_factor.reset(obj.user, by=request.user, where=_where(request))

    def delete_queryset(self, request, queryset):
        self.reset_selected(request, queryset)
