#!/usr/bin/env python
"""Render one letter (初步设计方案批复) and one form (建设需求申报表) to PDF in a throwaway
database, for `make render-samples` (which turns them into PNGs with pdftoppm)."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_documents import build, setup

out = Path(sys.argv[1] if len(sys.argv) > 1 else "test-artifacts/samples")
out.mkdir(parents=True, exist_ok=True)
with tempfile.TemporaryDirectory() as tmp:
    db = Path(tmp) / "samples.sqlite3"
    build(db)
    setup(db)
    from documents import pdf, snapshots
    from projects.models import Organisation, Project

    project = Project.objects.order_by("pk").first()
    bureau = Organisation.objects.get(kind="bureau")
    letter = {**snapshots.design_approval(project, issuer=bureau), "document_no": "黑营商〔2026〕1号"}
    for name, snap in (("letter", letter), ("form", snapshots.application_form(project))):
        data, pages = pdf.render(snap["template"], snap)
        (out / f"{name}.pdf").write_bytes(data)
        print(f"{out / name}.pdf: {pages} pages")
