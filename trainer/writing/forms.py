"""Writing forms. The pages post plain fields (the text, a peer, a comment's paragraph or range,
one score per rubric item, whose items are content) that the services check; the form carries the
CSRF token, which the app checks on every POST (the autosave sends it as a header)."""

from flask_wtf import FlaskForm


class CsrfForm(FlaskForm):
    """Only the CSRF token."""
