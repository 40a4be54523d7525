"""Custom actions for Conference Companion.

Plain-Python modules (no Rasa imports): profile, content, signposts.
Rasa glue (thin, one module per concern): profile_slots, menu, jargon,
conference_form.
"""

from actions import log_redaction

# rasa-sdk has set up its log handlers before it loads the actions.
log_redaction.install()
