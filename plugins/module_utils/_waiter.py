# -*- coding: utf-8 -*-
# Copyright: Contributors to the alibabacloud.ens collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Waiting for asynchronous ENS changes (Attaching, Detaching, Stopping, Starting) with tenacity."""

from __future__ import annotations

import random
import time

try:
    import tenacity
except ImportError:  # reported by the module with missing_required_lib
    tenacity = None

from ansible_collections.alibabacloud.ens.plugins.module_utils._errors import EnsApiError, EnsError

FIRST_POLL_SECONDS = 0.3
# Slow growth while most ENI changes finish (seconds), faster once a wait is clearly a long one (a start/stop).
EARLY_GROWTH_PER_SECOND = 0.08
EARLY_SECONDS = 10.0
LATE_GROWTH_PER_SECOND = 0.25
MAX_POLL_INTERVAL_SECONDS = 3.5
JITTER_FRACTION = 0.15
# How long a resource may still show the status it had before an accepted call (read-after-write lag)
# before the call counts as not taken: about 27 polls, ten times the few seconds an eventually consistent
# read usually lags, a tenth of the default wait_timeout (300 s / 600 s) that a call which never took would cost.
READ_LAG_GRACE_SECONDS = 30.0


class EnsWaitTimeout(EnsError):
    """A wait ran out of time; the message names each resource and the last status seen."""


class GrowingPollInterval:
    """Poll interval that grows with the time already waited, capped, jittered, never past the deadline.

    A change that takes t seconds is noticed about interval(t)/2 late on average, so short changes are
    seen quickly while long ones cost few polls: 0.3 s at first, 1.1 s after 10 s, 3.5 s from 20 s on.
    """

    def __init__(self, timeout, first=FIRST_POLL_SECONDS, early_growth=EARLY_GROWTH_PER_SECOND,
                 early_seconds=EARLY_SECONDS, late_growth=LATE_GROWTH_PER_SECOND,
                 cap=MAX_POLL_INTERVAL_SECONDS, jitter=JITTER_FRACTION):
        self.timeout = timeout
        self.first = first
        self.early_growth = early_growth
        self.early_seconds = early_seconds
        self.late_growth = late_growth
        self.cap = cap
        self.jitter = jitter

    def base_interval(self, waited):
        early = min(waited, self.early_seconds)
        late = max(0.0, waited - self.early_seconds)
        return min(self.cap, self.first + self.early_growth * early + self.late_growth * late)

    def interval(self, waited):
        return self.base_interval(waited) * random.uniform(1.0 - self.jitter, 1.0)

    def after(self, waited):
        """How long to sleep after `waited` seconds: the next interval, cut short at the deadline."""
        return max(0.0, min(self.interval(waited), self.timeout - waited))

    def __call__(self, retry_state):
        return self.after(retry_state.seconds_since_start)


class AcceptedCall:
    """A mutating call the API accepted, whose effect reads may not show yet (read-after-write lag)."""

    def __init__(self, action, request_id, accepted_at, source_status, unsure=None):
        self.action = action
        self.request_id = request_id
        self.accepted_at = accepted_at
        self.source_status = source_status
        self.unsure = unsure  # the error that may have hidden its acceptance (a lost answer not yet seen to land)
        self.progressed = False  # a read has shown the resource past its source status since the call

    def age(self, now):
        return max(0.0, now - self.accepted_at)

    def lagging(self, now, grace=READ_LAG_GRACE_SECONDS):
        """Whether reads still showing the source status may just be stale: within the grace period."""
        return not self.progressed and self.age(now) < grace

    def describe(self, now):
        if self.unsure is not None:
            return ("the %s call got no clear answer %.0f s ago, so it may or may not have been applied (%s)"
                    % (self.action, self.age(now), self.unsure.message))
        return "the %s call was accepted %.0f s ago (request id %s)" % (self.action, self.age(now), self.request_id or "none")


class Waiter:
    """Calls `poll` until it returns True; a transient API error in a poll means "not yet".

    `sleep` and `clock` (monotonic seconds) are injectable so that tests run a long wait in no time.
    """

    def __init__(self, timeout, sleep=None, clock=None):
        self.timeout = max(0, timeout)
        self.sleep = sleep or time.sleep
        self.clock = clock or time.monotonic
        self.polls = 0
        self.last_error = None

    def wait(self, poll, describe_pending, what):
        """Wait for `what`; on timeout raise EnsWaitTimeout with `describe_pending()` in the message."""
        if tenacity is None:  # pragma: no cover - the module checks this first
            raise RuntimeError("tenacity is required")

        def attempt():
            self.polls += 1
            try:
                done = poll()
            except EnsApiError as error:
                if not error.transient:
                    raise
                self.last_error = error
                return False
            self.last_error = None
            return bool(done)

        started = self.clock()
        interval = GrowingPollInterval(self.timeout)
        retrying = tenacity.Retrying(
            retry=tenacity.retry_if_result(lambda done: not done),
            wait=lambda retry_state: interval.after(self.clock() - started),
            stop=lambda retry_state: self.clock() - started >= self.timeout,
            sleep=self.sleep,
            reraise=True,
        )
        try:
            retrying(attempt)
        except tenacity.RetryError:
            message = "Timed out after %g s waiting for %s: %s" % (self.timeout, what, describe_pending())
            if self.last_error is not None:
                message += " (the last poll failed: %s)" % self.last_error
            raise EnsWaitTimeout(message, wait_timeout=self.timeout, polls=self.polls)
        return self.polls
