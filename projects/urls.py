from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("projects/", views.project_list, name="project_list"),
    path("projects/new/", views.application_new, name="application_new"),
    path("projects/<int:pk>/", views.project_detail, name="project"),
    path("projects/<int:pk>/application/", views.application_edit, name="application_edit"),
    path("projects/<int:pk>/records/", views.records_edit, name="records_edit"),
    path("calls/<int:year>/submit/", views.call_submit, name="call_submit"),
    path("calls/<int:year>/amend/", views.call_amend, name="call_amend"),
    path("plans/", views.plan_list, name="plan_list"),
    path("plans/open/", views.plan_open, name="plan_open"),
    path("plans/<int:year>/", views.plan_detail, name="plan"),
    path("plans/<int:year>/include/", views.plan_include, name="plan_include"),
    path("plans/<int:year>/exclude/<int:pk>/", views.plan_exclude, name="plan_exclude"),
    path("plans/<int:year>/concur/", views.plan_concur, name="plan_concur"),
]
