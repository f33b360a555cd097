"""Django's flush, which also empties the audit trail: the one way it is ever emptied (the
test runner resets its database with it; an operator empties a throw-away database)."""

from django.core.management.commands import flush

from audit.guard import emptying_allowed


class Command(flush.Command):
    help = flush.Command.help + " 审计日志也一并清空。"

    def handle(self, **options):
        with emptying_allowed():
            return super().handle(**options)
