"""The test suite's settings: production settings (DEBUG off) with a throw-away secret key,
since production refuses to start without one."""

import os
import secrets

os.environ.setdefault("SECRET_KEY", "tests-only-" + secrets.token_urlsafe(40))
# The test client and the browser test's live server speak plain HTTP.
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")

from newsroom.settings import *  # noqa: E402, F403
