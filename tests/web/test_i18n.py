"""zh-hans by default; English through the language switch, including state labels."""

from __future__ import annotations

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
    differing = {k: v for k, v in catalogue.items() if isinstance(k, str) and k and v != k}
    assert differing == {}
