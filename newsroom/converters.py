"""URL converters for the API's paths."""


class RowIdConverter:
    """A database row id: at most 18 digits, so it always fits a 64-bit integer column. A
    longer number is no row of ours and falls through to the API's 404, instead of
    overflowing the database driver (a 500 schemathesis found)."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(value)
