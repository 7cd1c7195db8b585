#!/usr/bin/env python3
"""`fw-recreate`, a singleton the suite loads, unloads and loads again (not loaded by the configuration)."""

import os
import sys
import uuid

sys.path.insert(0, os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "..", "sdk", "python")))

from skein_module import Module, method, service  # noqa: E402


@service("fw-recreate", mode="singleton")
class Recreated:
    def __init__(self) -> None:
        self._id = "%s/%d/%s" % (os.environ.get("SKEIN_NODE", "?"), os.getpid(), uuid.uuid4().hex)

    @method
    def identity(self) -> str:
        return self._id


if __name__ == "__main__":
    sys.exit(Module(Recreated).run())
