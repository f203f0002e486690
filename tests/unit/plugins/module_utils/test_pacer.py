# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The pacer on a fake clock: no calendar second over the ceiling, throttling halves the pace and it recovers."""

from __future__ import annotations

import pytest

from ansible_collections.alibabacloud.ens.plugins.module_utils._retry import Pacer
from ansible_collections.alibabacloud.ens.tests.unit.plugins.module_utils.fake_cloud import Clock


def pacer_on(clock, ceiling, wall_offset=0.0):
    """A pacer whose monotonic clock and wall clock (offset: seconds do not start at 0) both follow `clock`."""
    return Pacer(ceiling, clock=clock, sleep=clock.sleep, wall=lambda: clock() + wall_offset)


def per_second(times, wall_offset):
    counts = {}
    for when in times:
        second = int(when + wall_offset)
        counts[second] = counts.get(second, 0) + 1
    return counts


def make_calls(pacer, clock, count, work=0.0):
    """`count` calls back to back (each taking `work` seconds of the caller's time); returns when each went."""
    times = []
    for _index in range(count):
        pacer.before_call()
        times.append(clock())
        pacer.after_answer(False)
        clock.sleep(work)
    return times


@pytest.mark.parametrize("ceiling", [1, 2.5, 3, 7.9, 10, 40, 100])
@pytest.mark.parametrize("wall_offset", [0.0, 0.37, 0.999])
@pytest.mark.parametrize("work", [0.0, 0.004])
def test_no_calendar_second_gets_more_calls_than_the_ceiling_yet_the_pace_is_close_to_it(ceiling, wall_offset, work):
    clock = Clock()
    pacer = pacer_on(clock, ceiling, wall_offset)
    times = make_calls(pacer, clock, int(5 * ceiling) + 7, work)
    counts = per_second(times, wall_offset)
    assert max(counts.values()) <= ceiling
    assert pacer.busiest_second == max(counts.values())
    assert pacer.calls == len(times) and pacer.throttled == 0
    # Not slower than the 5% margin needs: the full seconds in the middle carry nearly the ceiling.
    middle = [counts[second] for second in sorted(counts)[1:-1]]
    assert middle and min(middle) >= int(int(ceiling) / Pacer.MARGIN) - (1 if work else 0)


def test_a_throttled_answer_halves_the_pace_and_the_answers_after_it_win_it_back():
    clock = Clock()
    pacer = pacer_on(clock, 10)
    make_calls(pacer, clock, 3)
    pacer.before_call()
    pacer.after_answer(True)
    assert pacer.throttled == 1 and pacer.rate == 5
    before = clock()
    pacer.before_call()
    assert clock() - before == pytest.approx(Pacer.MARGIN / 10)  # the turn given before the throttled answer stands
    pacer.after_answer(False)
    assert pacer.rate == pytest.approx(5.5)
    before = clock()
    pacer.before_call()
    assert clock() - before == pytest.approx(Pacer.MARGIN / 5)  # then calls are spaced at the halved pace
    for _index in range(8):
        pacer.after_answer(False)
    assert pacer.rate == pytest.approx(9.5)
    pacer.after_answer(False)
    pacer.after_answer(False)
    assert pacer.rate == 10  # never past the ceiling
    assert pacer.as_dict() == {"calls": 6, "throttled": 1, "busiest_second": pacer.busiest_second, "max_calls_per_second": 10}


@pytest.mark.parametrize("ceiling,floor", [(40, 1.0), (0.5, 0.5), (1.5, 1.0)])
def test_throttling_again_and_again_slows_down_to_one_call_a_second_never_to_a_stop(ceiling, floor):
    clock = Clock()
    pacer = pacer_on(clock, ceiling)
    for _index in range(20):
        pacer.before_call()
        pacer.after_answer(True)
    assert pacer.rate == floor and pacer.throttled == 20
    before = clock()
    pacer.before_call()
    assert clock() - before == pytest.approx(Pacer.MARGIN / floor)


@pytest.mark.parametrize("ceiling", [None, 0])
def test_no_ceiling_never_sleeps_but_still_counts(ceiling):
    clock = Clock()

    def no_sleep(seconds):
        raise AssertionError("slept %s s without a ceiling" % seconds)

    walls = iter([5.1, 5.2, 5.9, 6.0, 6.1, 6.2, 6.3, 7.5])
    pacer = Pacer(ceiling, clock=clock, sleep=no_sleep, wall=lambda: next(walls))
    for _index in range(8):
        pacer.before_call()
        pacer.after_answer(_index == 2)
    assert pacer.as_dict() == {"calls": 8, "throttled": 1, "busiest_second": 4, "max_calls_per_second": None}


def test_the_busiest_second_counts_calendar_seconds_of_the_wall_clock():
    clock = Clock()
    walls = iter([100.2, 100.5, 100.99, 101.0, 101.1, 103.4])
    pacer = Pacer(None, clock=clock, wall=lambda: next(walls))
    for _index in range(6):
        pacer.before_call()
    assert pacer.busiest_second == 3 and pacer.calls == 6


def test_a_ceiling_under_one_call_a_second_spaces_calls_further_apart():
    clock = Clock()
    pacer = pacer_on(clock, 0.25)
    times = make_calls(pacer, clock, 4)
    assert [round(later - earlier, 6) for earlier, later in zip(times, times[1:])] == [round(Pacer.MARGIN / 0.25, 6)] * 3
    assert pacer.busiest_second == 1
