"""The token scheme in the OpenAPI schema (drf-spectacular extension for api/auth.py)."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.auth.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "“Token <令牌>”：在“API令牌”页面（/accounts/api-token/）创建。",
        }
