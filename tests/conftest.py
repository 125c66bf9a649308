"""Shared test settings: Hypothesis profiles, and pytest's own `__main__` kept in place.

`default` keeps the suite fast for `make test`; `ci` and `long` run more
examples (`pytest --hypothesis-profile=long -m slow` for the long fuzz runs).
"""

from __future__ import annotations

import sys

import pytest
from hypothesis import HealthCheck, settings

_SLOW_OK = [HealthCheck.too_slow, HealthCheck.data_too_large]

settings.register_profile("default", deadline=None, suppress_health_check=_SLOW_OK)
settings.register_profile("ci", max_examples=200, deadline=None, suppress_health_check=_SLOW_OK)
settings.register_profile("long", max_examples=2000, deadline=None, suppress_health_check=_SLOW_OK)
settings.load_profile("default")


_MAIN_MODULE = sys.modules.get("__main__")  # pytest's own, before any test ran


@pytest.fixture(autouse=True)
def _restore_main_module():
    """Streamlit's AppTest installs the app it ran as sys.modules["__main__"] and never puts
    the real one back; a process spawned later would run the app script on start-up."""
    yield
    if _MAIN_MODULE is not None and sys.modules.get("__main__") is not _MAIN_MODULE:
        sys.modules["__main__"] = _MAIN_MODULE
