from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "审计日志"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import checks, guard, receivers, registration

        checks.register()
        registration.register_models()
        receivers.connect()
        guard.connect()
