"""The sign-in backend: Django's ModelBackend, whose ``get_user`` (once per request, for the
session's person) also loads the person's organisation in the same query. Nearly every page
reads ``request.user.organisation`` (what the person may see, their queues, their header):
that was one more query on every page (issue 10)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class PersonBackend(ModelBackend):
    def get_user(self, user_id):
        User = get_user_model()
        try:
            user = User._default_manager.select_related("organisation").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
