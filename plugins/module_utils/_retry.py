# -*- coding: utf-8 -*-
# Copyright: Contributors to the alibabacloud.ens collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""How calls are spaced and retried: the pacer under a calls-per-second ceiling, and the retry policy."""

from __future__ import annotations

import random
import time

try:
    import tenacity
except ImportError:  # reported by the module with missing_required_lib
    tenacity = None

from ansible_collections.alibabacloud.ens.plugins.module_utils._errors import EnsApiError, is_throttling
from ansible_collections.alibabacloud.ens.plugins.module_utils._options import DEFAULT_API_RETRIES, DEFAULT_API_RETRY_MAX_SECONDS

BACKOFF_BASE_SECONDS = 0.25
BACKOFF_CAP_SECONDS = 8.0


class Pacer:
    """Spaces every API call of a run evenly under a ceiling of calls per second, and counts them.

    A throttled answer halves the pace (down to one call a second); each answer that is not throttled wins back a
    twentieth of the top pace. The spacing aims 5% under the top pace, so that no calendar second as the API counts it
    (answers arrive with jitter) gets more calls than the ceiling. No ceiling: calls are only counted.
    """

    MARGIN = 1.05

    def __init__(self, ceiling=None, clock=None, sleep=None, wall=None):
        self.ceiling = ceiling if ceiling and ceiling > 0 else None
        # A second holds whole calls: at 2.5 calls/s a pace of 2.5 would put 3 calls in some seconds, so go at 2.
        self.top = float(int(self.ceiling)) if self.ceiling and self.ceiling >= 1 else self.ceiling
        self.rate = self.top
        self.clock = clock or time.monotonic
        self.sleep = sleep or time.sleep
        self.wall = wall or time.time
        self.next_at = 0.0
        self.calls = 0
        self.throttled = 0
        self.busiest_second = 0
        self._second = None
        self._in_second = 0

    def before_call(self):
        """Wait for the call's turn, then count it."""
        if self.rate:
            now = self.clock()
            if now < self.next_at:
                self.sleep(self.next_at - now)
                now = self.clock()
            self.next_at = max(now, self.next_at) + self.MARGIN / self.rate
        self.calls += 1
        second = int(self.wall())
        self._in_second = self._in_second + 1 if second == self._second else 1
        self._second = second
        self.busiest_second = max(self.busiest_second, self._in_second)

    def after_answer(self, throttled):
        if throttled:
            self.throttled += 1
            if self.rate:
                self.rate = max(min(1.0, self.top), self.rate / 2.0)
        elif self.rate and self.rate < self.top:
            self.rate = min(self.top, self.rate + self.top / 20.0)

    def as_dict(self):
        return {"calls": self.calls, "throttled": self.throttled, "busiest_second": self.busiest_second,
                "max_calls_per_second": self.ceiling}


class RetryPolicy:
    """Bounds for retrying one API call after a transient error.

    `attempts` bounds the attempts after errors other than throttling; throttling is refused at the gateway
    (resending is safe) and is bounded by `max_seconds` alone, honouring the server's retry-after.
    """

    def __init__(self, attempts=DEFAULT_API_RETRIES + 1, max_seconds=DEFAULT_API_RETRY_MAX_SECONDS,
                 base=BACKOFF_BASE_SECONDS, cap=BACKOFF_CAP_SECONDS, sleep=None):
        self.attempts = max(1, attempts)
        self.max_seconds = max_seconds
        self.base = base
        self.cap = cap
        self.sleep = sleep

    def backoff(self, retry_state):
        """Exponential backoff with full jitter; a server's retry-after is a floor; never past max_seconds."""
        ceiling = min(self.cap, self.base * (2 ** min(retry_state.attempt_number - 1, 20)))
        delay = random.uniform(0, ceiling)
        error = last_error(retry_state)
        if isinstance(error, EnsApiError) and error.retry_after:
            delay = max(delay, error.retry_after)
        return max(0.0, min(delay, self.max_seconds - (retry_state.seconds_since_start or 0.0)))

    def should_stop(self, retry_state):
        elapsed = retry_state.seconds_since_start or 0.0
        if elapsed >= self.max_seconds:
            return True
        error = last_error(retry_state)
        if isinstance(error, EnsApiError) and is_throttling(error.code):
            # A retry-after past the budget cannot be honoured: stop now rather than call too early.
            return bool(error.retry_after) and elapsed + error.retry_after > self.max_seconds
        return retry_state.attempt_number >= self.attempts

    def retrying(self, should_retry):
        kwargs = {}
        if self.sleep is not None:
            kwargs["sleep"] = self.sleep
        return tenacity.Retrying(
            retry=tenacity.retry_if_exception(should_retry),
            wait=self.backoff,
            stop=self.should_stop,
            reraise=True,
            **kwargs
        )


def last_error(retry_state):
    outcome = retry_state.outcome
    return outcome.exception() if outcome is not None and outcome.failed else None


def is_transient(error):
    return isinstance(error, EnsApiError) and error.transient


def gave_up(error, retrying):
    """A transient error that outlasted the retries says so: the user sees the attempts and the time spent."""
    attempts = retrying.statistics.get("attempt_number", 1)
    if error.transient and attempts > 1:
        error.message += " (gave up after %d attempts in %.0f s: see api_retries and api_retry_max_seconds)" % (
            attempts, retrying.statistics.get("delay_since_first_attempt", 0.0))
        error.args = (error.message,)
    return error
