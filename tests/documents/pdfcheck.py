"""Reading a generated PDF back: text, page geometry, fonts."""

from __future__ import annotations

import io

import pypdf

MM = 72 / 25.4


def reader(data: bytes) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(data))


def text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in reader(data).pages)


def page_texts(data: bytes) -> list[str]:
    return [page.extract_text() for page in reader(data).pages]


def sizes_mm(data: bytes) -> list[tuple[float, float]]:
    return [
        (round(float(p.mediabox.width) / MM, 1), round(float(p.mediabox.height) / MM, 1))
        for p in reader(data).pages
    ]


def text_positions(page) -> list[tuple[float, float, str]]:
    """(x, y) in mm from the top-left corner of the page, for every piece of text shown."""
    height = float(page.mediabox.height)
    found = []

    def visit(t, cm, tm, font, size):
        if t.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            found.append((x / MM, (height - y) / MM, t))

    page.extract_text(visitor_text=visit)
    return found


def unembedded_fonts(data: bytes) -> list[str]:
    """Names of fonts used on any page that are not embedded in the file."""
    missing = []
    for page in reader(data).pages:
        fonts = page["/Resources"].get("/Font", {})
        for ref in fonts.values():
            font = ref.get_object()
            targets = [d.get_object() for d in font.get("/DescendantFonts", [])] or [font]
            for target in targets:
                desc = target.get("/FontDescriptor")
                desc = desc.get_object() if desc else {}
                if not any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                    missing.append(str(font.get("/BaseFont")))
    return missing


def font_names(data: bytes) -> set[str]:
    names = set()
    for page in reader(data).pages:
        for ref in page["/Resources"].get("/Font", {}).values():
            names.add(str(ref.get_object().get("/BaseFont")))
    return names
