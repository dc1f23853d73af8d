from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from api import web_views as api_web_views
from web import otp_views, views as web_views

from . import favicon

urlpatterns = [
    path("accounts/login/", web_views.login, name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Two-factor sign-in (TOTP, issue 9): enrolment and the second step (web/otp_views.py).
    path("accounts/otp/", otp_views.otp_setup, name="otp_setup"),
    path("accounts/otp/verify/", otp_views.otp_verify, name="otp_verify"),
    # Issue 12: a person's API token (api/web_views.py) and the API itself (api/urls.py).
    path("accounts/api-token/", api_web_views.api_token, name="api_token"),
    path("api/", include("api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("favicon.ico", favicon.favicon),  # issue 11 (config/favicon.py)
    path("admin/", admin.site.urls),
    path("documents/", include("documents.urls")),
    path("exports/", include("exports.urls")),
    path("", include("web.urls")),
]

# Friendly Chinese error pages that say why (config/errors.py, issue 7); 500 is Django's
# default handler rendering the self-contained templates/500.html.
handler400 = "config.errors.bad_request"
handler403 = "config.errors.permission_denied"
handler404 = "config.errors.page_not_found"
