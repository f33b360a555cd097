"""Settings for the newsroom backend, read from the environment, one module a concern.

Every value has a safe local default, so a fresh checkout runs on the embedded SQLite
database; production sets DATABASE_URL, SECRET_KEY, ALLOWED_HOSTS and DEBUG=false (README,
Configuration, lists every variable).
"""

# isort: skip_file
# base first: the modules after it may read (and extend) what it sets.
from newsroom.settings.base import *  # noqa: F403
from newsroom.settings.operations import *  # noqa: F403
from newsroom.settings.tasks import *  # noqa: F403
from newsroom.settings.accounts import *  # noqa: F403
from newsroom.settings.audit import *  # noqa: F403
