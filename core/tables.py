"""Tables as rows: the one description of a table that the workbook and CSV writers
(exports/base.py) and the PDF forms (documents/snapshots.py) all render.

A table names its columns (with an optional group, which makes a two-row header with merged
cells) and yields ``Row`` objects — data, subtotal or total. It imports nothing of the
project: the annual plan's rows (projects/plan.py) are built once and read by both.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Column:
    label: str
    kind: str = "text"  # text | money | int | date | pct
    width: float = 14
    group: str = ""  # a label over several adjacent columns (two-row header)


@dataclass(frozen=True)
class HeaderCell:
    label: str
    col: int  # 0-based
    row: int  # 0 or 1
    colspan: int = 1
    rowspan: int = 1


@dataclass
class Row:
    values: list
    style: str = ""  # "" | subtotal | total | section


@dataclass
class Exporter:
    title: str = ""
    unit: str = "单位：万元"
    columns: list[Column] = field(default_factory=list)

    def rows(self) -> Iterator[Row]:  # pragma: no cover - abstract
        raise NotImplementedError

    @property
    def header_depth(self) -> int:
        return 2 if any(c.group for c in self.columns) else 1

    def header_cells(self) -> list[list[HeaderCell]]:
        """Header rows: a grouped column sits under its group, an ungrouped one spans both rows."""
        if self.header_depth == 1:
            return [[HeaderCell(c.label, i, 0) for i, c in enumerate(self.columns)]]
        top, bottom, i = [], [], 0
        while i < len(self.columns):
            col = self.columns[i]
            if not col.group:
                top.append(HeaderCell(col.label, i, 0, rowspan=2))
                i += 1
                continue
            j = i
            while j < len(self.columns) and self.columns[j].group == col.group:
                bottom.append(HeaderCell(self.columns[j].label, j, 1))
                j += 1
            top.append(HeaderCell(col.group, i, 0, colspan=j - i))
            i = j
        return [top, bottom]

    def flat_labels(self) -> list[str]:
        return [f"{c.group}-{c.label}" if c.group else c.label for c in self.columns]
