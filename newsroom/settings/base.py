"""Settings for the newsroom backend, read from the environment.

Every value has a safe local default, so a fresh checkout runs on the embedded SQLite
database; production sets DATABASE_URL, SECRET_KEY, ALLOWED_HOSTS and DEBUG=false.
"""

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import environ
from django.core.exceptions import ImproperlyConfigured

env = environ.Env()

BASE_DIR = Path(__file__).resolve().parent.parent.parent
# Uploads, the SQLite file and exports live here, never inside a package folder.
VAR_DIR = Path(env.str("VAR_DIR", default=str(BASE_DIR / "var")))

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
# Sessions, CSRF tokens and preview links are signed with it. Without one, management commands
# (migrate, makemigrations --check) still run on a well-known development key, but a server
# with DEBUG off refuses to start (newsroom/wsgi.py), and `check --deploy` flags the key.
SECRET_KEY_FROM_ENVIRONMENT = bool(SECRET_KEY)
SECRET_KEY = SECRET_KEY or "django-insecure-local-development-key-change-me"  # noqa: S105
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Where readers reach the API and photos: publications are rendered once, at publish time,
# with absolute links on this base (a MEDIA_URL on a CDN host stays as it is).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# How long a preview link an editor hands to a front-end keeps working.
PREVIEW_LINK_MAX_AGE = env.int("PREVIEW_LINK_MAX_AGE", default=60 * 60 * 24)

INSTALLED_APPS = [
    # First: its admin/base_site.html adds 两步验证 to the admin's user links.
    "accounts",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "reversion",
    "corsheaders",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",
    "newsroom.operations",
    "jobs",
    "media",
    "articles",
    "auditlog",
    # After auditlog: its admin replaces auditlog's; above articles and media, which it listens to.
    "audit",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Plain public reads of published issues and articles, answered here: everything above
    # (host, HTTPS, security headers, CORS) applies to them, nothing below is needed.
    "articles.delivery.fastpath.PublicReadMiddleware",
    # The request id, for every other way in than the production WSGI entry, which gives
    # every request its id itself, early answers included (newsroom/operations/requestid.py).
    "newsroom.operations.requestid.RequestIdMiddleware",
    # /healthz, /readyz and /metrics before the Host check: probes call by address.
    "newsroom.operations.middleware.ProbeMiddleware",
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "newsroom.operations.middleware.QueryCountMiddleware",
    # A NUL in a query parameter is a 400 before any view (PostgreSQL would refuse it: a 500).
    "newsroom.middleware.RefuseNulParametersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Whether the session passed its second factor; a password alone is no log-in for an
    # account that owes one (accounts/middleware.py).
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.SecondFactorMiddleware",
    # After the auth middleware: every audit entry written during the request names its user.
    "audit.middleware.AuditMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, so it sees what the views raise: 503 for a database that is away, JSON under /api/.
    "newsroom.middleware.FailureAnswersMiddleware",
    # After the auth middleware, as django-axes asks: it turns locked-out log-ins away.
    "axes.middleware.AxesMiddleware",
    # Last, so that it times the views alone and sees what they raise first.
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "newsroom.urls"
WSGI_APPLICATION = "newsroom.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # The project's own overrides (the admin's log-in lock-out page).
        "DIRS": [BASE_DIR / "newsroom" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # SQLite cannot create the folder of its file; a fresh checkout has no var/ yet.
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
# In production each worker keeps its connection between requests (a new PostgreSQL
# connection costs more than a public request's query), checked before reuse after an idle
# spell or a restart of the database. Measured in bench/RESULTS.md. runserver (DEBUG) starts
# a thread per request, which would only leave connections behind: one per request there.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0 if DEBUG else 600)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # Parameters sent apart from the SQL, bytes as bytes: publishing a 200-article issue
    # stores some 6 MB of JSON, gzip and brotli, which client-side binding escaped into the
    # statement's text (about 45 ms of a publish; bench/RESULTS.md). The whole suite and
    # the API fuzzing run with it.
    DATABASES["default"].setdefault("OPTIONS", {})["server_side_binding"] = env.bool(
        "DATABASE_SERVER_SIDE_BINDING", default=True
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

if env.str("REDIS_URL", default=""):
    CACHES = {
        "default": {
            # Django's Redis cache, minus a client built per call (newsroom/redis_cache.py).
            "BACKEND": "newsroom.redis_cache.RedisCache",
            "LOCATION": env.str("REDIS_URL"),
            # Several deployments (or test runs) may share one Redis server.
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default=""),
        }
    }
# Every Redis call is bounded (newsroom/redis_cache.py): seconds to connect and to wait for
# an answer (a round trip is well under a millisecond on a LAN; redis-py's default is 5 s),
# and after a call fails, seconds this process leaves that server alone (reads then come
# from the database, throttles count in the process) before asking it again.
REDIS_CONNECT_TIMEOUT = env.float("REDIS_CONNECT_TIMEOUT", default=0.5)
REDIS_SOCKET_TIMEOUT = env.float("REDIS_SOCKET_TIMEOUT", default=0.5)
REDIS_RETRY_AFTER = env.float("REDIS_RETRY_AFTER", default=5)

AUTHENTICATION_BACKENDS = [
    # Counts failed admin log-ins and locks the username (from that address) out for a while.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
# Behind a reverse proxy set AXES_IPWARE_META_PRECEDENCE_ORDER to trust X-Forwarded-For.

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
# Chinese for every editor whatever the browser asks: no LocaleMiddleware on purpose.
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
# Dates printed for readers (corrections, the edition date) are Beijing dates.
NEWSROOM_TIME_ZONE = ZoneInfo("Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "static")))
MEDIA_URL = env.str("MEDIA_URL", default="/uploads/")
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "uploads")))
# Editors' photos: a 40 MB camera JPEG is normal, anything above is refused with a clear error.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# Serve uploaded files from Django itself (local runs and small set-ups); behind a web
# server or object storage set SERVE_MEDIA=false.
SERVE_MEDIA = env.bool("SERVE_MEDIA", default=DEBUG)

# Uploaded photos and their renditions: MEDIA_ROOT by default; STORAGE_BACKEND=s3 puts
# them in an S3-compatible bucket (AWS S3, MinIO, Aliyun OSS, Tencent COS) through
# django-storages. Credentials come from boto3's own AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY.
STORAGE_BACKEND = env.str("STORAGE_BACKEND", default="filesystem")


def s3_storage(**bucket) -> dict:
    """The S3Storage this site keeps photos in, on the bucket `bucket` names (bucket_name,
    endpoint_url, …): one definition for production and the storage tests' bucket."""
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            **bucket,
            # Publications keep photo URLs for good: no signed links that expire.
            "querystring_auth": False,
            # Names are random and never reused, so a URL's bytes never change.
            "file_overwrite": False,
            "object_parameters": {"CacheControl": "public, max-age=31536000, immutable"},
        },
    }


