"""Shared test settings: Hypothesis profiles.

`default` keeps the suite fast for `make test`; `ci` and `long` run more
examples (`pytest --hypothesis-profile=long -m slow` for the long fuzz runs).
"""

from __future__ import annotations

from hypothesis import HealthCheck, settings

_SLOW_OK = [HealthCheck.too_slow, HealthCheck.data_too_large]

settings.register_profile("default", deadline=None, suppress_health_check=_SLOW_OK)
settings.register_profile("ci", max_examples=200, deadline=None, suppress_health_check=_SLOW_OK)
settings.register_profile("long", max_examples=2000, deadline=None, suppress_health_check=_SLOW_OK)
settings.load_profile("default")
