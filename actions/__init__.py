"""Custom actions for Conference Companion.

Plain-Python modules (no Rasa imports): profile, content, signposts.
Rasa glue (thin, one module per concern): profile_slots, menu, jargon,
conference_form.
"""
