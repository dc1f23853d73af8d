"""The audit trail as a hash chain: each row carries a digest of its own content and of the row
before it, so a row changed, removed or slipped in underneath the application shows (issue 9).

``row_hash = SM3(prev_hash + canonical content)`` (SHA-256 where OpenSSL has no SM3; the value
names its algorithm: "sm3:…"). The content is every field of the row but its number, as sorted
JSON with the time in UTC to the microsecond, so the same row always gives the same bytes on
SQLite and PostgreSQL. Rows are linked in the order of their numbers, under a lock (PostgreSQL:
an advisory lock for the transaction; SQLite: every write transaction is IMMEDIATE, so writers
take turns anyway).

``verify()`` walks the trail and reports the first broken link: a row whose digest is not what
its content gives (changed), whose ``prev_hash`` is not the row before it (a row removed or
inserted), or whose time is earlier than the row before it (back-dated). ``manage.py
verify_audit`` runs it, prints the head of the chain for the log (an anchor kept outside the
database) and records the result as an audit row; docs/deploy.md runs it nightly.

A data migration that writes audit rows must link them too (``link_rows``), as
lifecycle/migrations/0010_audit_chain.py does for the rows written before the chain.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection

#: The fields of AuditEntry the digest covers (all but the row's number and the chain itself).
FIELDS = (
    "at",
    "actor_id",
    "actor_name",
    "organisation_id",
    "role",
    "project_id",
    "plan_id",
    "object_type",
    "object_id",
    "action",
    "action_label",
    "article",
    "from_state",
    "to_state",
    "reason",
    "override",
    "data",
)
#: A row may be written a little earlier than the one before it commits (two processes); a
#: row more than this much older than the row before it was back-dated.
CLOCK_TOLERANCE = datetime.timedelta(minutes=2)
LOCK_KEY = 0x6175646974  # "audit"


def _algorithm() -> str:
    try:
        hashlib.new("sm3")
    except ValueError:
        return "sha256"
    return "sm3"


ALGORITHM = _algorithm()


def canonical(row) -> bytes:
    values = {}
    for name in FIELDS:
        value = getattr(row, name)
        if isinstance(value, datetime.datetime):
            value = value.astimezone(datetime.UTC).isoformat(timespec="microseconds")
        values[name] = value
    return json.dumps(values, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def digest(prev_hash: str, row, algorithm: str = ALGORITHM) -> str:
    h = hashlib.new(algorithm)
    h.update(prev_hash.encode())
    h.update(canonical(row))
    return f"{algorithm}:{h.hexdigest()}"


def _lock() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


def _head(model) -> str:
    return model._base_manager.order_by("-pk").values_list("row_hash", flat=True).first() or ""


def link_rows(model, rows: Iterable) -> None:
    """Set ``prev_hash`` and ``row_hash`` of new (unsaved) ``rows``, in order, after the current
    head of the chain. Call inside the transaction that saves them."""
    _lock()
    prev = _head(model)
    for row in rows:
        row.prev_hash = prev
        row.row_hash = digest(prev, row)
        prev = row.row_hash


@dataclass(frozen=True)
class Verdict:
    rows: int
    head: str
    broken_at: int | None = None
    why: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def verify(model) -> Verdict:
    """Walk the whole trail in order; stop at the first broken link."""
    prev_hash, prev_at, count = "", None, 0
    for row in model._base_manager.order_by("pk").iterator(chunk_size=2000):
        count += 1
        algorithm = (row.row_hash or ALGORITHM).split(":", 1)[0]
        if row.prev_hash != prev_hash:
            return Verdict(count, prev_hash, row.pk, "与前一条记录不衔接（记录被删除、插入或改动了链）")
        if row.row_hash != digest(prev_hash, row, algorithm):
            return Verdict(count, prev_hash, row.pk, "记录内容与其摘要不符（记录被改动）")
        if prev_at is not None and row.at < prev_at - CLOCK_TOLERANCE:
            return Verdict(count, prev_hash, row.pk, "记录时间早于前一条记录（倒签）")
        prev_hash, prev_at = row.row_hash, row.at
    return Verdict(count, prev_hash)
