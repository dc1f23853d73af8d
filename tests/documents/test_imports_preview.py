"""The import as people fill it (issue 15): numbers written as people write them, a preview of
every row's status before anything is written, and the valid rows imported as drafts while the
bad ones are listed — on a realistic list of 60 items."""

from __future__ import annotations

import hashlib
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from documents import import_views, storage
from documents.imports import PROJECT_SHEET, applications_import, import_preview, project_columns
from lifecycle.models import AuditEntry
from projects.models import Project

from .import_list import items
from .test_imports import filled, project_row, resource_row

TOTAL = "项目总投资（万元）"
YEARLY = "年度投资（万元）"
FUNDING = "资金来源（万元）"


#: 建设性质 as a preparer writes it in the template (issue 15 item 1), chosen from the title the
#: way a department would: the spelling → the type it means (the choices' values).
NATURE_AS_WRITTEN = {
    "运维": ("运行维护", "operation"),
    "购买": ("政府购买服务", "service"),
    "升级": ("升级改造", "upgrade"),
    "扩容": ("扩建", "upgrade"),
    "二期": ("续建", "continued"),
}


def nature_of(title: str) -> tuple[str, str]:
    """(建设性质 as typed, its value): empty (新建) unless the title says otherwise."""
    return next((v for word, v in NATURE_AS_WRITTEN.items() if word in title), ("", "new"))


def sixty_items(name="2027年度项目清单.xlsx") -> SimpleUploadedFile:
    rows, resources = [], []
    nature_header = next(c.header for c in project_columns() if c.field == "nature")
    for title, total, yearly, expected, _status, _column, _message in items():
        funding = f"省级财政资金:{expected / 10000}" if expected is not None else "省级财政资金:800"
        rows.append(
            project_row(
                title,
                **{
                    TOTAL: total,
                    YEARLY: yearly,
                    FUNDING: funding,
                    "计划开工日期": "2027年1月1日",
                    "建设工期（月）": "24个月",
                    nature_header: nature_of(title)[0],
                },
            )
        )
        resources.append(resource_row(title))
    return filled(rows, resources, name=name)


def _preview(orgs, people, call, upload):
    return import_preview(upload, call=call, organisation=orgs["owner"], actor=people.owner_preparer)


def test_the_preview_of_sixty_items_gives_each_row_its_status_and_writes_nothing(orgs, people, call_2026):
    preview = _preview(orgs, people, call_2026, sixty_items())

    assert preview.errors == []
    assert len(preview.rows) == 60
    expected = items()
    for row, (title, total, _yearly, yuan, status, column, message) in zip(
        preview.rows, expected, strict=True
    ):
        assert row.name == title
        assert row.status == status, (title, total, [str(e) for e in row.errors], row.warnings)
        if status == "error":
            # The message names the row, the column and the form expected.
            texts = [str(e) for e in row.errors]
            assert any(t.startswith(f"第{row.number}行「{column}」") and message in t for t in texts), texts
        else:
            assert row.total_yuan == yuan, title
    assert len(preview.valid_rows) == 52 and len(preview.bad_rows) == 8
    assert not Project.objects.exists()
    assert not AuditEntry.objects.filter(action="project.imported").exists()


def test_amounts_written_in_another_unit_are_converted_exactly_and_flagged(orgs, people, call_2026):
    preview = _preview(orgs, people, call_2026, sixty_items())
    by_name = {r.name: r for r in preview.rows}
    purchase = by_name["省社会信用信息共享平台升级"]
    assert purchase.total_yuan == Decimal("250000000.00")
    assert any("“2.5亿元”已按25,000.00万元导入，请核对单位" in w for w in purchase.warnings), (
        purchase.warnings
    )
    hotline = by_name["全省12345政务服务便民热线系统"]
    assert hotline.total_yuan == Decimal("3983835.00")
    assert any("“3,983,835元”已按398.3835万元导入" in w for w in hotline.warnings), hotline.warnings
    cloud = by_name["黑龙江省政务云服务购买（2027年度）"]
    assert (cloud.status, cloud.total_yuan) == ("ok", Decimal("398383500.00"))
    assert cloud.data["yearly"] == {2027: Decimal("398383500.00")}


def test_the_valid_rows_are_imported_as_drafts_and_the_bad_ones_listed(orgs, people, call_2026):
    result = applications_import(
        sixty_items(), call=call_2026, organisation=orgs["owner"], actor=people.owner_preparer, partial=True
    )
    assert result.ok
    assert len(result.projects) == 52
    assert sorted(r.name for r in result.skipped) == sorted(
        t for t, *_rest, s, _c, _m in items() if s == "error"
    )
    assert set(Project.objects.values_list("state", flat=True)) == {"draft"}
    # 建设性质 as typed: all five types among the imported drafts, each read as the title means.
    natures = dict(Project.objects.values_list("name", "nature"))
    assert natures == {p.name: nature_of(p.name)[1] for p in result.projects}
    assert set(natures.values()) == {"new", "continued", "upgrade", "operation", "service"}
    upgrade = Project.objects.get(name="省一体化政务服务平台升级改造")
    assert upgrade.total_investment_yuan == Decimal("2742462000.00")
    assert [(y.year, y.amount_yuan) for y in upgrade.yearly_investments.order_by("year")] == [
        (2027, Decimal("1371231000.00")),
        (2028, Decimal("1371231000.00")),
    ]
    entries = AuditEntry.objects.filter(action="project.imported")
    assert entries.count() == 52
    assert all(e.actor == people.owner_preparer and e.to_state == "draft" for e in entries)
    assert sorted(entries.first().data["rows_not_imported"]) == sorted(r.number for r in result.skipped)


