"""A build's DuckDB memory limit: 5 GB, or half the machine's memory below 10 GB (a 10M
build then stays within 8 GB: docs/decisions.md, "Memory")."""

from __future__ import annotations

import os

import pytest

from metrics import build


@pytest.mark.parametrize(("machine_gib", "limit"), [
    (24, "5.0GB"), (16, "5.0GB"), (10, "5.0GB"), (8, "4.0GB"), (4, "2.0GB"),
])
def test_the_default_limit_by_the_machine_s_memory(monkeypatch, machine_gib, limit):
    page = 4096
    pages = machine_gib * 2**30 // page
    monkeypatch.setattr(os, "sysconf", lambda name: {"SC_PAGE_SIZE": page,
                                                     "SC_PHYS_PAGES": pages}[name])
    assert build.default_memory_limit() == limit
