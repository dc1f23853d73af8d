from django.urls import path

from . import import_views, views

app_name = "documents"

urlpatterns = [
    path("projects/<int:project_id>/materials/upload/", views.material_upload, name="material_upload"),
    path(
        "projects/<int:project_id>/evidence/<slug:kind>/confirm/",
        views.evidence_confirm,
        name="evidence_confirm",
    ),
    path("materials/<int:pk>/download/", views.material_download, name="material_download"),
    path(
        "projects/<int:project_id>/filings/<slug:kind>/generate/",
        views.filing_generate,
        name="filing_generate",
    ),
    path("plans/<int:year>/filing/generate/", views.plan_filing_generate, name="plan_filing_generate"),
    path("projects/<int:project_id>/dossier/", views.dossier, name="dossier"),
    path("applications/template/", views.application_template, name="application_template"),
    path("applications/import/", import_views.application_import, name="application_import"),
    path("filings/<int:pk>/download/", views.filing_download, name="filing_download"),
]
