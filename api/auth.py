"""``Authorization: Token <key>`` (issue 12): the person a token stands for, through
api/tokens.py (hashed keys, the second factor the token was created with)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions

from lifecycle.errors import RuleViolation

from . import tokens


class TokenAuthentication(authentication.BaseAuthentication):
    keyword = tokens.KEYWORD

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("请求头应为“Authorization: Token 令牌”。"))
        try:
            key = header[1].decode("ascii")
        except UnicodeError:
            key = ""
        try:
            return tokens.authenticate(key)
        except RuleViolation as exc:
            raise exceptions.AuthenticationFailed(exc.message) from None

    def authenticate_header(self, request) -> str:
        return self.keyword
