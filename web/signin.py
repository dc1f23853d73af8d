"""The sign-in form with the system's own wording (issue 11): Django's AuthenticationForm
says "请输入一个正确的用户名和密码。注意，两者都区分大小写。"; the page says it as written here."""

from __future__ import annotations

from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _


class SignInForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("用户名或密码不正确，请重新输入（区分大小写）。"),
        "inactive": _("该账号已停用，请联系本单位管理员。"),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        # AuthenticationForm sets the username's max_length after the field is built, so it
        # is not checked on the server: a 3,000-character name reached authenticate() and the
        # lock-out record (django-axes, varchar 255) — a 500 on PostgreSQL. Checked here, a
        # name longer than any account's is refused like a wrong one, before authenticate().
        field = self.fields["username"]
        field.validators.append(
            MaxLengthValidator(field.max_length or 150, message=self.error_messages["invalid_login"])
        )
