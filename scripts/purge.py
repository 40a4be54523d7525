"""Deletes conversations idle for longer than the profile's retention period.

Run by `make purge`, and by `make run` at start and then once a day. Uses
the tracker store in endpoints.yml (TRACKER_DB and the other variables it
names must be set, as the Makefile does).
"""

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from actions.profile import ProfileError, load_profile  # noqa: E402


def main() -> int:
    from rasa.core.tracker_store import TrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.utils.endpoints import read_endpoint_config

    try:
        days = load_profile().retention_days
    except ProfileError as error:
        print(f"Configuration error: {error}", file=sys.stderr)
        return 1
    # endpoints.yml names the action server too; purging does not use it.
    os.environ.setdefault("ACTION_SERVER_URL", "http://127.0.0.1:5055/webhook")
    os.environ.setdefault("TRACKER_DB", str(ROOT / "var" / "conversations.db"))
    config = read_endpoint_config(os.environ.get("ENDPOINTS", str(ROOT / "endpoints.yml")), "tracker_store")
    store = TrackerStore.create(config, Domain.empty())
    store = getattr(store, "_tracker_store", store)  # unwrap Rasa's fail-safe wrapper
    if not hasattr(store, "purge_idle_conversations"):
        print("The tracker store in endpoints.yml cannot purge old conversations.", file=sys.stderr)
        return 1
    cutoff = time.time() - days * 86400
    deleted = store.purge_idle_conversations(cutoff)
    print(f"==> Retention ({days} days): deleted {deleted} idle conversations")
    # The staff pages' labels of older messages go too (their conversations' labels went with them).
    from staff.reviews import forget_before

    forget_before(cutoff, store.engine.url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
