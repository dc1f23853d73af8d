"""The framework's form messages that the project's catalogue cannot word, worded in code
(issue 11: no framework default wording left on any form). Django's own messages that are
plain msgids are worded in the catalogue (web/wording.py keeps them); these are the ones a
formset builds itself — the management form's "ManagementForm 数据缺失或被篡改…" and the
inline rows' "内联值与父实例不匹配。" — so every formset of the site derives from these bases.
tests/web/test_guidance_wording_defaults.py renders every form with invalid input."""

from __future__ import annotations

from django.forms import BaseFormSet, BaseInlineFormSet
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

#: A page posted without its table's hidden counters (an old or tampered page).
FORMSET_MESSAGES: dict[str, StrOrPromise] = {
    "missing_management_form": _("页面提交的表格数据不完整，请刷新页面后重新填写。"),
}


class WordedFormSet(BaseFormSet):
    default_error_messages = FORMSET_MESSAGES


class WordedInlineFormSet(BaseInlineFormSet):
    default_error_messages = FORMSET_MESSAGES

    def add_fields(self, form, index):
        super().add_fields(form, index)
        # the hidden link of each row to its parent (Django's InlineForeignKeyField)
        link = form.fields.get(self.fk.name)
        if link is not None:
            link.error_messages["invalid_choice"] = _("该行不属于本项目，请刷新页面后重新填写。")
