import gzip

import brotli
from django.conf import settings
from django.db import migrations, models


def compress_stored_bytes(apps, schema_editor):
    """Publications made before this migration get their gzip and brotli bytes too, so
    every snapshot can be sent compressed (settings as `articles.delivery.compress`)."""
    for name in ("Publication", "PublishedArticle"):
        model = apps.get_model("articles", name)
        for row in model.objects.exclude(body="").only("pk", "body").iterator(chunk_size=200):
            data = row.body.encode("utf-8")
            model.objects.filter(pk=row.pk).update(
                body_gzip=gzip.compress(data, compresslevel=settings.DELIVERY_GZIP_LEVEL, mtime=0),
                body_br=brotli.compress(data, quality=settings.DELIVERY_BROTLI_QUALITY),
            )


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0004_roles"),
    ]

    operations = [
        migrations.AddField(
            model_name="publication",
            name="body_br",
            field=models.BinaryField(blank=True, default=b"", verbose_name="brotli 压缩内容"),
        ),
        migrations.AddField(
            model_name="publication",
            name="body_gzip",
            field=models.BinaryField(blank=True, default=b"", verbose_name="gzip 压缩内容"),
        ),
        migrations.AddField(
            model_name="publishedarticle",
            name="body_br",
            field=models.BinaryField(blank=True, default=b"", verbose_name="brotli 压缩内容"),
        ),
        migrations.AddField(
            model_name="publishedarticle",
            name="body_gzip",
            field=models.BinaryField(blank=True, default=b"", verbose_name="gzip 压缩内容"),
        ),
        migrations.AddIndex(
            model_name="publication",
            index=models.Index(fields=["visible_from"], name="publication_next_change"),
        ),
        migrations.RunPython(compress_stored_bytes, migrations.RunPython.noop, elidable=True),
    ]
