"""Before the Rasa server starts: can it reach the stores its endpoints name?

Prints one clear line and exits 1 if PostgreSQL or Redis cannot be reached,
instead of a long traceback from inside Rasa. SQLite needs no check.
Usage: check_services.py [endpoints file]   (default: $ENDPOINTS or endpoints.yml)
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def check(path: str) -> str:
    """'' if every store answers, else what is wrong, in one line."""
    from rasa.utils.endpoints import read_endpoint_config

    problems = []
    tracker = read_endpoint_config(path, "tracker_store")
    if tracker and tracker.kwargs.get("dialect") == "postgresql":
        import psycopg2

        where = f"{tracker.url}:{tracker.kwargs.get('port') or 5432}"
        try:
            # The database itself may not exist yet: Rasa creates it.
            psycopg2.connect(
                host=tracker.url,
                port=tracker.kwargs.get("port") or 5432,
                user=tracker.kwargs.get("username"),
                password=tracker.kwargs.get("password") or None,
                dbname="postgres",
                connect_timeout=5,
            ).close()
        except psycopg2.Error as error:
            problems.append(f"cannot reach PostgreSQL at {where} ({str(error).strip().splitlines()[0]})")
    lock = read_endpoint_config(path, "lock_store")
    if lock and (lock.type == "redis" or str(lock.type).endswith("RedisLockStore")):
        import redis

        where = f"{lock.url}:{lock.kwargs.get('port') or 6379}"
        try:
            redis.Redis(
                host=lock.url,
                port=int(lock.kwargs.get("port") or 6379),
                db=int(lock.kwargs.get("db") or 0),
                socket_connect_timeout=5,
            ).ping()
        except redis.RedisError as error:
            problems.append(f"cannot reach Redis at {where} ({error})")
    return "; ".join(problems)


def main() -> int:
    path = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("ENDPOINTS", str(ROOT / "endpoints.yml"))
    try:
        problem = check(path)
    except Exception as error:  # a missing variable or a broken file
        problem = f"{path}: {error}"
    if problem:
        print(f"Storage error: {problem}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
