"""Shared test configuration.

Hypothesis profiles: "ci" (default) keeps property tests quick and deterministic enough for a
2-core CI machine; every test still runs (nothing is skipped for lack of something installable).
"""
import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", max_examples=60, deadline=None, derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", max_examples=200, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
