"""Rasa-side code: NLU components that run inside the Rasa server.

safety.py is plain Python over spaCy's tokenizer; components.py is the thin
Rasa glue that puts it in the NLU pipeline.
"""

from conference_nlu.action_check import install as _install_action_check

# Rasa imports this package at start-up (config.yml, credentials.yml): keep
# the action server's replies checked without rebuilding the schema each time.
_install_action_check()
