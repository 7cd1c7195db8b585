#!/usr/bin/env python3
"""The `report` service: summaries of numbers formatted by its config (an app's `config:`).

Started by its app (examples/apps/report/app.yaml), which depends on the stats app; see docs/modules.md, "Apps".
"""

import os
import sys
from typing import List

sys.path.insert(0, os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "sdk", "python")))

from skein_module import Module, method, service  # noqa: E402


@service("report", mode="singleton")
class Report:
    """Reads its title and precision from the module's config, which the app's file gives."""

    def __init__(self, module):
        self.title = module.config.get("title", "Summary")
        self.precision = int(module.config.get("precision", 2))

    @method
    def summary(self, values: List[float]) -> str:
        """One line: the title, the count, the mean and the range, rounded to the configured precision."""
        if not values:
            raise ValueError("summary needs at least one value")
        p = self.precision
        mean = sum(values) / len(values)
        return "%s: %d values, mean %.*f, range %.*f to %.*f" % (self.title, len(values), p, mean, p, min(values), p, max(values))


if __name__ == "__main__":
    sys.exit(Module(Report).run())
