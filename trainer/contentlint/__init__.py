"""The content lint: measures the cues and the drift that validation cannot see (the longest option
is the right one, the best reply is the longest, recall over judgement, near-duplicate stems, banned
synonyms) and fails above thresholds. Run by ``flask content check``; never at start-up. Pure Python."""
