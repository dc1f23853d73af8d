from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _

from .sqlite_limits import use_the_connections_limit


class CoreConfig(AppConfig):
    """The bottom layer: vocabulary, money and date rules, formatting, tables and the clock
    every other app shares. It imports no other app of the project (docs/architecture.md)."""

    name = "core"
    verbose_name = _("共用词汇与规则")

    def ready(self) -> None:
        from . import lookups  # noqa: F401  # deferred: registers the ``__any_of`` lookup on a model field (AppConfig.ready)

        connection_created.connect(use_the_connections_limit, dispatch_uid="core.sqlite_limits")
