"""Download names that say what was downloaded (issue 15): a filing carries its project's name
and its day, an export its title and day; the header follows RFC 6266 / RFC 5987 (an ASCII
``filename`` and the UTF-8 ``filename*``), whatever the project is called."""

from __future__ import annotations

import datetime
import re
from urllib.parse import unquote

from django.urls import reverse
from hypothesis import given, settings, strategies as st

from core import timeutil
from core.filenames import STEM_MAX, ascii_fallback, content_disposition, download_name
from documents.models import Filing
from projects.models import Project

from .test_filings import submit_all


def _name_of(header: str) -> str:
    m = re.search(r"filename\*=UTF-8''([^;]+)", header)
    assert m, header
    return unquote(m.group(1))


def test_a_name_carries_title_subject_and_day():
    day = datetime.date(2026, 11, 29)
    assert (
        download_name("政务信息化项目建设需求申报表", subject="全省教育督导信息平台", day=day, ext="pdf")
        == "政务信息化项目建设需求申报表_全省教育督导信息平台_2026-11-29.pdf"
    )
    # the plan's title already names what it is about
    assert download_name("2027年度计划表", subject="2027年度计划表", day=day, ext="xlsx") == (
        "2027年度计划表_2026-11-29.xlsx"
    )
    assert download_name('a/b:c*?"<>|', day=day, ext="csv") == "a_b_c_2026-11-29.csv"


def test_the_header_has_an_ascii_fallback_and_the_utf8_name():
    header = content_disposition("申报表_甲系统_2026-11-29.pdf")
    assert header.startswith('attachment; filename="download_2026-11-29.pdf"; ')
    assert _name_of(header) == "申报表_甲系统_2026-11-29.pdf"
    assert ascii_fallback("plan 2027.xlsx") == "plan_2027.xlsx"


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300), st.text(max_size=300), st.sampled_from(["pdf", "xlsx", "csv", "zip"]))
def test_any_title_gives_a_safe_name_and_a_header_of_ascii(title, subject, ext):
    name = download_name(title, subject=subject, day=datetime.date(2026, 11, 29), ext=ext)
    stem = name.rsplit(".", 1)[0]
    assert name.endswith("." + ext) and len(stem) <= STEM_MAX + 1
    assert not re.search(r'[\\/:*?"<>|\x00-\x1f\x7f]', name)
    assert "2026-11-29" in name
    header = content_disposition(name)
    header.encode("ascii")  # a header value browsers and proxies keep intact
    assert _name_of(header) == name


def test_each_application_form_downloads_under_its_projects_name(client, project, people):
    url = reverse("documents:filing_generate", args=[project.pk, "application_form"])
    client.force_login(people.owner_preparer)
    first = client.post(url, {"mode": "preview"})
    today = timeutil.today().isoformat()
    assert _name_of(first["Content-Disposition"]) == (
        f"政务信息化项目建设需求申报表（样稿）_全省教育督导信息平台_{today}.pdf"
    )
    Project.objects.filter(pk=project.pk).update(name="全省学前教育管理系统")
    second = client.post(url, {"mode": "preview"})
    assert "全省学前教育管理系统" in _name_of(second["Content-Disposition"])


def test_an_issued_filing_downloads_with_its_project_and_day(client, project, people):
    submit_all(project, people)
    client.force_login(people.owner_preparer)
    response = client.post(reverse("documents:filing_generate", args=[project.pk, "application_form"]))
    filing = Filing.objects.get(pk=response.json()["id"])
    download = client.get(reverse("documents:filing_download", args=[filing.pk]))
    day = filing.generated_at.astimezone(datetime.timezone(datetime.timedelta(hours=8))).date()
    assert _name_of(download["Content-Disposition"]) == (
        f"{filing.title}_全省教育督导信息平台_{day.isoformat()}.pdf"
    )


def test_an_export_downloads_with_its_title_and_day(client, project, people):
    client.force_login(people.owner_preparer)
    response = client.get(reverse("exports:ledger") + "?format=csv")
    name = _name_of(response["Content-Disposition"])
    assert name.endswith(f"_{timeutil.today().isoformat()}.csv") and "台账" in name
