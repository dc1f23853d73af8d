"""Materials, sign-offs and generated filings in the admin: shown, never edited. A version
that went out with a step, the versions a sign-off covered and an issued filing with its
发文字号 are records (办法第三十五、三十九条); new versions come through uploads."""

from django.contrib import admin

from lifecycle.admin import RecordAdmin

from .models import Filing, MaterialVersion, SignOff


@admin.register(MaterialVersion)
class MaterialVersionAdmin(RecordAdmin):
    list_display = ["project", "kind", "number", "original_name", "uploaded_by", "uploaded_at", "locked_at"]
    list_filter = ["kind"]
    list_select_related = ["project", "uploaded_by"]


@admin.register(SignOff)
class SignOffAdmin(RecordAdmin):
    list_display = ["project", "label", "version", "signed_at"]
    list_select_related = ["project", "version"]


@admin.register(Filing)
class FilingAdmin(RecordAdmin):
    list_display = ["document_no", "title", "kind", "project", "issuer", "generated_by", "generated_at"]
    list_filter = ["kind"]
    list_select_related = ["project", "issuer", "generated_by"]
