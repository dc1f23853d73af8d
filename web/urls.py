"""The screens: the project pages (projects, calls, plans) and the step pages of the
lifecycle (steps, opinions, changes, calendar)."""

from django.urls import path

from . import (
    contract_views,
    draft_views,
    evaluation_views,
    job_views,
    notification_views,
    review_views,
    step_views,
    supervision_views,
    views,
)
from .aspect_views import aspect_review
from .delegation_views import delegation_change, delegation_end, delegations
from .emergency_views import emergency_review
from .stats_views import statistics_export, statistics_page

urlpatterns = [
    path("", views.home, name="home"),
    path("projects/", views.project_list, name="project_list"),
    path("projects/new/", views.application_new, name="application_new"),
    path("projects/<int:pk>/", views.project_detail, name="project"),
    path("projects/<int:pk>/application/", views.application_edit, name="application_edit"),
    path("projects/<int:pk>/records/", views.records_edit, name="records_edit"),
    # Issue 11: the department deletes its own draft (web/draft_views.py).
    path("projects/<int:pk>/delete/", draft_views.application_delete, name="application_delete"),
    path("calls/<int:year>/submit/", views.call_submit, name="call_submit"),
    path("calls/<int:year>/amend/", views.call_amend, name="call_amend"),
    path("plans/", views.plan_list, name="plan_list"),
    path("plans/open/", views.plan_open, name="plan_open"),
    path("plans/<int:year>/", views.plan_detail, name="plan"),
    path("plans/<int:year>/include/", views.plan_include, name="plan_include"),
    path("plans/<int:year>/exclude/<int:pk>/", views.plan_exclude, name="plan_exclude"),
    path("plans/<int:year>/concur/", views.plan_concur, name="plan_concur"),
    path("projects/<int:pk>/steps/<slug:name>/", step_views.project_step, name="project_step"),
    path("projects/<int:pk>/correct/<slug:field>/", step_views.project_correct, name="project_correct"),
    path("projects/<int:pk>/review/", step_views.joint_review, name="joint_review"),
    path("projects/<int:pk>/opinion/", step_views.opinion_new, name="opinion_new"),
    # 办法第十条: each agency's review page for its aspect (web/aspect_views.py).
    path("projects/<int:pk>/review/<slug:aspect>/", aspect_review, name="aspect_review"),
    # 办法第十二条: the emergency inclusion review page of 省营商环境局 and 省财政厅
    path("projects/<int:pk>/emergency-review/<slug:aspect>/", emergency_review, name="emergency_review"),
    # Issue 12 item 4: delegation (代办)
    path("delegations/", delegations, name="delegations"),
    path("delegations/<int:pk>/change/", delegation_change, name="delegation_change"),
    path("delegations/<int:pk>/end/", delegation_end, name="delegation_end"),
    path("projects/<int:pk>/changes/new/", step_views.change_new, name="change_new"),
    path("projects/<int:pk>/incident/", step_views.incident_new, name="incident_new"),
    path("projects/<int:pk>/rectification/", step_views.rectification_report, name="rectification_report"),
    path("projects/<int:pk>/performance/", step_views.performance_report_new, name="performance_report_new"),
    path("projects/<int:pk>/contracts/", contract_views.contract_new, name="contract_new"),
    path("projects/<int:pk>/targets/", evaluation_views.targets, name="evaluation_targets"),
    path("plans/<int:year>/steps/<slug:name>/", step_views.plan_step, name="plan_step"),
    path("changes/<int:pk>/", step_views.change_detail, name="change"),
    path("changes/<int:pk>/edit/", draft_views.change_edit, name="change_edit"),  # issue 11
    path("changes/<int:pk>/steps/<slug:name>/", step_views.change_step, name="change_step"),
    path("calendar/", step_views.calendar_admin, name="calendar_admin"),
    # long work in the background (issue 10, web/job_views.py)
    path("jobs/", job_views.job_list, name="job_list"),
    path("jobs/<uuid:pk>/", job_views.job_detail, name="job"),
    path("jobs/<uuid:pk>/download/", job_views.job_download, name="job_download"),
    # 办法第八、十三条 (issue 8, web/review_views.py)
    path("calls/", review_views.call_list, name="call_list"),
    path("calls/open/", review_views.call_open, name="call_open"),
    path("calls/<int:year>/extend/", review_views.call_extend, name="call_extend"),
    path("calls/<int:year>/close/", review_views.call_close, name="call_close"),
    path("projects/<int:pk>/participation/", review_views.participant_confirm, name="participant_confirm"),
    # 办法第三十四、三十六、三十九条: supervision (web/supervision_views.py).
    path("supervision/", supervision_views.supervision_home, name="supervision"),
    path("supervision/findings/new/", supervision_views.finding_new, name="finding_new"),
    path("supervision/findings/<int:pk>/", supervision_views.finding_detail, name="finding"),
    path("supervision/exceptions/new/", supervision_views.exception_new, name="connectivity_exception_new"),
    path(
        "supervision/exceptions/<int:pk>/", supervision_views.exception_detail, name="connectivity_exception"
    ),
    path("supervision/decisions/new/", supervision_views.decision_new, name="supervision_decision_new"),
    path("supervision/decisions/<int:pk>/", supervision_views.decision_detail, name="supervision_decision"),
    # Issue 12: inbox, notification settings, calendar feed (web/notification_views.py).
    path("notifications/", notification_views.inbox, name="notification_inbox"),
    path("notifications/<int:pk>/read/", notification_views.mark_read, name="notification_read"),
    path("notifications/read-all/", notification_views.mark_all_read, name="notification_read_all"),
    path("notifications/settings/", notification_views.settings_page, name="notification_settings"),
    path("notifications/settings/feed/", notification_views.feed_token, name="notification_feed_token"),
    path("calendar/feed/<str:token>.ics", notification_views.feed, name="calendar_feed"),
    # Issue 12 item 7: the bureau's statistics (web/stats_views.py, docs/statistics.md).
    path("statistics/", statistics_page, name="statistics"),
    path("statistics/export.xlsx", statistics_export, name="statistics_export"),
]
