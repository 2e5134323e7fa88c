"""Scorecard use cases, one module per responsibility: :mod:`.quarters`, :mod:`.assessments`
(records and saving), :mod:`.evidence` (measured scores), :mod:`.results` (the results page),
:mod:`.form` (the form page), :mod:`.home` and :mod:`.demo`."""
