"""Reading a filing's layout from WeasyPrint's boxes: every line of text, where it sits, and
the element (title, table cell, signature …) it belongs to. Used by the tests of GB/T 9704
line-breaking (issue 11): no title line of one character, no table column so narrow that a
word stands one character per line or a number runs past its cell, the issuer and the 印发
date on one line, the signature never alone on its page."""

from __future__ import annotations

from dataclasses import dataclass

from weasyprint import HTML
from weasyprint.formatting_structure import boxes

from documents import pdf

PT_PER_PX = 0.75


@dataclass(frozen=True)
class Line:
    page: int
    text: str
    #: the nearest enclosing element that is a title, a table cell or a classed block
    tag: str
    classes: frozenset[str]
    #: the id of that element's box, so the lines of one cell or one title group together
    block: int
    #: every class of the element and its ancestors (".signature", ".body", ".printed" …)
    context: frozenset[str]
    x0: float
    x1: float
    #: the content box of the enclosing table cell, (left, right), or None
    cell: tuple[float, float] | None


def document(template: str, snapshot: dict):
    html = pdf.render_html(template, snapshot)
    return HTML(
        string=html, base_url=f"{pdf.static_root().as_uri()}/", url_fetcher=pdf._url_fetcher()
    ).render(font_config=pdf._fonts())


def _classes(box) -> frozenset[str]:
    element = getattr(box, "element", None)
    if element is None:
        return frozenset()
    return frozenset((element.get("class") or "").split())


def _texts(box):
    if isinstance(box, boxes.TextBox):
        yield box
    for child in getattr(box, "children", ()):
        yield from _texts(child)


def lines(doc) -> list[Line]:
    found: list[Line] = []

    def walk(box, page, owner, context, cell):
        tag = getattr(box, "element_tag", "")
        classes = _classes(box)
        if isinstance(box, boxes.TableCellBox):
            cell = (box.content_box_x(), box.content_box_x() + box.width)
            owner = box
        elif isinstance(box, boxes.BlockBox) and (tag in ("h1", "h2") or classes):
            owner = box
        context = context | classes
        if isinstance(box, boxes.LineBox):
            texts = list(_texts(box))
            text = "".join(t.text for t in texts)
            if text.strip():
                found.append(
                    Line(
                        page=page,
                        text=text.strip(),
                        tag=getattr(owner, "element_tag", ""),
                        classes=_classes(owner),
                        block=id(getattr(owner, "element", owner)),
                        context=frozenset(context),
                        x0=min(t.position_x for t in texts),
                        x1=max(t.position_x + t.width for t in texts),
                        cell=cell,
                    )
                )
            return
        for child in getattr(box, "children", ()):
            walk(child, page, owner, context, cell)

    for number, page in enumerate(doc.pages, 1):
        walk(page._page_box, number, None, frozenset(), None)
    return found


def _visible(text: str) -> int:
    return len([c for c in text if not c.isspace()])


def problems(doc) -> list[str]:
    """What a reader of the printed filing would object to, one sentence each."""
    found = lines(doc)
    result: list[str] = []
    by_block: dict[int, list[Line]] = {}
    for line in found:
        by_block.setdefault(line.block, []).append(line)
    for group in by_block.values():
        first = group[0]
        whole = "".join(line.text for line in group)
        if first.tag in ("h1",) or "title" in first.classes:
            for line in group:
                if len(group) > 1 and _visible(line.text) == 1:
                    result.append(f"标题一字成行：{whole}（第{line.page}页的“{line.text}”）")
        if first.cell is not None and _visible(whole) > 1:
            singles = [line.text for line in group if _visible(line.text) == 1]
            if len(singles) >= 1 and len(group) > 1 and _visible(whole) <= 12:
                result.append(f"表格单元格过窄，“{whole}”被拆成{len(group)}行")
            if "num" in first.classes and len(group) > 1:
                result.append(f"金额/数字“{whole}”在单元格内折行")
        for line in group:
            if line.cell is not None and line.x1 > line.cell[1] + 1.0:
                result.append(f"“{line.text}”超出单元格右边界 {line.x1 - line.cell[1]:.1f}px")
        if "printed" in first.context and len({line.block for line in group}) == 1 and len(group) > 1:
            result.append(f"印发机关与印发日期不在同一行：{' / '.join(line.text for line in group)}")
        if "inner" in first.classes and "signature" in first.context:
            pass
    # 7.3.5: the signature (发文机关署名 and 成文日期) is never alone on its page.
    signature = [line for line in found if "signature" in line.context]
    if signature:
        page = signature[0].page
        before = [line for line in found if line.page == page and "body" in line.context]
        if page > 1 and not before:
            result.append(f"落款（发文机关署名、成文日期）单独排在第{page}页")
    return result
