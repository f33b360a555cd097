"""What the exchange tells whoever listens (the audit app); the exchange knows none of them.

- `issue_exported`: a package of an issue was written (`export.export_issue`: the admin's
  导出 and its job, the API's export, the `export_issue` command). Arguments: `issue`,
  `result` (ExportResult) and `user`, who asked for it when that is not the user of the
  request being served (a job's starter; None for the command).
- `issue_imported`: a package was written into this database, sent inside the import's
  transaction (`importing.import_issue`). Arguments: `issue`, `result` (ImportResult),
  `package` (the file's name, or ""), `replace` (an existing issue was updated in place)
  and `user` (None for the `import_issue` command).
"""

from django.dispatch import Signal

issue_exported = Signal()
issue_imported = Signal()
