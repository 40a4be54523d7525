"""The staff pages: figures and a review queue over the stored conversations.

A web app of its own (`python -m staff`, port STAFF_PORT, 8090 by default)
that reads the tracker store read-only and keeps one table of its own, the
staff's labels for messages the bot did not understand (staff/reviews.py).
`make import-reviewed` turns those labels into training examples.

Modules: settings.py (environment), words.py (staff/words.yml), accounts.py
(accounts file, argon2, sign-in and lockout), sessions.py (cookies and CSRF),
tracker.py (read-only events), conversations.py (events to messages),
insights.py (the figures), queue.py (the review queue), redact.py (a second
redaction pass), reviews.py (labels and the audit log), charts.py (SVG),
app.py (the web pages), import_reviewed.py (`make import-reviewed`).
"""
