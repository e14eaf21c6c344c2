"""The constellation's size, shared by the stages that need it before the mass stage closes.

The mass stage counts the satellites (``satellites = ceil(target_it_power / it_power)``); the
links stage (a training job cannot span more satellites than exist) and the commons stage (the
shell's capacity, which the mass budget then pays for in avoidance propellant) run before it and
use the same count, from here.
"""
from __future__ import annotations

import numpy as np


def satellites_for(target_it_power, it_power):
    """Whole satellites reaching ``target_it_power`` with ``it_power`` each (same unit).

    ``ceil(target / each)``, with a relative guard so that 1e6 / 100 is 10,000 and not 10,001
    through rounding (the mass stage's count)."""
    return np.ceil(target_it_power / it_power * (1.0 - 1e-12))
