"""People at a person's pace: each opens the dashboard, then reads and moves on.

A person arrives at a random moment within ``arrive_within_s``, opens the app's
address (the default page, a new session), then, until the run's time is up, reads
the page for ``read_s`` seconds (uniform between the two bounds) and follows the
navigation to another page picked at random. Now and then (``filter_share`` of the
moves) they also change one filter the sidebar binds to the address: a range of the
months slider, a period kind, an agency, as a person sets the view for a meeting; the
filter goes into the address (``query_string``), as the browser sends it.

Everything is seeded: the same seed gives the same arrivals, reading times, pages and
filters. A person stops at the first page that times out or loses its connection (a
browser would show the error and stop too); no person starts a page after the run's
time, and the whole run is cut off at a hard deadline, so it always ends.
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass
from urllib.parse import urlencode

import websockets

from metrics.loadgen.protocol import BoundWidget, PageRun, StreamlitSession

FATAL = {"timeout", "disconnected"}


@dataclass(frozen=True)
class Pace:
    """How people use the dashboard; see the module's docstring."""

    duration_s: float = 60.0  # no page is started after this
    arrive_within_s: float = 10.0
    read_s: tuple[float, float] = (5.0, 15.0)
    filter_share: float = 0.25
    page_timeout_s: float = 60.0
    seed: int = 7


@dataclass
class Visit:
    """One page a person waited for."""

    person: int
    order: int  # 0: the first page of the session (opening the address)
    started_s: float  # since the run started
    run: PageRun

    @property
    def first(self) -> bool:
        return self.order == 0


def choose_filter(widget: BoundWidget, rng: random.Random) -> list[str]:
    """A value for a bound widget, as a person would pick: a range of at least one
    option for a range slider, otherwise one option."""
    if widget.is_range:
        start = rng.randrange(len(widget.options))
        end = rng.randrange(start, len(widget.options))
        return [widget.options[start], widget.options[end]]
    return [rng.choice(widget.options)]


async def person(number: int, url: str, pace: Pace, started: float,
                 visits: list[Visit], failures: list[str]) -> None:
    rng = random.Random(f"{pace.seed}-{number}")
    await asyncio.sleep(rng.uniform(0, pace.arrive_within_s))
    session = StreamlitSession(url, page_timeout_s=pace.page_timeout_s)
    try:
        await session.connect()
    except (OSError, TimeoutError, websockets.InvalidHandshake):
        failures.append("connect_failed")
        return
    params: dict[str, list[str]] = {}
    try:
        at = time.monotonic() - started
        run = await session.open()
        visits.append(Visit(number, 0, at, run))
        order = 1
        while not FATAL & set(run.errors):
            reading = rng.uniform(*pace.read_s)
            if time.monotonic() - started + reading > pace.duration_s:
                break
            await asyncio.sleep(reading)
            others = [p for p in session.pages if run.page is None
                      or p.script_hash != run.page.script_hash]
            if not others:
                break
            if session.widgets and rng.random() < pace.filter_share:
                widget = rng.choice(sorted(session.widgets.values(), key=lambda w: w.key))
                params[widget.key] = choose_filter(widget, rng)
            at = time.monotonic() - started
            run = await session.follow(rng.choice(others), urlencode(params, doseq=True))
            visits.append(Visit(number, order, at, run))
            order += 1
    finally:
        await session.close()


async def crowd(url: str, sessions: int, pace: Pace) -> tuple[list[Visit], list[str]]:
    """Run ``sessions`` people at once; every page each waited for, and the failures
    outside a page (a connection refused, the hard deadline reached)."""
    visits: list[Visit] = []
    failures: list[str] = []
    started = time.monotonic()
    tasks = [asyncio.create_task(person(n, url, pace, started, visits, failures))
             for n in range(sessions)]
    hard_deadline = pace.duration_s + pace.arrive_within_s + pace.page_timeout_s + 30
    done, pending = await asyncio.wait(tasks, timeout=hard_deadline)
    for task in pending:
        task.cancel()
        failures.append("cut_off")
    await asyncio.gather(*pending, return_exceptions=True)
    for task in done:
        if task.exception() is not None:
            failures.append(f"crashed:{type(task.exception()).__name__}")
    return sorted(visits, key=lambda v: (v.person, v.order)), failures
