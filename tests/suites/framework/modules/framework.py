#!/usr/bin/env python3
"""Services the framework suite calls: loaded on every node by the suite's configuration.

- `fw-conn`   per-connection: every proxy (reservation) gets an object of its own.
- `fw-single` singleton: one object for every caller.
- `fw-fail`   raises, so that callers can check how a remote exception reaches them.

Each object answers `Identity` with something no other object has: its node, its process and a random id made
when it was created.
"""

import os
import sys
import uuid

sys.path.insert(0, os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "..", "sdk", "python")))

from skein_module import Module, method, service  # noqa: E402


class _Identified:
    def __init__(self) -> None:
        self._id = "%s/%d/%s" % (os.environ.get("SKEIN_NODE", "?"), os.getpid(), uuid.uuid4().hex)

    @method
    def identity(self) -> str:
        return self._id


@service("fw-conn", mode="per_connection")
class PerConnection(_Identified):
    pass


@service("fw-single", mode="singleton")
class Single(_Identified):
    pass


class FrameworkFailure(Exception):
    """What fw-fail raises: a type of this module's own, so the caller can check the type travels."""


@service("fw-fail", mode="per_connection")
class Fail:
    @method
    def fail(self, first: str, second: str) -> None:
        # chr(10), not a backslash escape: the caller checks the stack trace (which quotes this line) has no "\\n".
        _raise_from_a_nested_frame(first + chr(10) + second)


def _raise_from_a_nested_frame(message: str) -> None:
    raise FrameworkFailure(message)


if __name__ == "__main__":
    sys.exit(Module(PerConnection, Single, Fail).run())
