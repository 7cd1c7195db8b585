#!/usr/bin/env python3
"""The echo service of the Python row of the remote-call benchmark: one string in, the same string out."""

import os
import sys

sys.path.insert(0, os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "sdk", "python")))

from skein_module import Module, method, service  # noqa: E402


@service("pyecho", mode="singleton")
class PyEcho:
    @method
    def echo(self, text: str) -> str:
        return text


if __name__ == "__main__":
    sys.exit(Module(PyEcho).run())
