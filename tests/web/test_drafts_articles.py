"""Issue 11, "English: article references stay 'Measures 第十条'": in English every reference
to the 办法 reads "Art. 10", "Art. 10(2)", "Art. 17(1)" (core/articles.py), on every page
(config/articles.py); Chinese pages are unchanged."""

from __future__ import annotations

from django.test import override_settings
from django.urls import reverse
from django.utils import translation
from hypothesis import given, strategies as st

from core.articles import cite, cite_measures, english, englished
from lifecycle import services

DIGITS = "零一二三四五六七八九"


def chinese(n: int) -> str:
    """1–99 the way the 办法 numbers its articles (written here independently of the code)."""
    tens, ones = divmod(n, 10)
    if tens == 0:
        return DIGITS[ones]
    return ("" if tens == 1 else DIGITS[tens]) + "十" + (DIGITS[ones] if ones else "")


ARTICLE = st.integers(min_value=1, max_value=45)
SMALL = st.integers(min_value=1, max_value=9)


def test_the_numerals_of_the_test_read_as_the_measures_write_them():
    assert [chinese(n) for n in (1, 10, 11, 20, 23, 45)] == ["一", "十", "十一", "二十", "二十三", "四十五"]


@given(ARTICLE)
def test_an_article(n):
    assert english(f"第{chinese(n)}条") == f"Art. {n}"
    assert english(f"办法第{chinese(n)}条") == f"Art. {n}"


@given(ARTICLE, SMALL)
def test_an_article_and_its_paragraph(n, k):
    assert english(f"第{chinese(n)}条第{chinese(k)}款") == f"Art. {n}({k})"


@given(ARTICLE, SMALL)
def test_an_article_and_its_item(n, k):
    assert english(f"第{chinese(n)}条（{chinese(k)}）") == f"Art. {n}({k})"


@given(ARTICLE, ARTICLE)
def test_two_articles(n, m):
    assert english(f"第{chinese(n)}、{chinese(m)}条") == f"Arts. {n}, {m}"
    assert english(f"第{chinese(n)}条、第{chinese(m)}条") == f"Arts. {n}, {m}"


@given(ARTICLE, st.text(alphabet="ab ()。（", max_size=10))
def test_in_an_english_sentence_measures_and_the_chinese_reference_are_gone(n, around):
    text = f"{around}(Measures 第{chinese(n)}条).{around}"
    assert englished(text) == f"{around}(Art. {n}).{around}"


def test_another_laws_article_is_left_alone():
    assert englished("参照行政许可法第四十五条") == "参照行政许可法第四十五条"


def test_cite_follows_the_language():
    with translation.override("zh-hans"):
        assert (cite("第十条"), cite_measures("第十条")) == ("第十条", "办法第十条")
    with translation.override("en"):
        assert (cite("第十条"), cite_measures("第十条")) == ("Art. 10", "Art. 10")


def _refused_page(client, people, scene, language):
    """The bureau head opens 联合审核通过 on a project without its three opinions: the step is
    blocked by a rule of 办法第十条, said on the page with its article."""
    client.force_login(people.bureau_head)
    client.cookies["django_language"] = language
    return client.get(reverse("project_step", args=[scene.reviewing.pk, "pass_review"])).content.decode()


@override_settings(LANGUAGE_COOKIE_NAME="django_language")
def test_an_english_page_cites_art_10_and_never_measures_in_chinese(client, people, scene):
    assert services.refusal(scene.reviewing, "pass_review", people.bureau_head)
    body = _refused_page(client, people, scene, "en")
    assert "Art. 10" in body
    assert "Measures 第" not in body and "第十条" not in body


@override_settings(LANGUAGE_COOKIE_NAME="django_language")
def test_a_chinese_page_is_unchanged(client, people, scene):
    body = _refused_page(client, people, scene, "zh-hans")
    assert "办法第十条" in body and "Art. 10" not in body


@override_settings(LANGUAGE_COOKIE_NAME="django_language")
def test_what_a_person_typed_is_not_rewritten_on_an_english_page(client, people, scene):
    scene.draft.basis_and_necessity = "依据办法第九条编制。"
    scene.draft.save()
    client.force_login(people.owner_preparer)
    client.cookies["django_language"] = "en"
    body = client.get(reverse("application_edit", args=[scene.draft.pk])).content.decode()
    assert "依据办法第九条编制。" in body
