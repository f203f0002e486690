# -*- coding: utf-8 -*-
# Copyright: Contributors to the alibabacloud.ens collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Small statistics and number formatting: median, p90, a bootstrap interval of the median."""

from __future__ import annotations

import random
import statistics


def median(values):
    return statistics.median(values) if values else None


def p90(values):
    """90th percentile, linear interpolation between the closest ranks."""
    if not values:
        return None
    ordered = sorted(values)
    position = 0.9 * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def median_ci(values, level=0.9, resamples=2000, seed=7):
    """Bootstrap confidence interval of the median: how far the median of this many samples may wander."""
    if len(values) < 3:
        return None, None
    rng = random.Random(seed)
    medians = sorted(statistics.median(rng.choice(values) for _value in values) for _resample in range(resamples))
    tail = (1.0 - level) / 2.0
    return medians[int(tail * resamples)], medians[int((1.0 - tail) * resamples) - 1]


def fmt(value, digits=2, unit=""):
    if value is None:
        return "-"
    return ("%." + str(digits) + "f%s") % (value, unit)


def verdict(ok):
    return "**pass**" if ok else "**MISS**"
