"""Read-only admin for API tokens: `watchkeeper token create` and `watchkeeper token revoke` change them."""

from django.contrib import admin

from watchkeeper.accounts.models import ApiToken
from watchkeeper.web.read_only_admin import ReadOnlyAdmin


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["hint", "user", "name", "created_at", "last_used_at", "revoked_at"]
