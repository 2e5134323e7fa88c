"""A GET request never commits: opening a page must not change what is saved, so a crawler, a
prefetch or a reload cannot alter anyone's record, and every change goes through a POST with CSRF.

:func:`install` listens to every commit. During a GET or HEAD request a commit is refused (it raises
:class:`CommitOnGetError` when ``STRICT_GET_NO_COMMIT`` is on, which is the default in tests) or
logged as a warning (in production, where a refused page would be worse than the write). The two
documented exceptions wrap their commit in :func:`commit_allowed_on_get`: the lazy close of quiz
attempts whose time ran out, and the single sign-on callback (the OpenID provider sends the browser
back with a GET; only the browser holding that sign-in's single-use state gets past it).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from flask import current_app, g, has_request_context, request
from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)
READ_ONLY_METHODS = frozenset({"GET", "HEAD"})


class CommitOnGetError(RuntimeError):
    """A commit was attempted while serving a GET request."""


@contextmanager
def commit_allowed_on_get() -> Iterator[None]:
    """Allow commits in this block of a GET request (the documented lazy-expiry step only)."""
    if not has_request_context():
        yield
        return
    previous = g.get("_commit_allowed_on_get", False)
    g._commit_allowed_on_get = True
    try:
        yield
    finally:
        g._commit_allowed_on_get = previous


def _refuse_commit_on_get(_session: Session) -> None:
    if not has_request_context() or request.method not in READ_ONLY_METHODS:
        return
    if g.get("_commit_allowed_on_get", False):
        return
    message = f"a {request.method} request to {request.path} tried to commit"
    if current_app.config.get("STRICT_GET_NO_COMMIT", current_app.testing):
        raise CommitOnGetError(message)
    log.warning("%s; allowed, but it should not", message)


def install() -> None:
    """Listen once per process: the listener is global to SQLAlchemy sessions and reads the current
    request and app's settings at commit time."""
    if not event.contains(Session, "before_commit", _refuse_commit_on_get):
        event.listen(Session, "before_commit", _refuse_commit_on_get)


