"""The second step of a sign-in (issue 9, 等保2.0 三级): a person who enrolled an authenticator
(lifecycle/second_factor.py) reaches no page but the code page, sign-out and the language
switch until the session is verified — the admin included. Installed after django-otp's
OTPMiddleware (config/settings.py)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.shortcuts import redirect
from django.urls import reverse

from lifecycle import second_factor

#: The pages an enrolled person may open before the second step.
OPEN = frozenset({"otp_verify", "logout", "set_language"})


class SecondStepMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or second_factor.verified(user):
            return None
        match = getattr(request, "resolver_match", None)
        if match is not None and match.view_name in OPEN:
            return None
        if not second_factor.enrolled(user):
            return None
        return redirect(f"{reverse('otp_verify')}?{urlencode({'next': request.get_full_path()})}")
