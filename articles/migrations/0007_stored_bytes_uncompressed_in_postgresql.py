"""PostgreSQL compresses large values (TOAST, pglz) as they are written: slow, and for
body_gzip and body_br, already compressed, wasted. The stored bytes of a publication are
written once and read as they are, so they are kept uncompressed (STORAGE EXTERNAL).
Publishing a 200-article issue (4 MB of JSON and its two encodings): inserts 134 → 39 ms
(bench/RESULTS.md). Other databases have nothing of the kind."""

from django.db import migrations

COLUMNS = ("body", "body_gzip", "body_br")


def storage(kind: str):
    def alter(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for model_name in ("Publication", "PublishedArticle"):
            table = schema_editor.quote_name(apps.get_model("articles", model_name)._meta.db_table)
            for column in COLUMNS:
                schema_editor.execute(
                    f"ALTER TABLE {table} ALTER COLUMN {schema_editor.quote_name(column)} SET STORAGE {kind}"
                )

    return alter


class Migration(migrations.Migration):
    dependencies = [("articles", "0006_plain_text_everywhere")]

    operations = [migrations.RunPython(storage("EXTERNAL"), storage("EXTENDED"))]
