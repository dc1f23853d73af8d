"""Draws static/app/favicon.ico (16, 32 and 48 px PNG images in one ICO) from the shapes of
static/app/favicon.svg, with the standard library only (no image package on the intranet).

    python3 scripts/favicon.py static/app/favicon.ico [preview.png]
"""

from __future__ import annotations

import struct
import sys
import zlib

RED, WHITE, PINK = (0x8B, 0x1A, 0x1A), (255, 255, 255), (0xE9, 0xC7, 0xC7)
Colour = tuple[int, int, int]


def _in_rounded_square(x: float, y: float, r: float = 6) -> bool:
    if not (0 <= x <= 32 and 0 <= y <= 32):
        return False
    cx, cy = min(max(x, r), 32 - r), min(max(y, r), 32 - r)
    return (x - cx) ** 2 + (y - cy) ** 2 <= r * r


def colour(x: float, y: float) -> Colour | None:
    """The colour at (x, y) of the 32×32 drawing (as favicon.svg), or None outside it."""
    if not _in_rounded_square(x, y):
        return None
    lines = (12 <= x <= 21 and (13 <= y <= 15 or 17 <= y <= 19)) or (12 <= x <= 18 and 21 <= y <= 23)
    if lines:
        return RED
    if 19 <= x <= 24 and 5 <= y <= 10 and (x - 19) <= (y - 5):
        return PINK  # the folded corner
    if 9 <= x <= 24 and 5 <= y <= 27 and not (x > 19 and y < 5 + (x - 19)):
        return WHITE  # the sheet
    return RED


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


def png(size: int, samples: int = 4) -> bytes:
    """The drawing as a ``size``×``size`` RGBA PNG, each pixel averaged over samples²."""
    rows = []
    for py in range(size):
        row = bytearray([0])
        for px in range(size):
            red = green = blue = covered = 0
            for sy in range(samples):
                for sx in range(samples):
                    point = ((px + (sx + 0.5) / samples) * 32 / size, (py + (sy + 0.5) / samples) * 32 / size)
                    found = colour(*point)
                    if found:
                        red, green, blue, covered = (
                            red + found[0],
                            green + found[1],
                            blue + found[2],
                            covered + 1,
                        )
            if covered:
                row += bytes([red // covered, green // covered, blue // covered, 255 * covered // samples**2])
            else:
                row += bytes(4)
        rows.append(bytes(row))
    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
        + _chunk(b"IEND", b"")
    )


def ico(sizes: tuple[int, ...] = (16, 32, 48)) -> bytes:
    images = [png(size) for size in sizes]
    out = struct.pack("<HHH", 0, 1, len(images))
    offset = 6 + 16 * len(images)
    for size, image in zip(sizes, images, strict=True):
        out += struct.pack("<BBBBHHII", size % 256, size % 256, 0, 0, 1, 32, len(image), offset)
        offset += len(image)
    return out + b"".join(images)


if __name__ == "__main__":
    with open(sys.argv[1], "wb") as fh:
        fh.write(ico())
    if len(sys.argv) > 2:
        with open(sys.argv[2], "wb") as fh:
            fh.write(png(128))
