"""Rasa-side code: NLU components that run inside the Rasa server.

safety.py is plain Python over spaCy's tokenizer; components.py is the thin
Rasa glue that puts it in the NLU pipeline.
"""
