"""Start-up check: the profile and every content file load cleanly.

`make run` and `make shell` call this before starting anything, so a bad
edit is reported in one line instead of as a wrong answer later.
"""

import sys

from actions.content import ContentError, load_content
from actions.profile import ProfileError, load_profile


def main() -> int:
    try:
        profile = load_profile()
        load_content()
    except (ProfileError, ContentError) as error:
        print(f"Configuration error: {error}", file=sys.stderr)
        return 1
    print(f"==> Profile OK: {profile.organisation_name} ({profile.nation_name})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
