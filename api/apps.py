from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    """The REST API (issue 12): at the web layer, beside the pages, calling the same services."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "api"
    verbose_name = _("接口")

    def ready(self) -> None:
        # deferred: the registry's rule for AppConfig.ready() (schema extensions need the app loaded)
        from . import schema  # noqa: F401
