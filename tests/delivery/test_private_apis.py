"""The private attributes of Django, REST framework, django-cors-headers and redis-py that the
project uses, each kept on purpose (the comment at its use says why): these tests fail on an
upgrade that changes one, before a reader gets a wrong answer.

- `ResponseHeaders._store` (articles/delivery/responses.py `set_headers`): the header
  store, written without the public setter's per-value checks.
- django-cors-headers' `CorsMiddleware.check_preflight`, `add_response_headers` and
  `request._cors_enabled` (articles/delivery/fastpath.py): its middleware in two halves.
- redis-py's `PubSub.connection._sock` (articles/delivery/listener.py): the subscription's
  socket, polled instead of asking redis-py.
- Django's `RedisCache._class`, `RedisCacheClient._get_connection_pool` (newsroom/redis_cache.py):
  one client per connection pool.
- REST framework's `Serializer._readable_fields` (media/api/serializers.py `ReadOnceFields`):
  worked out once per serializer.
- Django's `connection.run_on_commit` (media/signals.py): the pending callbacks, to
  register one prune per transaction.
"""

import socket

import pytest
from corsheaders.middleware import CorsMiddleware
from django.core.cache.backends.redis import RedisCacheClient
from django.db import transaction
from django.http import HttpResponse, HttpResponseNotModified
from django.test import RequestFactory
from rest_framework import serializers

from articles.delivery.caches import redis_client
from articles.delivery.responses import set_headers
from media.api.serializers import ReadOnceFields
from newsroom.redis_cache import BoundedRedis, RedisCache, ReusingRedisCacheClient
from tests.conftest import REDIS_URL

# --- Django's header store ------------------------------------------------------------------


def test_the_header_store_is_a_dict_of_lower_case_names_to_name_and_value():
    response = HttpResponse(content_type="application/json")

    store = response.headers._store

    assert isinstance(store, dict)
    assert store["content-type"] == ("Content-Type", "application/json")


@pytest.mark.parametrize("response_class", [HttpResponse, HttpResponseNotModified])
def test_writing_the_header_store_is_what_the_response_sends(response_class):
    response = response_class()

    set_headers(response, ETag='"abc-br"', Cache_Control="public, max-age=30", Content_Length="3")

    assert response["ETag"] == response["etag"] == '"abc-br"'
    assert "Cache-Control" in response and response.get("cache-control") == "public, max-age=30"
    # What a WSGI server is handed: the names as written, once each.
    sent = dict(response.items())
    assert sent["ETag"] == '"abc-br"' and sent["Content-Length"] == "3"
    assert sum(name.lower() == "etag" for name in sent) == 1
    response.headers["ETag"] = '"replaced"'  # the public setter sees what was stored
    assert response["ETag"] == '"replaced"' and len(response.headers._store) == len(sent)


# --- django-cors-headers' middleware in two halves ----------------------------------------------


@pytest.fixture
def cors(settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://m.news.example.cn"]
    return CorsMiddleware(lambda request: HttpResponse())


def test_check_preflight_answers_a_preflight_and_records_whether_cors_applies(cors):
    preflight = RequestFactory().options(
        "/api/v1/issues/", HTTP_ORIGIN="https://m.news.example.cn", HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET"
    )
    read = RequestFactory().get("/api/v1/issues/")
    admin = RequestFactory().get("/admin/")

    assert isinstance(cors.check_preflight(preflight), HttpResponse)
    assert cors.check_preflight(read) is None and read._cors_enabled is True
    assert cors.check_preflight(admin) is None and admin._cors_enabled is False


def test_add_response_headers_adds_what_the_whole_middleware_adds(cors):
    read = RequestFactory().get("/api/v1/issues/", HTTP_ORIGIN="https://m.news.example.cn")
    halves = HttpResponse()
    cors.check_preflight(read)

    cors.add_response_headers(read, halves)

    whole = CorsMiddleware(lambda request: HttpResponse())(read)
    assert halves["Access-Control-Allow-Origin"] == "https://m.news.example.cn"
    assert dict(halves.items()) == dict(whole.items())


def test_without_an_origin_the_middleware_adds_only_vary_origin(cors):
    """What the fast path writes itself for a read without an Origin."""
    read = RequestFactory().get("/api/v1/issues/")
    response = HttpResponse()
    set_headers(response, Vary="Accept-Encoding")

    whole = CorsMiddleware(lambda request: response)(read)

    assert whole is response and whole["Vary"] == "Accept-Encoding, origin"
    assert not any(name.lower().startswith("access-control-") for name in whole.headers)


# --- redis-py's subscription socket ---------------------------------------------------------


def test_a_subscription_has_a_socket_to_poll(shared_redis):
    pubsub = redis_client(REDIS_URL).pubsub()
    try:
        pubsub.subscribe(f"{shared_redis}:probe")
        assert pubsub.get_message(timeout=1)["type"] == "subscribe"

        sock = pubsub.connection._sock

        assert isinstance(sock, socket.socket) and sock.fileno() >= 0
    finally:
        pubsub.close()


# --- Django's Redis cache client, one per pool ------------------------------------------------


def test_the_cache_builds_its_client_from_class_and_reuses_one_redis_per_pool():
    cache = RedisCache(REDIS_URL, {})  # nothing is asked of Redis here

    client = cache._cache

    assert type(client) is ReusingRedisCacheClient and isinstance(client, RedisCacheClient)
    pool = client._get_connection_pool(False)
    assert pool is client._get_connection_pool(True)  # one server: reads and writes alike
    first = client.get_client("key")
    assert type(first) is BoundedRedis and first.connection_pool is pool
    assert client.get_client("other", write=True) is first
    assert pool.connection_kwargs["socket_timeout"] is not None  # newsroom's bounds reached it


# --- REST framework's readable fields --------------------------------------------------------


class Pair(ReadOnceFields, serializers.Serializer):
    left = serializers.CharField()
    right = serializers.CharField()


def test_rest_framework_renders_the_readable_fields_worked_out_once():
    serializer = Pair()

    assert serializer.to_representation({"left": "甲", "right": "乙"}) == {"left": "甲", "right": "乙"}
    assert serializer._readable_fields is serializer._readable_fields  # made once
    serializer._readable_fields = [serializer.fields["right"]]
    assert serializer.to_representation({"left": "甲", "right": "乙"}) == {"right": "乙"}


# --- Django's pending on-commit callbacks --------------------------------------------------


@pytest.mark.django_db
def test_the_pending_callbacks_of_a_transaction_are_listed_with_the_callable_second():
    def callback():
        pass

    with transaction.atomic():
        transaction.on_commit(callback, robust=True)

        pending = transaction.get_connection().run_on_commit

        assert isinstance(pending, list)
        assert pending[-1][1] is callback
