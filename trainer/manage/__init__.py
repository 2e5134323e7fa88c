"""The manage feature: the manager dashboard (team overview, a member's page, competency heatmap,
most-missed questions, refresher completion), CSV exports and a print-friendly page."""
