"""The policy lab: the portfolio simulation in the browser (policy form, background runs, results,
comparisons, confidence bands, saved runs) and simulation workshops played in team rounds."""
