"""Issue 10: an annual plan's counts and sums, kept by the database (办法第十一条).

The plan page shows, for the whole plan, the number of projects and the total investment per
department, the projects per stage (the plan's execution) and the amounts per source of funds.
Summed afresh on every visit they cost the database ~6 ms at 10,000 projects (a join of 7,770
projects to their funding on PostgreSQL alone took 4 ms). These two tables hold the same
figures, kept by triggers of the database (migration ``projects/0024_plan_tallies``), so every
write that moves them — a service, the admin, a bulk update, a deletion, a raw statement —
moves them in the same statement and the same transaction:

- ``PlanTally``: per plan, department and stage, the number of projects and the sum of their
  total investment (``Project.total_investment_yuan``, empty counted as 0), in 分.
- ``PlanSourceTally``: per plan and source of funds, the number of funding lines of the plan's
  projects and the sum of their amounts, in 分.

A row whose count falls to 0 is deleted. Amounts are kept as whole 分 (the 办法's amounts have
two decimals, core.validation.MONEY): exact on every backend (SQLite would add its decimals as
binary floating point). Nothing in the application writes these tables; the tests
(tests/projects/test_plan_tallies.py) and the simulation compare them with the sums of the
rows after every change.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

#: 1 元 = 100 分.
FEN = Decimal(100)


def yuan(fen: int | None) -> Decimal:
    """A sum kept in 分, in 元 with two decimals."""
    return (Decimal(fen or 0) / FEN).quantize(Decimal("0.01"))


def _unconstrained(to: str) -> models.ForeignKey:
    # No constraint and no index of its own: the rows come and go with the counts (a row's
    # key is the unique constraint's prefix), and the plan or department is never deleted
    # while it has projects (PROTECT on Project).
    return models.ForeignKey(
        to, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )


class _Kept(models.Model):
    """Rows written only by the database's triggers: the application reads them."""

    plan = _unconstrained("projects.AnnualPlan")

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        raise TypeError(f"{type(self).__name__} is kept by the database's triggers")

    def delete(self, *args, **kwargs):
        raise TypeError(f"{type(self).__name__} is kept by the database's triggers")


class PlanTally(_Kept):
    owner = _unconstrained("projects.Organisation")
    state = models.CharField(_("阶段"), max_length=32)
    projects = models.IntegerField(_("项目数"))
    total_fen = models.BigIntegerField(_("总投资（分）"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["plan", "owner", "state"], name="plan_tally_key")]

    def __str__(self) -> str:
        return f"{self.plan_id} · {self.owner_id} · {self.state}: {self.projects}, {yuan(self.total_fen)}"


class PlanSourceTally(_Kept):
    source = models.CharField(_("资金来源"), max_length=16)
    lines = models.IntegerField(_("资金来源条数"))
    total_fen = models.BigIntegerField(_("金额（分）"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["plan", "source"], name="plan_source_tally_key")]

    def __str__(self) -> str:
        return f"{self.plan_id} · {self.source}: {self.lines}, {yuan(self.total_fen)}"
