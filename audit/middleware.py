"""auditlog's middleware, minus what it does too early or too trustingly."""

from auditlog.middleware import AuditlogMiddleware

from .context import client_address, serving


class AuditMiddleware(AuditlogMiddleware):
    """Every entry written while a request is served names its user
    (`receivers.name_the_actor`), its client address and its correlation id
    (`context.correlation_id`). Goes after AuthenticationMiddleware (system check audit.E001)."""

    def get_extra_data(self, request):
        # Not auditlog's: it reads request.user at once, which loads the session before any
        # view (a Vary: Cookie on public reads, and an error above FailureAnswersMiddleware
        # while the database is away); the user is asked for only when an entry is written.
        # And it believes any X-Forwarded-For (and -Port) a client sends: a trail whose
        # addresses the client chooses would prove nothing.
        return {"remote_addr": client_address(request), "remote_port": None}

    def __call__(self, request):
        with serving(request):
            return super().__call__(request)
