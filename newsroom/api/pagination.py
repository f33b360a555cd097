"""Page numbers for the API's lists: a malformed one is refused, never silently read as 1."""

from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination


class IssuePagination(PageNumberPagination):
    page_size = 20

    def get_page_number(self, request, paginator):
        # REST framework reads `?page=` (empty) as page 1; a front-end that sends it has a bug
        # worth seeing, so it gets the same answer as `?page=abc`.
        if self.page_query_param in request.query_params and not request.query_params[self.page_query_param]:
            raise NotFound(self.invalid_page_message.format(page_number="", message=""))
        return super().get_page_number(request, paginator)
