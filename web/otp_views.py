"""Two-factor sign-in pages (issue 9, 等保2.0 三级; lifecycle/second_factor.py holds the rules
and the audited services):

* ``otp_setup`` — the signed-in person's own page: enrol an authenticator app (a QR code drawn
  here as SVG, no outside service, and the key in text for manual entry; confirmed only by a
  correct code), see the one-time recovery codes once, or turn it off with a current code;
* ``otp_verify`` — the second step of a sign-in (web/otp_middleware.py sends an enrolled person
  here until it is passed).
"""

from __future__ import annotations

import base64
import io
from base64 import b32encode

import django_otp
import qrcode
import qrcode.image.svg
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _, gettext_lazy as _l
from django.views.decorators.cache import never_cache

from core.vocabulary import Role
from lifecycle import acting, second_factor

from .access_log import _where


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_l("动态验证码"),
        max_length=64,
        strip=True,
        help_text=_l("验证器应用（如 FreeOTP、Microsoft Authenticator）上当前显示的 6 位数字。"),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True, "size": 10}),
    )


class VerifyForm(TokenForm):
    token = forms.CharField(
        label=_l("动态验证码或恢复码"),
        max_length=64,
        strip=True,
        help_text=_l(
            "验证器上当前显示的 6 位数字；手机不在身边时，可输入一个未用过的 8 位恢复码（每个只能用一次）。"
        ),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True, "size": 12}),
    )


def _next(request, default: str = "home") -> str:
    """The page to go on to: a path of this site (``?next=``), else ``default`` (a URL name,
    reversed; "" for none)."""
    target = str(request.POST.get("next") or request.GET.get("next") or "")
    hosts = {request.get_host()}
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts=hosts, require_https=request.is_secure()
    ):
        return target
    return reverse(default) if default else ""


def _qr_data_uri(url: str) -> str:
    """The otpauth:// URL as a QR code: SVG drawn on this server (no style attributes, so the
    page's CSP holds), shown as a data: image."""
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _key_text(device) -> str:
    """The key in base32 (what the apps ask for), in groups of four for reading."""
    key = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


@never_cache
@login_required
def otp_setup(request):
    """GET: the state of the person's second factor, with the enrolment (QR code, key, code
    field) or the form to turn it off. POST ``action=confirm`` confirms the authenticator with
    a code and shows the recovery codes once; ``action=disable`` turns it off with a code."""
    user = request.user
    device = second_factor.confirmed_device(user)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    form = TokenForm(request.POST if action in ("confirm", "disable") else None)
    error, status = "", 200
    if action and form.is_valid():
        token = form.cleaned_data["token"]
        if action == "confirm" and device is None:
            outcome = second_factor.enrol_confirm(user, token, where=_where(request))
            if outcome.ok:
                request.session.cycle_key()
                django_otp.login(request, outcome.device)
                return render(
                    request,
                    "registration/_otp_codes.html",
                    {"codes": outcome.codes, "next": _next(request, "")},
                )
            error = outcome.message
        elif action == "disable" and device is not None:
            outcome = second_factor.disable(user, token, where=_where(request))
            if outcome.ok:
                messages.success(request, _("已停用双因素认证，验证器和恢复码均已作废。"))
                return redirect("otp_setup")
            error = outcome.message
        else:
            error = _("该操作现在不能办理，请刷新页面后重试。")
    elif action and not form.is_valid():
        status = 400
    elif request.method == "POST":
        error = _("该操作现在不能办理，请刷新页面后重试。")
    if error:
        status = 400
    context = {
        "form": form,
        "error": error,
        "device": device,
        "required": acting.holds(user, {Role.HEAD}) and second_factor.required_for_heads(),
        "next": _next(request, ""),
    }
    if device is None:
        pending = second_factor.pending_device(user)
        context.update({"qr": _qr_data_uri(pending.config_url), "key": _key_text(pending)})
    else:
        context["codes_left"] = second_factor.recovery_codes_left(user)
    return render(request, "registration/_otp_setup.html", context, status=status)


@never_cache
@login_required
def otp_verify(request):
    """The second step of a sign-in: a code of the authenticator (or a recovery code). Wrong
    codes are throttled (django-otp) and audited; the page says how long to wait."""
    user = request.user
    target = _next(request)
    if second_factor.verified(user) or not second_factor.enrolled(user):
        return HttpResponseRedirect(target)
    form = VerifyForm(request.POST if request.method == "POST" else None)
    error = ""
    if request.method == "POST" and form.is_valid():
        outcome = second_factor.verify(user, form.cleaned_data["token"], where=_where(request))
        if outcome.ok:
            request.session.cycle_key()
            django_otp.login(request, outcome.device)
            if outcome.device is not None and outcome.device.name == second_factor.RECOVERY_NAME:
                left = second_factor.recovery_codes_left(user)
                messages.warning(
                    request,
                    _(
                        "已使用一个恢复码，还剩 %(n)s 个。手机找回后请照常使用验证器；"
                        "恢复码用完前请联系管理员。"
                    )
                    % {"n": left},
                )
            return HttpResponseRedirect(target)
        error = outcome.message
    return render(
        request,
        "registration/_otp_verify.html",
        {"form": form, "error": error, "next": target if target != reverse("home") else ""},
        status=400 if error or form.errors else 200,
    )
