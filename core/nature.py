"""建设性质 (issue 15): the kind of an application, as published annual-plan tables show it.

The 办法 distinguishes 建设投资 from 运行维护经费 (第十六、三十四、三十八条) and names the
kinds of construction it approves (第十五条 "新建", 第十七条（一）"部分扩建、改建（升级改造）",
第三十四条 "新建、改建、扩建"); the annual plans of the provinces list each item as 新建, 续建,
扩建（升级改造）, 运维 or 购买服务. Which path each kind follows is set in lifecycle/policy.py
(``Policy.service_path_natures`` …) with the reasoning beside it; docs/project-types.md.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProjectNature(models.TextChoices):
    """建设性质 of an application. Slugs are stable English keys; labels are translated."""

    NEW = "new", _("新建")
    CONTINUED = "continued", _("续建")
    UPGRADE = "upgrade", _("扩建·升级改造")
    OPERATION = "operation", _("运维")
    SERVICE = "service", _("购买服务")
