"""Admin pages of records (a publication, a workflow step, a background job, an audit
entry): shown, never written through the admin."""


class RecordAdminMixin:
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
