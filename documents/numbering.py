"""发文字号 per organisation and year: ``机关代字〔2026〕N号``, gap-free.

The number is taken from a counter row locked with SELECT … FOR UPDATE inside the
transaction that also renders and stores the filing. If anything fails, the transaction
rolls back and the number was never used; two concurrent generations of one organisation
wait for each other instead of taking the same or skipping a number. (SQLite locks the
whole database for the write, which gives the same result.)
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from lifecycle.errors import RuleViolation

from .models import DocumentCounter


def format_document_no(code: str, year: int, number: int) -> str:
    return f"{code}〔{year}〕{number}号"


def allocate(organisation, year: int) -> tuple[int, str]:
    """Take the next number of ``organisation`` for ``year``. Must run inside an atomic block
    that also stores the document carrying the number."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("发文字号必须在保存文书的同一事务中分配")
    code = (organisation.code or "").strip()
    if not code:
        raise RuleViolation(
            _("%(org)s尚未设置机关代字，不能生成发文字号。") % {"org": organisation}, code="code"
        )
    try:
        with transaction.atomic():
            DocumentCounter.objects.get_or_create(organisation=organisation, year=year)
    except IntegrityError:  # created concurrently by another transaction: fine, lock it below
        pass
    counter = DocumentCounter.objects.select_for_update().get(organisation=organisation, year=year)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return counter.last_number, format_document_no(code, year, counter.last_number)
