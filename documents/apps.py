from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = _("材料与文书")

    def ready(self):
        from . import signals  # noqa: F401
