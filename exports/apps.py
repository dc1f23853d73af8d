from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExportsConfig(AppConfig):
    name = "exports"
    verbose_name = _("报表导出")

    def ready(self):
        from . import jobs  # deferred: imports models, which the app registry loads first

        jobs.register()  # big exports in the background (projects/jobs.py)
