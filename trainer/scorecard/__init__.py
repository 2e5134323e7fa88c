"""The scorecard feature: the quarterly self-assessment, its results next to measured scores
(radar, levels, gaps, recommendations) and the trend over quarters."""