if STORAGE_BACKEND == "s3":
    DEFAULT_STORAGE = s3_storage(
        bucket_name=env.str("AWS_STORAGE_BUCKET_NAME"),
        endpoint_url=env.str("AWS_S3_ENDPOINT_URL", default=None),
        region_name=env.str("AWS_S3_REGION_NAME", default=None),
        # "virtual" for Aliyun OSS and Tencent COS, which refuse the path-style requests and
        # links (endpoint/bucket/name) boto3 makes for an endpoint of one's own.
        addressing_style=env.str("AWS_S3_ADDRESSING_STYLE", default=None),
        # A CDN or public bucket host, e.g. img.news.example.cn: photo URLs are built on it.
        custom_domain=env.str("AWS_S3_CUSTOM_DOMAIN", default=None),
        location=env.str("AWS_LOCATION", default=""),
        default_acl=env.str("AWS_DEFAULT_ACL", default=None),
    )
elif STORAGE_BACKEND == "filesystem":
    DEFAULT_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
else:
    raise ImproperlyConfigured(f"STORAGE_BACKEND must be 'filesystem' or 's3', not {STORAGE_BACKEND!r}")

STORAGES = {
    "default": DEFAULT_STORAGE,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]
    + (["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PAGINATION_CLASS": "newsroom.api.pagination.IssuePagination",
    "PAGE_SIZE": 20,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "UNAUTHENTICATED_USER": None,
    # Every error as {"code", "detail"} in Chinese (README, "API errors").
    "EXCEPTION_HANDLER": "newsroom.api.errors.api_exception_handler",
    # Public reads have their own throttle (newsroom/api/throttling.py); these count the rest.
    "DEFAULT_THROTTLE_CLASSES": [
        "newsroom.api.throttling.AnonThrottle",
        "newsroom.api.throttling.UserThrottle",
    ],
    # Proxies (a CDN, a load balancer) in front of the app: clients are then told apart by
    # X-Forwarded-For. Unset (the default), no proxy is trusted: clients are peer addresses.
    "NUM_PROXIES": env.int("API_NUM_PROXIES", default=None),
}


def _rate(name: str, default: str) -> str | None:
    rate = env.str(name, default=default)
    return None if rate.lower() == "off" else rate


# Requests per client ("N/second|minute|hour|day"; "off" for none). Public reads are cheap and
# counted per worker process; the rest in the shared cache (newsroom/api/throttling.py).
API_THROTTLE_RATES = {
    "reader": _rate("API_THROTTLE_READER", "6000/minute"),
    "anon": _rate("API_THROTTLE_ANON", "300/minute"),
    "user": _rate("API_THROTTLE_USER", "600/minute"),
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Newsroom special reports API",
    "DESCRIPTION": "Published special reports (专题), complete and in reading order.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "newsroom.api.errors.document_every_operations_errors",
    ],
    # The `type` discriminators of body nodes and issue parts, each its own enum.
    "ENUM_NAME_OVERRIDES": {
        "TextNodeTypeEnum": ["paragraph", "subheading"],
        "PhotoTypeEnum": ["photo"],
        "VideoNodeTypeEnum": ["video"],
        "TestimonyNodeTypeEnum": ["testimony"],
        "ArticlePartTypeEnum": ["article"],
        "TimelinePartTypeEnum": ["timeline"],
    },
}

