"""The site's icon at /favicon.ico (issue 11: "no favicon"), for the browsers and tools that
ask for it there; pages link static/app/favicon.svg and .ico themselves (templates/base.html).
Drawn here (static/app/favicon.svg, scripts/favicon.py), served by this server: no CDN."""

from __future__ import annotations

from django.conf import settings
from django.http import FileResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

ICON = settings.BASE_DIR / "static" / "app" / "favicon.ico"


@require_safe
@cache_control(max_age=86400, public=True)
def favicon(request) -> FileResponse:
    return FileResponse(ICON.open("rb"), content_type="image/x-icon")
