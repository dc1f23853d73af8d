from django.urls import path

from . import views

app_name = "exports"

urlpatterns = [
    path("plans/<int:year>/", views.plan, name="plan"),
    path("ledger/", views.ledger, name="ledger"),
    path("overdue/", views.overdue, name="overdue"),
    path("progress/", views.progress, name="progress"),
    path("joint-review-stats/", views.joint_review_stats, name="joint_review_stats"),
]
