"""Start-up check: the profile, every content file and the timescales load cleanly.

`make run` and `make shell` call this before starting anything, so a bad
edit is reported in one line instead of as a wrong answer later.
"""

import sys

from actions.content import ContentError, load_content
from actions.profile import ProfileError, load_profile
from actions.timeline import TimescalesError, load_timescales
from actions.your_dates import date_words


def main() -> int:
    try:
        profile = load_profile()
        load_content()
        date_words()
        for nation in profile.nations:
            # A council's own numbers are for its own (first) nation.
            overrides = profile.timescale_overrides if nation == profile.nation else None
            load_timescales(nation, overrides)
    except (ProfileError, ContentError, TimescalesError) as error:
        print(f"Configuration error: {error}", file=sys.stderr)
        return 1
    print(f"==> Profile OK: {profile.organisation_name} ({profile.nation_name})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
