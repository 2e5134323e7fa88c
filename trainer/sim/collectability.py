"""The collectability curve: the chance that a debt of a given age is still collected when worked.

Each invoice draws one uniform number ``u`` when it is raised. It stays collectable while
``u <= curve(age)``, so it turns uncollectable at the age where the curve falls below ``u``
(:func:`bad_ages`). A debt first worked at age ``t`` is therefore collected with probability
``curve(t)`` exactly, the way agencies state such curves (success rate by age at placement).
Debts not yet due are always collectable. See docs/simulation.md for the calibration.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

DAYS_PER_MONTH = 365.0 / 12.0

__all__ = ["DAYS_PER_MONTH", "allowance_rates_from_curve", "bad_ages", "collectability"]


def collectability(curve: Sequence[tuple[float, float]], age_days: float) -> float:
    """Probability of collecting a debt ``age_days`` past due (linear between points, flat after)."""
    if age_days <= 0:
        return 1.0 if age_days < 0 else curve[0][1]
    months = np.array([m for m, _ in curve]) * DAYS_PER_MONTH
    probs = np.array([p for _, p in curve])
    return float(np.interp(age_days, months, probs))


def bad_ages(curve: Sequence[tuple[float, float]], u: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Age in days past due at which each invoice (with uniform draw ``u``) stops being collectable.

    ``0`` when ``u`` is above the curve's first point (never collectable once late), ``inf`` when ``u``
    is at or below the curve's last point (always collectable).
    """
    days = np.array([m for m, _ in curve], dtype=float) * DAYS_PER_MONTH
    probs = np.array([p for _, p in curve], dtype=float)
    # the curve is non-increasing; interpolate the inverse on the reversed (increasing) arrays
    out = np.interp(u, probs[::-1], days[::-1])
    out = np.where(u > probs[0], 0.0, out)
    out = np.where(u <= probs[-1], math.inf, out)
    return out


def allowance_rates_from_curve(curve: Sequence[tuple[float, float]]) -> tuple[float, ...]:
    """Default loss rates per aging bucket: one minus the collectability at the bucket's midpoint.

    Current 0 days, 1-30 → 15, 31-60 → 45, 61-90 → 75, over 90 → 135 days past due.
    """
    return tuple(round(1.0 - collectability(curve, a), 6) for a in (0.0, 15.0, 45.0, 75.0, 135.0))
