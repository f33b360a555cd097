"""The trail is append-only in the database itself, on SQLite and on PostgreSQL: no UPDATE
and no DELETE of an entry, whoever asks; except that deleting an account empties its entries'
actor, and the entries keep its name."""

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from articles.models import Article
from audit.events import record
from tests.audit.trail import entries, only
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

REFUSED = "append-only"


@pytest.fixture
def entry(editor):
    return record("login", editor, actor=editor)


def refused(change) -> None:
    with pytest.raises(IntegrityError, match=REFUSED), transaction.atomic():
        change()


def test_the_orm_can_neither_change_nor_delete_an_entry(entry):
    refused(lambda: LogEntry.objects.filter(pk=entry.pk).update(object_repr="改过"))
    refused(lambda: LogEntry.objects.filter(pk=entry.pk).update(additional_data={"event": "logout"}))
    refused(lambda: LogEntry.objects.filter(pk=entry.pk).delete())
    entry.object_repr = "改过"
    refused(entry.save)
    refused(entry.delete)

    assert LogEntry.objects.get(pk=entry.pk).object_repr == "editor"


def test_plain_sql_is_refused_too(entry):
    def execute(sql):
        with connection.cursor() as cursor:
            cursor.execute(sql, [entry.pk])

    refused(lambda: execute("UPDATE auditlog_logentry SET timestamp = timestamp WHERE id = %s"))
    refused(lambda: execute("DELETE FROM auditlog_logentry WHERE id = %s"))


def test_an_entry_cannot_be_given_to_someone_else(entry, chief):
    refused(lambda: LogEntry.objects.filter(pk=entry.pk).update(actor=chief))
    refused(lambda: LogEntry.objects.filter(pk=entry.pk).update(actor=None, object_repr="改过"))


def test_deleting_an_account_keeps_its_entries_and_its_name(editor):
    ArticleFactory(headline="记者的稿件")
    record("login", editor, actor=editor)
    entry = only("login")

    editor.delete()

    entry.refresh_from_db()
    assert entry.actor is None
    assert entry.additional_data == {"event": "login", "actor_name": "editor"}
    assert entries("login").count() == 1


def test_deleting_a_row_keeps_its_entries_and_adds_one():
    article = ArticleFactory(headline="将被删除的稿件")
    of_it = entries(object_id=article.pk, content_type=ContentType.objects.get_for_model(Article))
    created = of_it.get(action=LogEntry.Action.CREATE)

    article.delete()

    assert LogEntry.objects.filter(pk=created.pk).exists()
    deleted = of_it.get(action=LogEntry.Action.DELETE)
    assert deleted.object_repr == "将被删除的稿件"


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's trigger lists the columns it compares")
def test_the_sqlite_trigger_compares_every_column():
    """A column auditlog adds in a later version must be compared too: a new migration must
    make the trigger again (audit/migrations/0002_logentry_append_only.py)."""
    with connection.cursor() as cursor:
        columns = [
            c.name for c in connection.introspection.get_table_description(cursor, LogEntry._meta.db_table)
        ]
        cursor.execute("SELECT sql FROM sqlite_master WHERE name = 'audit_logentry_no_update'")
        [(trigger,)] = cursor.fetchall()
    assert [c for c in columns if f'NEW."{c}" IS OLD."{c}"' not in trigger] == ["actor_id"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_only_flush_empties_the_trail(editor):
    record("login", editor, actor=editor)
    refused(lambda: LogEntry.objects.all().delete())

    # As the test runner flushes (nothing made again after): the next test gets the database
    # back as it was, content types and their ids included.
    call_command("flush", interactive=False, verbosity=0, inhibit_post_migrate=True)

    assert not LogEntry.objects.exists()
