"""Password rules beyond Django's own (issue 9, 等保2.0 三级 identification): characters of
several kinds, and never the demo password outside the demo."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from . import demo


class CharacterClassesValidator:
    """At least three of: capital letters, small letters, digits, other characters (a
    Chinese character counts as another character)."""

    def __init__(self, classes: int = 3):
        self.classes = classes

    def validate(self, password, user=None):
        kinds = [
            any(c.isascii() and c.isupper() for c in password),
            any(c.isascii() and c.islower() for c in password),
            any(c.isdigit() for c in password),
            any(not (c.isascii() and c.isalnum()) for c in password),
        ]
        if sum(kinds) < self.classes:
            raise ValidationError(
                _("密码须至少包含大写字母、小写字母、数字、其他字符中的%(n)s类。") % {"n": self.classes},
                code="password_classes",
            )

    def get_help_text(self):
        return _("密码须至少包含大写字母、小写字母、数字、其他字符中的%(n)s类。") % {"n": self.classes}


class NotTheDemoPasswordValidator:
    """The demo accounts' password is printed in the README; outside the demo it is refused."""

    def validate(self, password, user=None):
        if password == demo.DEMO_PASSWORD and not getattr(settings, "DEMO_MODE", False):
            raise ValidationError(_("不能使用演示密码。"), code="password_demo")

    def get_help_text(self):
        return _("不能使用演示密码。")
