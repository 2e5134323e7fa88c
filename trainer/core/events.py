"""Signals one feature sends and another listens to (blinker, as Flask's own signals), so a feature can
announce "a refresher was assigned" without importing whoever sends the e-mail about it.

Each signal is sent after the sender's transaction committed, with plain ids and values as keywords.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# sender: the acting user; keywords: assignment_id, change ("created" | "edited" | "cancelled"),
# user_ids (the people it reaches), title, due_at (naive UTC, for "cancelled" the old due date).
assignment_changed = _signals.signal("assignment-changed")

# sender: None; keywords: user_id, certificate_id, course_title, code.
certificate_earned = _signals.signal("certificate-earned")

# sender: the acting admin; keywords: links (a list of (user_id, token, expires_at)).
set_password_links_issued = _signals.signal("set-password-links-issued")

# sender: None; keywords: user_id, attempt_id, quiz_id, score, max_score, percent (None when the quiz
# definition is gone), passed, submitted_at (naive UTC). Sent once per attempt, when it is graded.
quiz_graded = _signals.signal("quiz-graded")

# sender: None; keywords: user_id, play_id, scenario_id, outcome, percent (the mean of the scored
# variables, 0-100), finished_at (naive UTC). Sent once per practice play, when it reaches an ending.
scenario_finished = _signals.signal("scenario-finished")
