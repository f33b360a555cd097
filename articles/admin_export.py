"""Issue export in the admin (filled in by the export work)."""


class ExportAdminMixin:
    pass
