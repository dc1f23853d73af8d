from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = _("材料与文书")

    def ready(self):
        # deferred: these modules import models, which the app registry loads first (Django's
        # rule for AppConfig.ready); signals connects its receivers on import.
        from lifecycle import evidence as evidence_port  # deferred: see above

        from . import evidence, jobs, registry, signals  # noqa: F401  # deferred: see above

        evidence_port.register(
            evidence_port.EvidenceSource(missing=evidence.evidence_missing, present=registry.has_material)
        )
        jobs.register()  # the plan PDF and dossier in the background (projects/jobs.py)