def test_without_partial_a_file_with_bad_rows_still_creates_nothing(orgs, people, call_2026):
    result = applications_import(
        sixty_items(), call=call_2026, organisation=orgs["owner"], actor=people.owner_preparer
    )
    assert not result.ok and len(result.errors) >= 8
    assert not Project.objects.exists()


# ---------------------------------------------------------------- the page


def test_the_page_previews_then_imports_the_valid_rows(client, orgs, people, call_2026):
    client.force_login(people.owner_preparer)
    url = reverse("documents:application_import")
    page = client.post(url, {"step": "preview", "call": call_2026.pk, "file": sixty_items()})
    assert page.status_code == 200
    html = page.content.decode()
    assert "可导入52行，有误8行" in html and "尚未导入任何项目" in html
    assert "第56行「项目总投资（万元）」：应填写金额（万元），如 1,234.56 或 1234.56万元；收到“待定”" in html
    assert not Project.objects.exists()
    digest = page.context["preview"].file_sha

    done = client.post(url, {"step": "confirm", "digest": digest})
    assert done.status_code == 200
    assert "已导入52个项目，均为草稿，尚未提交" in done.content.decode()
    assert Project.objects.filter(owner=orgs["owner"], state="draft").count() == 52
    # The kept file is gone and the preview cannot be confirmed twice.
    assert import_views.SESSION_KEY not in client.session
    again = client.post(url, {"step": "confirm", "digest": digest})
    assert again.status_code == 400 and Project.objects.count() == 52


def test_the_confirm_reads_the_kept_file_again_never_posted_rows(client, orgs, people, call_2026):
    client.force_login(people.owner_preparer)
    url = reverse("documents:application_import")
    upload = filled([project_row("甲系统")], [resource_row("甲系统")])
    page = client.post(url, {"step": "preview", "call": call_2026.pk, "file": upload})
    digest = page.context["preview"].file_sha
    response = client.post(
        url, {"step": "confirm", "digest": digest, "name": "乙系统", TOTAL: "999999", "call": 12345}
    )
    assert response.status_code == 200
    assert list(Project.objects.values_list("name", "total_investment_yuan")) == [
        ("甲系统", Decimal("5000000.00"))
    ]


def test_a_digest_not_from_ones_own_preview_is_refused(client, orgs, people, call_2026):
    url = reverse("documents:application_import")
    client.force_login(people.owner_preparer)
    upload = filled([project_row("甲系统")], [resource_row("甲系统")])
    digest = (
        client.post(url, {"step": "preview", "call": call_2026.pk, "file": upload})
        .context["preview"]
        .file_sha
    )
    # A colleague who knows the digest has no preview of it in their session.
    client.force_login(people.owner_head)
    assert client.post(url, {"step": "confirm", "digest": digest}).status_code == 400
    assert client.post(url, {"step": "confirm", "digest": "0" * 64}).status_code == 400
    assert not Project.objects.exists()


def test_a_kept_file_changed_in_storage_is_not_imported(client, orgs, people, call_2026):
    url = reverse("documents:application_import")
    client.force_login(people.owner_preparer)
    upload = filled([project_row("甲系统")], [resource_row("甲系统")])
    digest = (
        client.post(url, {"step": "preview", "call": call_2026.pk, "file": upload})
        .context["preview"]
        .file_sha
    )
    key = client.session[import_views.SESSION_KEY]["key"]
    storage.delete(key)
    storage.save_bytes(key, b"PK other bytes")
    assert hashlib.sha256(b"PK other bytes").hexdigest() != digest
    assert client.post(url, {"step": "confirm", "digest": digest}).status_code == 400
    assert not Project.objects.exists()


def test_another_role_gets_the_refusal_on_the_preview(client, orgs, people, call_2026):
    client.force_login(people.bureau_head)
    upload = filled([project_row("甲系统")], [resource_row("甲系统")])
    response = client.post(
        reverse("documents:application_import"), {"step": "preview", "call": call_2026.pk, "file": upload}
    )
    assert response.status_code == 403
    assert "只有项目建设单位的经办人或负责人" in response.content.decode()


def test_a_file_with_only_bad_rows_offers_no_import(client, orgs, people, call_2026):
    client.force_login(people.owner_preparer)
    upload = filled([project_row("甲系统", **{TOTAL: "abc"})], [resource_row("甲系统")])
    page = client.post(
        reverse("documents:application_import"), {"step": "preview", "call": call_2026.pk, "file": upload}
    )
    html = page.content.decode()
    assert "没有可导入的行" in html and 'name="digest"' not in html
    assert import_views.SESSION_KEY not in client.session
    assert PROJECT_SHEET
