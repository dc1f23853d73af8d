"""Article references of the 办法 as people read them in each language (issue 11: English
pages read "Measures 第十条").

The code cites articles in Chinese ("第十条", "第十条第二款", "第十七条（一）", "第二十六、三十六条")
— in its guards, steps, clocks and audit rows — and the messages put them into sentences
("（办法%(article)s）" → English "(Measures %(article)s)"). ``english`` is the one place such a
reference is written in English: "Art. 10", "Art. 10(2)", "Art. 17(1)", "Arts. 26, 36";
``englished`` rewrites every reference of a text ("Measures 第十条" and "办法第十条" become
"Art. 10"); ``cite`` gives the reference in the active language (Chinese unchanged).
``config/articles.py`` applies ``englished`` to every English page, so a reference from a
message, a refusal, a history row or a filing's label reads the same way wherever it comes from.
"""

from __future__ import annotations

import re

from django.utils import translation

_DIGITS = {
    "〇": 0,
    "零": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_NUMERAL = "[〇零一二两三四五六七八九十百]+"


def number(numeral: str) -> int:
    """A Chinese numeral below 1000 ("十" 10, "二十三" 23, "四十五" 45, "一百零一" 101) as an int."""
    total, current = 0, 0
    for char in numeral:
        if char == "百":
            total += (current or 1) * 100
            current = 0
        elif char == "十":
            total += (current or 1) * 10
            current = 0
        elif char in _DIGITS:
            current = _DIGITS[char]
        else:
            raise ValueError(numeral)
    return total + current


# 第十条 · 第十条第二款 · 第十七条（一） · 第十条第二款第（三）项 · 第二十六、三十六条 ·
# 第十一条、第十二条 · 第十五至十九条 (the list and range forms cite whole articles).
_ITEM = rf"(?:[（(]({_NUMERAL})[）)]|第[（(]?({_NUMERAL})[）)]?项)"
_ONE = rf"第({_NUMERAL})条(?:第({_NUMERAL})款)?{_ITEM}?"
_MANY = rf"第{_NUMERAL}(?:(?:、|至)(?:第)?{_NUMERAL})+条|第{_NUMERAL}条(?:、第{_NUMERAL}条)+"
REFERENCE = re.compile(rf"(?:Measures |办法|本办法)?(?:({_MANY})|{_ONE})")


def _one(article: str, paragraph: str | None, item: str | None) -> str:
    text = f"Art. {number(article)}"
    if paragraph:
        text += f"({number(paragraph)})"
    if item:
        text += f"({number(item)})"
    return text


def _many(reference: str) -> str:
    body = reference.replace("条", "").replace("第", "")
    if "至" in body:
        first, last = body.split("至", 1)
        return f"Arts. {number(first)}–{number(last)}"
    return "Arts. " + ", ".join(str(number(part)) for part in body.split("、"))


def _replace(match: re.Match[str]) -> str:
    many, article, paragraph, item, item_word = match.groups()
    if many:
        return _many(many)
    return _one(article, paragraph, item or item_word)


def english(reference: str) -> str:
    """``reference`` ("第十条", "办法第十条第二款", …) in English ("Art. 10", "Art. 10(2)", …);
    a text that is no article reference comes back unchanged."""
    match = REFERENCE.fullmatch(reference.strip())
    return _replace(match) if match else reference


# Another law's article ("行政许可法第四十五条") is not the 办法's: left as it is.
_IN_TEXT = re.compile(rf"(?<![法例])(?:{REFERENCE.pattern})")


def englished(text: str) -> str:
    """``text`` with every reference to the 办法 written in English."""
    return _IN_TEXT.sub(_replace, text)


def cite(reference: str) -> str:
    """``reference`` in the active language: unchanged in Chinese, ``english`` otherwise."""
    language = translation.get_language() or ""
    return reference if language.startswith("zh") else english(reference)


def cite_measures(reference: str) -> str:
    """ "办法第十条" in Chinese, "Art. 10" in English (for places that print it alone)."""
    language = translation.get_language() or ""
    return f"办法{reference}" if language.startswith("zh") else english(reference)
