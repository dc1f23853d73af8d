"""The sign-in form with the system's own wording (issue 11): Django's AuthenticationForm
says "请输入一个正确的用户名和密码。注意，两者都区分大小写。"; the page says it as written here."""

from __future__ import annotations

from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class SignInForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("用户名或密码不正确，请重新输入（区分大小写）。"),
        "inactive": _("该账号已停用，请联系本单位管理员。"),
    }
