"""The export package as a download, for both doors that hand it out (the admin's 导出 and
the API's export endpoint). The zip is written to a temporary file and streamed from it,
so memory stays flat whatever the photos weigh."""

import tempfile

from django.http import FileResponse

from articles.exchange import export

# A package is staff-only and may hold unpublished work: no cache may keep a copy.
NO_STORE = "private, no-store"


def package_response(issue, *, allow_draft: bool = False) -> FileResponse:
    """The package as a download; ExportRefused if the issue is not finished."""
    out = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it when sent
    try:
        export.export_issue(issue, out, allow_draft=allow_draft)
    except BaseException:
        out.close()
        raise
    out.seek(0)
    response = FileResponse(
        out, as_attachment=True, filename=export.package_filename(issue), content_type="application/zip"
    )
    response["Cache-Control"] = NO_STORE
    return response
