"""Closed-form queueing results the collector pool is checked against (and that lessons can quote).

An M/M/c queue: Poisson arrivals at ``arrival_rate``, ``servers`` collectors each working at
``service_rate`` actions per day. Source: Erlang's C formula, e.g. Gross & Harris, *Fundamentals of
Queueing Theory*, §2.3.
"""

from __future__ import annotations

import math

__all__ = ["erlang_c", "mmc_mean_wait", "mmc_utilisation"]


def _check(servers: int, arrival_rate: float, service_rate: float) -> float:
    if isinstance(servers, bool) or not isinstance(servers, int) or servers < 1:
        raise ValueError(f"servers must be a whole number ≥ 1, got {servers!r}")
    if not arrival_rate > 0:
        raise ValueError(f"arrival_rate must be greater than zero, got {arrival_rate!r}")
    if not service_rate > 0:
        raise ValueError(f"service_rate must be greater than zero, got {service_rate!r}")
    rho = arrival_rate / (servers * service_rate)
    if rho >= 1:
        raise ValueError(f"arrival_rate must be below servers × service_rate (utilisation {rho:.3f} ≥ 1)")
    return rho


def mmc_utilisation(servers: int, arrival_rate: float, service_rate: float) -> float:
    """Share of time a collector is busy: ``λ / (c μ)``."""
    return _check(servers, arrival_rate, service_rate)


def erlang_c(servers: int, arrival_rate: float, service_rate: float) -> float:
    """Probability that an arriving action has to wait (Erlang C)."""
    rho = _check(servers, arrival_rate, service_rate)
    a = arrival_rate / service_rate
    top = a**servers / math.factorial(servers) / (1 - rho)
    bottom = sum(a**k / math.factorial(k) for k in range(servers)) + top
    return top / bottom


def mmc_mean_wait(servers: int, arrival_rate: float, service_rate: float) -> float:
    """Mean time an action waits before a collector starts it: ``C(c, a) / (c μ − λ)``."""
    return erlang_c(servers, arrival_rate, service_rate) / (servers * service_rate - arrival_rate)
