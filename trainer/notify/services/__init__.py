"""The notify feature's use cases: composing, queueing, sending, preferences, the schedule."""
