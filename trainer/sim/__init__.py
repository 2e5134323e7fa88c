"""Portfolio simulation of receivables under a credit and collection policy (pure Python, no Flask).

The public API for the web layer and the CLI is what this package exports: ``load_preset``,
``policy_from_dict``, ``run``, ``Simulation``, ``replicate``, ``kpis`` and the rest of ``__all__``.
Code outside the engine watches a run through :class:`Observer` and reads it through
:meth:`Simulation.customer` and :meth:`Simulation.aging_by_customer`; it never subclasses the engine.

See docs/simulation.md for the model, its assumptions and the policy schema.
"""

from trainer.sim import kpis
from trainer.sim.model import STREAMS, Simulation, run
from trainer.sim.observers import CustomerAging, CustomerView, Observer
from trainer.sim.parallel import Replications, RunSpec, replicate, run_summaries
from trainer.sim.params import (
    BUCKETS,
    GRADES,
    MAX_CUSTOMERS,
    MAX_DAYS,
    PRIORITIES,
    TERMS,
    PolicyError,
    Problem,
)
from trainer.sim.policy import GradePolicy, Policy, load_policy, policy_from_dict, policy_to_dict
from trainer.sim.portfolio import Portfolio, portfolio_from_dict, portfolio_to_dict
from trainer.sim.presets import (
    Preset,
    default_presets_dir,
    list_presets,
    load_preset,
    preset_from_dict,
    validate_run,
)
from trainer.sim.results import DailySeries, Event, MonthEnd, SimResult, Summary

__all__ = [
    "BUCKETS",
    "GRADES",
    "MAX_CUSTOMERS",
    "MAX_DAYS",
    "PRIORITIES",
    "STREAMS",
    "TERMS",
    "CustomerAging",
    "CustomerView",
    "DailySeries",
    "Event",
    "GradePolicy",
    "MonthEnd",
    "Observer",
    "Policy",
    "PolicyError",
    "Portfolio",
    "Preset",
    "Problem",
    "Replications",
    "RunSpec",
    "SimResult",
    "Simulation",
    "Summary",
    "default_presets_dir",
    "kpis",
    "list_presets",
    "load_policy",
    "load_preset",
    "policy_from_dict",
    "policy_to_dict",
    "portfolio_from_dict",
    "portfolio_to_dict",
    "preset_from_dict",
    "replicate",
    "run",
    "run_summaries",
    "validate_run",
]
