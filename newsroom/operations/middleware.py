"""The probes answered early, and the SQL queries each request makes, counted."""

from contextlib import ExitStack

from django.db import connections
from django.urls import resolve, reverse

from .instruments import REQUEST_QUERIES

PROBES = ("healthz", "readyz", "metrics")  # URL names (newsroom/urls.py)


class ProbeMiddleware:
    """/healthz, /readyz and /metrics, answered before anything below asks the Host: load
    balancers and Prometheus call by the server's address, which ALLOWED_HOSTS rightly does
    not list. They are left out of the request metrics below too: a probe every few seconds
    is not traffic."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.views = None

    def __call__(self, request):
        if self.views is None:  # the URLconf is not loaded yet when middleware is made
            self.views = {reverse(name): resolve(reverse(name)).func for name in PROBES}
        view = self.views.get(request.path_info)
        if view is not None:
            return view(request)
        return self.get_response(request)


class QueryCounter:
    def __init__(self):
        self.queries = 0

    def __call__(self, execute, sql, params, many, context):
        self.queries += 1
        return execute(sql, params, many, context)


class QueryCountMiddleware:
    """Observes how many SQL queries each request made, by view (newsroom_request_queries)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        counter = QueryCounter()
        with ExitStack() as stack:
            for alias in connections:
                stack.enter_context(connections[alias].execute_wrapper(counter))
            response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        view = (match.view_name if match is not None else None) or "<unnamed view>"
        REQUEST_QUERIES.labels(view=view).observe(counter.queries)
        return response
