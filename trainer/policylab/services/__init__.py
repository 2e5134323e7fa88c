"""The policy lab's use cases, one module per responsibility.

``presets`` (presets, default policies, engine version), ``run_requests`` (validating a run request),
``simulation`` (one observed engine run and what a results page needs from it), ``comparisons``
(replications on common random numbers), ``runs`` (run jobs and listings), ``exports`` (CSV and
policy files), ``workshops`` (team play), ``rounds`` (advancing and scoring rounds), ``frontier``
(each preset's efficient frontier and a policy's place against it), ``home`` (next steps and demo
data). ``runs`` and ``rounds`` register their job handlers with
:mod:`trainer.policylab.jobs` when imported.
"""
