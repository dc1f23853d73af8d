"""The upload cap, enforced while the request body streams in (issue 9).

Django's default handlers spool a whole file to memory or a temporary file before any view
can look at its size: a 2 GiB upload wrote 1.9 GiB to the temporary folder before the 100 MiB
limit refused it, and an anonymous POST to the login page spooled the same. ``CappedUploadHandler``
comes first in ``settings.FILE_UPLOAD_HANDLERS`` and stops reading:

* at the first file of a request from someone not signed in (nobody uploads anonymously);
* at the first file of a request whose declared length is already past the cap;
* as soon as the bytes received for one file pass the cap.

It raises ``StopUpload(connection_reset=True)``: the parser stops without reading the rest of
the body, the file never reaches the next handler, and the view answers with the reason kept
on the request (``refusal(request)``). The fields sent before the file (the CSRF token, the
kind of material) are read as usual. nginx's ``client_max_body_size`` (docs/deploy.md) stops
such a body even earlier in production.
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.utils.translation import gettext as _

#: What a multipart envelope adds around one file of the cap (boundaries, headers, the
#: other fields of an upload form).
ENVELOPE_BYTES = 64 * 1024
ATTRIBUTE = "upload_refusal"


def cap_bytes() -> int:
    return int(settings.DOCUMENTS_MAX_UPLOAD_BYTES)


def _too_big() -> str:
    return _("文件超过上限 %(limit).0f MB，未接收。") % {"limit": cap_bytes() / 1048576}


def refusal(request) -> str | None:
    """Why the upload handler stopped reading this request's file, or None."""
    return getattr(request, ATTRIBUTE, None)


class CappedUploadHandler(FileUploadHandler):
    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.reason: str | None = None
        user = getattr(self.request, "user", None)
        if user is None or not user.is_authenticated:
            self.reason = _("请先登录后再上传文件。")
        elif content_length > cap_bytes() + ENVELOPE_BYTES:
            self.reason = _too_big()
        return None  # the fields are parsed as usual

    def _stop(self, reason: str):
        self.reason = reason
        setattr(self.request, ATTRIBUTE, reason)
        raise StopUpload(connection_reset=True)

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        if self.reason:
            self._stop(self.reason)

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > cap_bytes():
            self._stop(_too_big())
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handler (memory or temporary file) makes the file
