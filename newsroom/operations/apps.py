from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "newsroom.operations"
    label = "operations"
    verbose_name = "运行监控"

    def ready(self):
        from django.core.signals import request_finished

        from . import checks  # noqa: F401  (registers the system checks)
        from .requestid import forget
        from .tasks import connect

        request_finished.connect(forget, dispatch_uid="newsroom.request_id.forget")
        # The request id goes with every task sent from, or run in, this process.
        connect()
