# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import time

import pytest

from ansible_collections.alibabacloud.ens.plugins.module_utils._errors import EnsApiError
from ansible_collections.alibabacloud.ens.plugins.module_utils._waiter import (
    MAX_POLL_INTERVAL_SECONDS,
    EnsWaitTimeout,
    GrowingPollInterval,
    Waiter,
)


def test_interval_starts_under_half_a_second_grows_and_is_capped():
    interval = GrowingPollInterval(timeout=1000)
    firsts = [interval.interval(0) for attempt in range(200)]
    assert max(firsts) <= 0.5
    assert min(interval.interval(10) for attempt in range(50)) > max(firsts)
    assert max(interval.interval(600) for attempt in range(200)) <= MAX_POLL_INTERVAL_SECONDS <= 5
    jittered = set(round(interval.interval(10), 6) for attempt in range(20))
    assert len(jittered) > 1


def polls_in(seconds, interval):
    waited, polls = 0.0, 0
    while waited < seconds:
        waited += interval.interval(waited)
        polls += 1
    return polls


def test_polls_grow_sparser_and_total_stays_bounded():
    # The best-known peers poll at once, then every 5 s: 13 polls over a 60 s wait. Three times that is the most we allow.
    counts = [polls_in(60, GrowingPollInterval(timeout=1000)) for attempt in range(200)]
    assert 13 < sum(counts) / len(counts) <= 3 * 13
    assert polls_in(60, GrowingPollInterval(timeout=1000, jitter=0)) <= 3 * 12
    # Short changes are watched closely: the interval is still under 1.2 s after 10 s of waiting.
    assert GrowingPollInterval(timeout=1000).base_interval(10) < 1.2
    assert GrowingPollInterval(timeout=1000).base_interval(20) == MAX_POLL_INTERVAL_SECONDS


def test_wait_returns_when_done_and_counts_polls():
    answers = iter([False, False, True])
    waiter = Waiter(timeout=10, sleep=lambda seconds: None)
    assert waiter.wait(lambda: next(answers), lambda: "x", "thing") == 3


def test_transient_error_in_a_poll_means_not_yet():
    answers = iter(["throttle", "throttle", True])

    def poll():
        answer = next(answers)
        if answer == "throttle":
            raise EnsApiError("throttled", code="Throttling.User", transient=True)
        return answer

    assert Waiter(timeout=10, sleep=lambda seconds: None).wait(poll, lambda: "x", "thing") == 3


def test_permanent_error_in_a_poll_fails_at_once():
    def poll():
        raise EnsApiError("bad signature", code="SignatureDoesNotMatch")

    with pytest.raises(EnsApiError, match="bad signature"):
        Waiter(timeout=10, sleep=lambda seconds: None).wait(poll, lambda: "x", "thing")


def test_timeout_names_pending_and_never_sleeps_past_the_deadline():
    slept = []

    def sleep(seconds):
        slept.append(seconds)
        time.sleep(seconds)

    waiter = Waiter(timeout=1.5, sleep=sleep)
    started = time.monotonic()
    with pytest.raises(EnsWaitTimeout) as raised:
        waiter.wait(lambda: False, lambda: "eni-a is Attaching", "ENIs to be InUse")
    assert time.monotonic() - started >= 1.5
    # The sleeps add up to the timeout at most: the last one is cut short at the deadline.
    assert sum(slept) <= 1.5
    assert "eni-a is Attaching" in raised.value.message
    assert raised.value.details["polls"] == waiter.polls >= 3


def test_timeout_mentions_last_failed_poll():
    def poll():
        raise EnsApiError("Failed to describe ENIs: Throttling.User", code="Throttling.User", transient=True)

    with pytest.raises(EnsWaitTimeout, match="the last poll failed: Failed to describe ENIs: Throttling.User"):
        Waiter(timeout=0.5).wait(poll, lambda: "eni-a is InUse", "ENIs")
