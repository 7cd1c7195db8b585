#!/usr/bin/env python3
"""The echo service of the Python rows of the remote-call benchmark: one string in, the same string out.

The helper comes from this source tree's sdk/python, or from the sdk/python folder SKEIN_PYTHON_SDK names (the
skein-python-base row: an earlier helper, measured in the same run). SKEIN_MODULE_CONCURRENCY, when set, is how many
calls the helper serves at once (the skein-python-serial row sets 1).
"""

import os
import platform
import sys

_SDK = os.environ.get("SKEIN_PYTHON_SDK") or os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "sdk", "python")
sys.path.insert(0, os.path.normpath(_SDK))

import skein_module  # noqa: E402
from skein_module import Module, method, service  # noqa: E402


@service("pyecho", mode="singleton")
class PyEcho:
    def __init__(self, module):
        self.module = module

    @method
    def echo(self, text: str) -> str:
        return text

    @method
    def serving(self) -> str:
        """How this process serves calls, for the bench to print next to its figures."""
        limit = getattr(self.module, "concurrency", None)
        how = ("up to %d calls at once, plain methods on a pool of threads" % limit if limit
               else "an earlier helper, which says nothing of its concurrency")
        return "%s; helper %s; Python %s (%s)" % (how, os.path.dirname(os.path.abspath(skein_module.__file__)),
                                                  platform.python_version(), sys.executable)


if __name__ == "__main__":
    sys.exit(Module(PyEcho).run())
