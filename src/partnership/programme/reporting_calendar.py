"""The cycle's calendar as the programme sees it, without importing the cycle (DESIGN.md: `cycle` depends
on `programme`, never the reverse). The cycle app registers its calendar from its AppConfig.ready();
without one (the programme alone) the reporting period is the calendar year and no call ever closes.

Two questions only: which period the partnership is reporting on now (the cycle in progress, para 19),
and when each period's call for updates closed and what then becomes of a late update (para 20: the
Council reviews the updates the call gathered; one filed after it is refused or counted as late, as the
secretariats decided for that cycle, never silently).
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class CallForUpdates:
    """A period's call for updates: the moment it closed (UTC) and whether a later update is refused."""

    period: int
    closes_at: datetime.datetime
    refuse_late: bool

    def is_late(self, filed_at: datetime.datetime) -> bool:
        """Whether an update filed at `filed_at` came after the call closed."""
        return filed_at > self.closes_at


@dataclass(frozen=True)
class Cycles:
    """The calendar at a glance: the period in progress (None: no cycle yet) and every cycle's call."""

    reporting_period: int | None
    calls: dict[int, CallForUpdates]


_calendar: list[Callable[[], Cycles]] = []


def register(cycles: Callable[[], Cycles]) -> None:
    """Set the function that reads the calendar (the cycle app's, one query); registering again
    replaces it."""
    _calendar[:] = [cycles]


def current() -> Cycles:
    """The calendar now: the period of the cycle in progress, else the current calendar year, and the
    calls of every cycle (one row a year: read whole, in one query)."""
    from .models import current_period

    found = _calendar[0]() if _calendar else Cycles(None, {})
    if found.reporting_period is None:
        return Cycles(current_period(), found.calls)
    return found


def reporting_period() -> int:
    """The period of the cycle in progress, else the current calendar year."""
    period = current().reporting_period
    assert period is not None
    return period
