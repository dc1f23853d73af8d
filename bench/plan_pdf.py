#!/usr/bin/env python
"""The annual-plan PDF as a background job at provincial scale (issue 10). Not a test.

On a generated province (``manage.py generate_province``; DATABASE_URL and DOCUMENTS_ROOT name
it, production settings as bench/run.py sets them), for the plan with the most projects:

1. the bureau's 审核人 asks for it on the plan page (the real view, through the test client,
   with the database queue): the time until the page answers;
2. ``manage.py db_worker --batch`` in another process runs the job: its wall time, and the
   peak memory of the worker and its rendering processes together (their proportional set
   sizes, sampled from /proc every 0.2 s; the job's CPU time beside its wall time);
3. the file: pages, size, and that its last page carries the plan's grand total.

    DATABASE_URL=sqlite:////tmp/p10k.sqlite3 DOCUMENTS_ROOT=… .venv/bin/python bench/plan_pdf.py
"""

from __future__ import annotations

import io
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def _tree_rss_kb(pid: int) -> int:
    """Memory of ``pid`` and all its descendants, in kB: the sum of their proportional set
    sizes (Pss, /proc/<pid>/smaps_rollup), so the pages a forked child still shares with its
    parent count once, not once per process as a sum of resident sizes would."""
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        try:
            with open(f"/proc/{p}/smaps_rollup") as fh:
                total += next((int(line.split()[1]) for line in fh if line.startswith("Pss:")), 0)
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    stack.extend(int(c) for c in fh.read().split())
        except (FileNotFoundError, ProcessLookupError, ValueError):
            continue
    return total


def main() -> int:
    import django

    django.setup()
    from django.conf import settings
    from django.db.models import Count
    from django.test import Client
    from django.urls import reverse

    from core.states import PlanState
    from documents import storage
    from documents.models import Filing
    from projects.models import AnnualPlan, Job, User

    plan = AnnualPlan.objects.annotate(n=Count("projects")).order_by("-n").first()
    user = User.objects.filter(organisation__kind="bureau", role="reviewer", is_active=True).first()
    mode = "preview" if plan.state in (PlanState.COMPILING, PlanState.SUBMITTED) else "issue"
    client = Client()
    client.force_login(user)
    # A served process has loaded its middleware and templates: warm this one the same way.
    client.get(reverse("plan", args=[plan.year]))
    started = time.perf_counter()
    response = client.post(reverse("documents:plan_filing_generate", args=[plan.year]), {"mode": mode})
    answered = time.perf_counter() - started
    job = Job.objects.order_by("-created_at").first()
    print(
        f"plan {plan.year}: {plan.n} projects, {mode};"
        f" the page answered {response.status_code} in {answered:.3f} s"
    )

    env = dict(os.environ)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    worker = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "manage.py"),
            "db_worker",
            "--batch",
            "--no-startup-delay",
            "--no-reload",
            "-v0",
        ],
        env=env,
    )
    peak, t0 = 0, time.perf_counter()
    while worker.poll() is None:
        peak = max(peak, _tree_rss_kb(worker.pid))
        time.sleep(0.2)
    took = time.perf_counter() - t0
    # CPU time of the worker and the processes it forked (reaped by it, so counted in ours):
    # on a machine shared with other work, what the job cost apart from the wait for a core.
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    job.refresh_from_db()
    result = {
        "projects": plan.n,
        "mode": mode,
        "request_s": round(answered, 3),
        "task_s": round(took, 1),
        "task_cpu_s": round(cpu, 1),
        "load_average": os.getloadavg(),
        "peak_pss_mb": round(peak / 1024),
        "part_rows": settings.PDF_PART_ROWS,
        "status": job.status,
        "error": job.error,
    }
    if job.status == Job.Status.DONE:
        import pikepdf
        from pypdf import PdfReader

        key = job.storage_key or Filing.objects.get(pk=job.filing_id).storage_key
        with storage.open_file(key) as fh:
            data = fh.read()
        with pikepdf.open(io.BytesIO(data)) as pdf:
            result["pages"] = len(pdf.pages)
        last = PdfReader(io.BytesIO(data)).pages[-1].extract_text()
        result["size_mb"] = round(len(data) / 1048576, 1)
        result["last_page_has_grand_total"] = f"合计（{plan.n}个项目）" in "".join(last.split())
        result["last_page_number"] = f"第{result['pages']}页共{result['pages']}页" in "".join(last.split())
    print(json.dumps(result, ensure_ascii=False))
    return 0 if job.status == Job.Status.DONE else 1


if __name__ == "__main__":
    sys.exit(main())
