"""/api/v1/… and the schema at /api/schema/ (issue 12; docs/api.md)."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from . import views

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("v1/projects/", views.ProjectList.as_view(), name="projects"),
    path("v1/projects/<int:pk>/", views.ProjectDetail.as_view(), name="project"),
    path("v1/projects/<int:pk>/steps/", views.ProjectSteps.as_view(), name="project_steps"),
    path("v1/projects/<int:pk>/steps/<str:name>/", views.ProjectStep.as_view(), name="project_step"),
    path("v1/projects/<int:pk>/clocks/", views.ProjectClocks.as_view(), name="project_clocks"),
    path("v1/projects/<int:pk>/opinions/", views.ProjectOpinions.as_view(), name="project_opinions"),
    path("v1/projects/<int:pk>/changes/", views.ProjectChanges.as_view(), name="project_changes"),
    path("v1/projects/<int:pk>/materials/", views.ProjectMaterials.as_view(), name="project_materials"),
    path("v1/projects/<int:pk>/filings/", views.ProjectFilings.as_view(), name="project_filings"),
    path("v1/stages/", views.Stages.as_view(), name="stages"),
    path("v1/changes/<int:pk>/", views.ChangeDetail.as_view(), name="change"),
    path("v1/changes/<int:pk>/steps/<str:name>/", views.ChangeStep.as_view(), name="change_step"),
    path("v1/plans/<int:year>/steps/<str:name>/", views.PlanStep.as_view(), name="plan_step"),
    path("v1/materials/<int:pk>/download/", views.MaterialDownload.as_view(), name="material_download"),
    path("v1/filings/<int:pk>/download/", views.FilingDownload.as_view(), name="filing_download"),
    path("v1/progress/", views.ProgressList.as_view(), name="progress"),
    path("v1/progress/export/", views.ProgressExport.as_view(), name="progress_export"),
    path("v1/progress/<str:code>/", views.ProgressOne.as_view(), name="progress_one"),
]
