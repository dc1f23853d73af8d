from django.urls import path

from . import views

urlpatterns = [
    path("projects/<int:pk>/steps/<slug:name>/", views.project_step, name="project_step"),
    path("projects/<int:pk>/correct/<slug:field>/", views.project_correct, name="project_correct"),
    path("projects/<int:pk>/review/", views.joint_review, name="joint_review"),
    path("projects/<int:pk>/opinion/", views.opinion_new, name="opinion_new"),
    path("projects/<int:pk>/changes/new/", views.change_new, name="change_new"),
    path("projects/<int:pk>/incident/", views.incident_new, name="incident_new"),
    path("projects/<int:pk>/rectification/", views.rectification_report, name="rectification_report"),
    path("projects/<int:pk>/performance/", views.performance_report_new, name="performance_report_new"),
    path("plans/<int:year>/steps/<slug:name>/", views.plan_step, name="plan_step"),
    path("changes/<int:pk>/", views.change_detail, name="change"),
    path("changes/<int:pk>/steps/<slug:name>/", views.change_step, name="change_step"),
    path("calendar/", views.calendar_admin, name="calendar_admin"),
]
