"""The desk's roles as groups: 记者 reporter, 编辑 editor, 值班主任 duty chief.

Group permissions only open admin pages; what each role may do to an article in which state
is enforced by the services (articles/services/workflow.py). Re-running keeps permissions an
administrator added on top (add(), never set()).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CRUD = ("add", "change", "delete", "view")

REPORTER = {
    "articles": {
        "article": ("add", "change", "view", "submit"),
        "block": CRUD,
        "section": CRUD,
        "byline": CRUD,
        "contributor": ("add", "change", "view"),
        "issue": ("view",),
        "issuephoto": ("view",),
        "timeline": ("view",),
        "timelineitem": ("view",),
        "transitionrecord": ("view",),
    },
    "media": {"photo": ("add", "change", "view"), "photocredit": CRUD},
}
EDITOR = {
    "articles": {
        "article": (*CRUD, "submit", "review"),
        "block": CRUD,
        "section": CRUD,
        "byline": CRUD,
        "contributor": CRUD,
        "issue": ("add", "change", "view"),
        "issuephoto": CRUD,
        "timeline": CRUD,
        "timelineitem": CRUD,
        "correction": ("view",),
        "transitionrecord": ("view",),
        "publication": ("view",),
        "previewlink": ("add", "view"),
    },
    "media": {"photo": CRUD, "photocredit": CRUD},
}
DUTY_CHIEF = {
    "articles": {
        **EDITOR["articles"],
        "article": (*CRUD, "submit", "review", "correct"),
        "issue": (*CRUD, "publish"),
        "correction": CRUD,
        "previewlink": CRUD,
    },
    "media": EDITOR["media"],
}
ROLES = {"记者": REPORTER, "编辑": EDITOR, "值班主任": DUTY_CHIEF}


def codename(action: str, model: str) -> str:
    return f"{action}_{model}"


def make_roles(apps, schema_editor):
    # Permissions are normally made after all migrations; the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, grants in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        for app_label, models in grants.items():
            for model, actions in models.items():
                codenames = [codename(action, model) for action in actions]
                found = Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
                missing = set(codenames) - set(found.values_list("codename", flat=True))
                if missing:
                    raise RuntimeError(f"{app_label}: missing permissions {sorted(missing)}")
                group.permissions.add(*found)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0003_workflow_and_publications"),
        ("media", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(make_roles, migrations.RunPython.noop)]
