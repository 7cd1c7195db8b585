#!/usr/bin/env python3
"""The `stats` service, a Skein module written in Python.

    skein module load examples/modules/stats   # the folder: module.yaml says what to load and how
    skein call stats Mean '[[1,2,3,4]]'        # 2.5
    skein call stats Describe '[[1,2,3,4]]'    # {"count":4,"mean":2.5,...}

module.yaml beside this file names it, sets its restart policy and gives it a
config: `stdev` (sample or population) for Describe.

It uses the helper in sdk/python (standard library only), found relative to
this file so the example runs from a checkout as it is.
"""

import os
import statistics
import sys
from typing import Dict, Iterator, List

sys.path.insert(0, os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "sdk", "python")))

from skein_module import Module, method, service  # noqa: E402


@service("stats", mode="singleton")
class Stats:
    """Summary statistics of lists of numbers. Stateless, so one object serves every caller."""

    def __init__(self, module: Module):
        # module.yaml's config arrives in the node's welcome; `stdev` picks Describe's standard deviation.
        self.stdev = module.config.get("stdev", "sample")
        if self.stdev not in ("sample", "population"):
            raise ValueError("config stdev must be sample or population, not %r" % (self.stdev,))

    @method
    def mean(self, values: List[float]) -> float:
        """The arithmetic mean; an empty list is an error (statistics.StatisticsError)."""
        return statistics.mean(values)

    @method
    def median(self, values: List[float]) -> float:
        """The middle value (the mean of the two middle values for an even count)."""
        return statistics.median(values)

    @method
    def describe(self, values: List[float]) -> Dict[str, float]:
        """Count, mean, median, min, max and the sample standard deviation, in one call."""
        if not values:
            raise ValueError("describe needs at least one value")
        return {
            "count": len(values),
            "mean": statistics.mean(values),
            "median": statistics.median(values),
            "min": min(values),
            "max": max(values),
            "stdev": self._stdev(values),
        }

    def _stdev(self, values: List[float]) -> float:
        if self.stdev == "population":
            return statistics.pstdev(values)
        return statistics.stdev(values) if len(values) > 1 else 0.0

    @method
    def running_mean(self, values: List[float]) -> Iterator[float]:
        """Streams the mean of the first 1, 2, … n values: one stream item per value."""
        total = 0.0
        for count, value in enumerate(values, start=1):
            total += value
            yield total / count


if __name__ == "__main__":
    sys.exit(Module(Stats).run())
