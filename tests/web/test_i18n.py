"""zh-hans by default; English through the language switch, including state labels."""

from __future__ import annotations

import re

from django.urls import reverse


def test_pages_are_in_chinese_by_default(client, people, scene):
    client.force_login(people.bureau_head)
    body = client.get(reverse("project", args=[scene.reviewing.pk])).content.decode()
    assert "联合审核中" in body and "您现在可以办理" in body


def test_the_language_switch_turns_the_pages_into_english(client, people, scene):
    client.force_login(people.bureau_head)
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("home")})
    assert response.status_code == 302
    body = client.get(reverse("project", args=[scene.reviewing.pk])).content.decode()
    assert "In joint review" in body and "What you can do now" in body and "State diagram" in body
    assert "您现在可以办理" not in body
    body = client.get(reverse("home")).content.decode()
    assert "Applications to accept" in body and "Joint reviews (5 working days)" in body


def test_the_chinese_catalogue_has_every_message(settings):
    import re
    from pathlib import Path

    po = Path(settings.BASE_DIR, "locale/zh_Hans/LC_MESSAGES/django.po").read_text()
    empty = re.findall(r'msgid "(.+)"\nmsgstr ""\n\n', po)
    assert empty == []


def test_every_chinese_message_reads_as_written_in_the_code(settings):
    """The source strings are Chinese, so the zh_Hans catalogue only repeats them. A catalogue
    tool once joined the continuation lines of long messages twice, and every letter and
    refusal built from such a message said everything two times over."""
    import gettext
    from pathlib import Path

    from django.core.management import call_command

    locale = Path(settings.BASE_DIR, "locale/zh_Hans/LC_MESSAGES")
    call_command("compilemessages", locale=["zh_Hans"], verbosity=0)
    with (locale / "django.mo").open("rb") as fh:
        catalogue = gettext.GNUTranslations(fh)._catalog
    chinese = re.compile(r"[\u4e00-\u9fff]")
    differing = {k: v for k, v in catalogue.items() if isinstance(k, str) and chinese.search(k) and v != k}
    assert differing == {}
    # the framework's own English messages (web/wording.py) have Chinese wording of their own
    assert catalogue["Enter a number."] == "请填写数字。"


def test_the_framework_speaks_the_system_s_chinese(client, people):
    """No framework wording shows through (issue 11): not "确认总共不超过 16 个数字.", not
    "请至少提交 1 个表单", not "---------" in a drop-down."""
    from django import forms
    from django.utils import translation

    class Amount(forms.Form):
        amount = forms.DecimalField(max_digits=16, decimal_places=2)
        kind = forms.ChoiceField(choices=[("", "---------"), ("a", "甲")], required=False)

    Items = forms.formset_factory(Amount, min_num=1, validate_min=True, extra=0)
    with translation.override("zh-hans"):
        form = Amount({"amount": "1" * 20})
        assert form.errors["amount"] == ["数值过大：最多 16 位数字（含小数）。"]
        assert Amount({"amount": "1.234"}).errors["amount"] == ["最多保留 2 位小数。"]
        assert Amount({"amount": "x"}).errors["amount"] == ["请填写数字。"]
        assert Amount({}).errors["amount"] == ["此项必须填写。"]
        html = str(form["kind"])
        assert "---------" not in html and "（请选择）" in html
        formset = Items({"form-TOTAL_FORMS": "0", "form-INITIAL_FORMS": "0"})
        assert not formset.is_valid() and formset.non_form_errors() == ["请至少填写 1 项。"]
    with translation.override("en"):
        assert Amount({"amount": "x"}).errors["amount"] == ["Enter a number."]
        assert "(choose)" in str(Amount()["kind"])
