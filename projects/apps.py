from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("项目与机构")

    def ready(self):
        # 办法第九、十条: keep the application as each submission and 补正 sends it.
        from . import versions  # noqa: F401  # deferred: connects its receiver; imports models (AppConfig.ready)

        # isort: split
        # Issue 12: notifications follow every step (lifecycle.events.step_taken).
        from . import notifications  # noqa: F401  # deferred: connects its receiver (AppConfig.ready)
