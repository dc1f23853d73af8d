from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    """The top layer: the pages (views, URLs), the demo data and the scenario walker. It may
    import every app below it; none of them imports it (docs/architecture.md)."""

    name = "web"
    verbose_name = _("页面")

    def ready(self) -> None:
        # deferred: registering the system checks and the signal receivers needs the app registry ready
        from . import access_log, checks  # noqa: F401
