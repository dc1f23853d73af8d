from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """The bottom layer: vocabulary, money and date rules, formatting, tables and the clock
    every other app shares. It imports no other app of the project (docs/architecture.md)."""

    name = "core"
    verbose_name = _("共用词汇与规则")

    def ready(self) -> None:
        from . import lookups  # noqa: F401  # deferred: registers the ``__any_of`` lookup on a model field (AppConfig.ready)
