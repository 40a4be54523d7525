"""Rasa-side code: NLU components that run inside the Rasa server.

safety.py is plain Python over spaCy's tokenizer; components.py is the thin
Rasa glue that puts it in the NLU pipeline.
"""

from conference_nlu.action_check import install as _install_action_check
from conference_nlu.profile_refresh import install as _install_profile_refresh

# Rasa imports this package at start-up (config.yml, credentials.yml): keep
# the action server's replies checked without rebuilding the schema each time,
# and ask for the profile's slots only when they may be stale.
_install_action_check()
_install_profile_refresh()
