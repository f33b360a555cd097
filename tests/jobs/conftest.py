from tests.jobs.worker import worker  # noqa: F401 - the fixture, for every test here
