"""Real services for the tests, from Debian's packages, on free loopback ports with temporary
data directories; each context manager stops what it started, also when the test fails.
(`make test` installs the packages when missing.) The launchers are the product's own, the ones
``make cluster`` uses."""

from backend.devtools.localservices import Postgres, Redis, free_port, postgres_server, redis_server

__all__ = ["Postgres", "Redis", "free_port", "postgres_server", "redis_server"]
