"""The writing feature's use cases: drafts and submissions (:mod:`.drafts`), reviews
(:mod:`.reviews`) and what other features read (:mod:`.reports`: the manager dashboard's pending
reviews and scores, the scorecard's evidence)."""
