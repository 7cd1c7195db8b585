"""What the framework suite's experiments share: the Python package, results, waiting, and module control.

Not an experiment (its name starts with '_'); the experiments import it from their own directory.
"""

import os
import sys
import time
from typing import Any, Callable, Optional

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.normpath(os.path.join(HERE, "..", "..", "..", "sdk", "python")))

import grpc  # noqa: E402

import skein  # noqa: E402
from skein.client import TOKEN_HEADER  # noqa: E402
from skein.v1 import modules_pb2  # noqa: E402

MODULES = os.path.join(HERE, "modules")

# How long to wait for something that happens on its own (a service registered, withdrawn): generous, since the
# suite runs on loaded CI machines. Waiting ends as soon as it happens; only a wait that never ends fails.
# SKEIN_TEST_PATIENCE (seconds) changes it, as for the .NET tests.
PATIENCE = float(os.environ.get("SKEIN_TEST_PATIENCE", "120"))

_failures = []


class Failed(Exception):
    """An expectation that did not hold."""


def client(**kwargs: Any) -> "skein.Client":
    """A client of the cluster the experiment runs against (SKEIN_STATE, or SKEIN_CLUSTER and SKEIN_TOKEN)."""
    kwargs.setdefault("timeout", PATIENCE)
    return skein.Client(**kwargs)


def result(name: str, outcome: str, message: str = "") -> None:
    """One sub-result of the experiment, as a ::result line."""
    line = "::result name=%s outcome=%s" % (name, outcome)
    if message:
        line += ' message="%s"' % message.replace('"', "'").replace("\n", " | ")
    print(line, flush=True)
    if outcome not in ("passed", "warned", "skipped"):
        _failures.append(name)


def check(name: str, condition: bool, message: str) -> None:
    """A passed result when the condition holds, a failed one with the message otherwise."""
    result(name, "passed" if condition else "failed", "" if condition else message)


def finish() -> None:
    """Exits 1 when any result failed (the results already say which)."""
    sys.exit(1 if _failures else 0)


def wait_until(what: str, probe: Callable[[], Any], patience: Optional[float] = None) -> Any:
    """Polls probe until it returns something truthy; fails naming what never happened."""
    deadline = time.monotonic() + (PATIENCE if patience is None else patience)
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise Failed("%s did not happen within %.0f s" % (what, PATIENCE if patience is None else patience))
        time.sleep(0.05)


def node_address(c: "skein.Client", node: str) -> str:
    for info in c.nodes():
        if info.name == node and info.state == "alive" and info.call_address:
            return info.call_address
    raise Failed("no alive node %s with a call address among %s" % (node, [n.name for n in c.nodes()]))


def _modules_call(c: "skein.Client", node: str, method: str, request: Any, reply: Any) -> Any:
    # The Python package has no module control; Modules is a plain gRPC service on the node's call endpoint.
    with grpc.insecure_channel(node_address(c, node)) as channel:
        call = channel.unary_unary("/skein.v1.Modules/" + method, request_serializer=request.SerializeToString,
                                   response_deserializer=reply.FromString)
        return call(request, metadata=[(TOKEN_HEADER, c._token)], timeout=PATIENCE)


def load_module(c: "skein.Client", node: str, file_name: str, name: str) -> Any:
    """Loads modules/FILE_NAME on the node under NAME; returns once the node says it is active."""
    return _modules_call(c, node, "Load", modules_pb2.LoadModuleRequest(path=os.path.join(MODULES, file_name), name=name),
                         modules_pb2.ModuleDescription)


def unload_module(c: "skein.Client", node: str, name: str) -> None:
    _modules_call(c, node, "Unload", modules_pb2.UnloadModuleRequest(name=name), modules_pb2.UnloadModuleReply)


def hosts(c: "skein.Client", service: str) -> list:
    return c.services().get(service, [])


def run(body: Callable[[], None]) -> None:
    """Runs the experiment's body: an unexpected exception is a failed result naming it, then the exit code."""
    try:
        body()
    except Failed as failure:
        result("expectation", "failed", str(failure))
    except Exception as error:  # noqa: BLE001 - reported, with its type, as the experiment's failure
        result("unexpected-error", "failed", "%s: %s" % (type(error).__name__, error))
        raise
    finish()
