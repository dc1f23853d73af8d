from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = _("材料与文书")

    def ready(self):
        # Deferred to ready(): these modules import models, which the app registry must have
        # loaded first (Django's rule for AppConfig.ready).
        from lifecycle import evidence as evidence_port

        from . import evidence, registry, signals  # noqa: F401 - signals connects its receivers

        evidence_port.register(evidence_port.EvidenceSource(missing=evidence.evidence_missing,
                                                            present=registry.has_material))
