"""The test suite's settings: production settings (DEBUG off) with a throw-away secret key,
since production refuses to start without one."""

import os
import secrets

os.environ.setdefault("SECRET_KEY", "tests-only-" + secrets.token_urlsafe(40))
# The test client and the browser test's live server speak plain HTTP.
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
# Every test asks from 127.0.0.1: throttles stay on (their code runs) with limits no test
# reaches; tests/api/test_throttling.py sets real ones.
# Jobs run at the commit, in the test's own thread: what they made is there when the save
# returns. tests/jobs/ runs them on a real broker and worker too.
os.environ.setdefault("JOBS_IN_PROCESS", "inline")
for scope in ("READER", "ANON", "USER"):
    os.environ.setdefault(f"API_THROTTLE_{scope}", "1000000/minute")

from newsroom.settings import *  # noqa: E402, F403
