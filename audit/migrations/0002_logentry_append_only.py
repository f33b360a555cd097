"""The trail is append-only in the database itself: UPDATE and DELETE of auditlog's rows are
refused by triggers, whatever code (or admin page, or shell) tries them.

One change is let through: an UPDATE that only empties `actor_id`. Deleting an account makes
Django set its entries' actor to NULL (auditlog's ForeignKey is SET_NULL), and deleting an
account must keep working; the entry keeps the name (`additional_data["actor_name"]`).

PostgreSQL compares the whole row but the actor, so a column auditlog adds later is covered.
SQLite compares each column the table has when this runs, and its DELETE trigger asks
`audit_emptying_allowed()`, true only while `manage.py flush` runs (audit/guard.py); a
connection that does not define it cannot delete. Any other database is refused: the trail
would not be append-only there.
"""

from django.db import migrations

TABLE = "auditlog_logentry"
REFUSAL = "审计日志只能追加，不能修改或删除（the audit trail is append-only）"

POSTGRESQL = f"""
CREATE FUNCTION audit_logentry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.actor_id IS NULL
       AND to_jsonb(NEW) - 'actor_id' = to_jsonb(OLD) - 'actor_id' THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION USING
        MESSAGE = '{REFUSAL}: ' || TG_OP || ' ' || TG_TABLE_NAME,
        ERRCODE = 'integrity_constraint_violation';
END
$$;
CREATE TRIGGER audit_logentry_append_only BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION audit_logentry_append_only();
"""
POSTGRESQL_REVERSE = f"""
DROP TRIGGER IF EXISTS audit_logentry_append_only ON {TABLE};
DROP FUNCTION IF EXISTS audit_logentry_append_only();
"""


def sqlite(columns: list[str]) -> list[str]:
    unchanged = " AND ".join(f'NEW."{c}" IS OLD."{c}"' for c in columns if c != "actor_id")
    return [
        f"""CREATE TRIGGER audit_logentry_no_update BEFORE UPDATE ON {TABLE}
            WHEN NOT (NEW.actor_id IS NULL AND {unchanged})
            BEGIN SELECT RAISE(ABORT, '{REFUSAL}: UPDATE {TABLE}'); END""",
        f"""CREATE TRIGGER audit_logentry_no_delete BEFORE DELETE ON {TABLE}
            WHEN NOT audit_emptying_allowed()
            BEGIN SELECT RAISE(ABORT, '{REFUSAL}: DELETE {TABLE}'); END""",
    ]


SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS audit_logentry_no_update",
    "DROP TRIGGER IF EXISTS audit_logentry_no_delete",
]


def install(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        schema_editor.execute(POSTGRESQL, params=None)
    elif connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            columns = [c.name for c in connection.introspection.get_table_description(cursor, TABLE)]
        for statement in sqlite(columns):
            schema_editor.execute(statement, params=None)
    else:
        raise RuntimeError(f"The audit trail's append-only triggers exist for PostgreSQL and SQLite, not {connection.vendor}.")


def uninstall(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_REVERSE, params=None)
    elif connection.vendor == "sqlite":
        for statement in SQLITE_REVERSE:
            schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_audit_entry"),
        ("auditlog", "0017_add_actor_email"),
    ]

    operations = [migrations.RunPython(install, uninstall, elidable=False)]
