"""What the trail keeps of a saved row: the fields that mean something, long texts as a
marker, never a password hash, never the bookkeeping every save changes."""

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.checks import run_checks

from articles.models import Block
from tests.audit.trail import entries
from tests.factories import BlockFactory, PhotoFactory

pytestmark = pytest.mark.django_db


def updates_of(obj):
    return entries(
        content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk, action=LogEntry.Action.UPDATE
    )


def test_a_long_text_is_kept_as_its_start_length_and_fingerprint(settings):
    settings.AUDIT_TEXT_KEPT_WHOLE = 50
    block = BlockFactory(text="短的一段。")
    block.text = "长" * 120
    block.save()
    block.text = "短的另一段。"
    block.save()

    longer, shorter = updates_of(block)
    before, after = longer.changes["text"]
    assert before == "短的一段。"
    assert after.startswith("长" * 40) and "共 120 字，指纹 " in after and len(after) < 80
    assert shorter.changes["text"] == [after, "短的另一段。"]


def test_a_password_change_is_on_record_its_hash_never(editor):
    editor.set_password("a-new-secret-1234")
    editor.save()

    [entry] = updates_of(editor).exclude(changes__has_key="groups")
    assert entry.changes == {"password": ["******", "******"]}
    assert "pbkdf2" not in str(entry.changes) and "md5" not in str(entry.changes)
    assert not LogEntry.objects.filter(changes__icontains=editor.password[-12:]).exists()


def test_bookkeeping_and_derived_fields_make_no_entry(editor):
    photo = PhotoFactory()
    photo.renditions_key, photo.width, photo.version, photo.updated_by = "x", 1, 9, editor
    photo.save()
    block = BlockFactory()
    Block.objects.filter(pk=block.pk).update(text="批量改写")  # no save, no signal: not the trail's

    assert not updates_of(photo).exists()
    assert not updates_of(block).exists()


def test_a_creation_lists_the_rows_own_fields_without_the_bookkeeping():
    block = BlockFactory(text="新的一段。")

    created = entries(content_type=ContentType.objects.get_for_model(block), object_id=block.pk).get()
    assert created.action == LogEntry.Action.CREATE
    assert created.changes["text"][1] == "新的一段。"
    assert {"version", "updated_at", "article", "kind"} & set(created.changes) == {"article", "kind"}


@pytest.mark.parametrize(
    "middleware",
    [
        ["django.contrib.auth.middleware.AuthenticationMiddleware"],
        ["audit.middleware.AuditMiddleware", "django.contrib.auth.middleware.AuthenticationMiddleware"],
    ],
)
def test_the_check_names_a_missing_or_misplaced_middleware(settings, middleware):
    settings.MIDDLEWARE = middleware
    assert "audit.E001" in [message.id for message in run_checks()]


def test_the_check_passes_the_sites_settings():
    assert "audit.E001" not in [message.id for message in run_checks()]