# Production hardening: on whenever DEBUG is off, so `check --deploy` is clean.
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    SECURE_CONTENT_TYPE_NOSNIFF = True

# Front-ends on other origins (web, app web views, WeChat pages) may read the public API, and
# only with GET; the admin is never cross-origin.
CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])
CORS_URLS_REGEX = r"^/api/v1/.*$"
CORS_ALLOW_METHODS = ("GET", "HEAD", "OPTIONS")
CORS_ALLOW_CREDENTIALS = False
CORS_PREFLIGHT_MAX_AGE = 86400

# The admin and /api/docs/ run with no inline script; inline style attributes are Django's
# own admin widgets' and Swagger UI's. Photos may come from a CDN host (MEDIA_URL).
_media_origin = ["/".join(MEDIA_URL.split("/", 3)[:3])] if "://" in MEDIA_URL else []
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        # blob: the photo page previews a chosen file before it is uploaded.
        # SITE_URL: the admin's preview shows photos by their published (absolute) links.
        "img-src": ["'self'", "data:", "blob:", SITE_URL, *_media_origin],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Delivery of publications (articles/delivery/, defaults in articles/conf.py). The cache is
# Redis when REDIS_URL is set (shared by every worker and app server: pointers to live
# publications and their bytes), else each process keeps the bytes in its own memory and
# asks the database what is live.
DELIVERY_CACHE = "default"
# What browsers and the CDN may keep: fresh for DELIVERY_MAX_AGE seconds, then served while
# they revalidate for DELIVERY_STALE_WHILE_REVALIDATE more; a withdrawal reaches every
# cache within the sum. Both are cut short before a scheduled publication.
DELIVERY_MAX_AGE = env.int("DELIVERY_MAX_AGE", default=30)
DELIVERY_STALE_WHILE_REVALIDATE = env.int("DELIVERY_STALE_WHILE_REVALIDATE", default=30)
# Longest a cached pointer lives in Redis even without a publish (a missed invalidation
# cannot last longer); the bytes themselves are immutable and kept a day.
DELIVERY_POINTER_TTL = env.int("DELIVERY_POINTER_TTL", default=60)
# With Redis each worker also keeps pointers in its own memory, dropped the moment a publish
# is announced on Redis pub/sub; checked against Redis at least this often regardless, which
# bounds a silently broken subscription. DELIVERY_LISTEN=false asks Redis on every request.
DELIVERY_LISTEN = env.bool("DELIVERY_LISTEN", default=True)
DELIVERY_LOCAL_POINTER_TTL = 2
DELIVERY_SHARED_BYTES_TTL = 60 * 60 * 24
# Per worker process: stored bytes kept in memory, and rendered pages of the issue list.
DELIVERY_LOCAL_BYTES = env.int("DELIVERY_LOCAL_BYTES", default=64 * 1024 * 1024)
DELIVERY_LOCAL_LIST_BYTES = 4 * 1024 * 1024
# Compression at publish time, levels chosen for publishing speed (a 200-article issue,
# 4 MB of JSON with its articles: gzip 4 gives 43% in 80 ms where 6 gives 41.5% in 130 ms;
# brotli 5 gives 37% in 140 ms where 11 gives 34% in 4 s).
DELIVERY_GZIP_LEVEL = 4
DELIVERY_BROTLI_QUALITY = 5
