"""Rasa-side code: NLU components that run inside the Rasa server.

safety.py is plain Python over spaCy's tokenizer; components.py is the thin
Rasa glue that puts it in the NLU pipeline.
"""

from conference_nlu.action_check import install as _install_action_check
from conference_nlu.profile_refresh import install as _install_profile_refresh
from conference_nlu.sentence_encoder import use_one_blas_thread as _use_one_blas_thread

# Rasa imports this package at start-up (config.yml, credentials.yml): keep
# the action server's replies checked without rebuilding the schema each time,
# ask for the profile's slots only when they may be stale, and keep numpy's
# matrix products to one thread (the server answers many parents at once).
_install_action_check()
_install_profile_refresh()
_use_one_blas_thread()
