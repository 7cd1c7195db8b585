#!/usr/bin/env python3
"""`fw-discover`, a service the suite loads to measure how soon the cluster lists it (not loaded by the configuration)."""

import os
import sys

sys.path.insert(0, os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "..", "sdk", "python")))

from skein_module import Module, method, service  # noqa: E402


@service("fw-discover", mode="singleton")
class Discovered:
    @method
    def ping(self) -> str:
        return "pong"


if __name__ == "__main__":
    sys.exit(Module(Discovered).run())
