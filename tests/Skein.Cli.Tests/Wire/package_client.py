#!/usr/bin/env python3
"""The Python client package (sdk/python, skein.Client) against a cluster whose nodes host the example services.

    python3 package_client.py SDK_PYTHON_DIR      # in the directory whose .skein holds the connection file

Each check prints "ok: ..."; the first that fails raises, and the script exits non-zero.
"""

import sys
import threading

sys.path.insert(0, sys.argv[1])

import skein  # noqa: E402
from skein import Client, RemoteError  # noqa: E402


def check(condition, message):
    if not condition:
        raise AssertionError(message)
    print("ok: " + message, flush=True)


with Client() as client:
    nodes = client.nodes()
    check(sorted(n.name for n in nodes if n.state == "alive") == ["alpha", "beta"], "nodes() lists alpha and beta alive")
    services = client.services()
    check(services["counter"][0].mode == "singleton" and "Repeat" in services["echo"][0].streaming,
          "services() gives modes and streaming methods")

    check(client.call("echo", "Echo", "hi") == "hi", "call() returns the result")
    check(client.call("worker", "Process", "apple")["item"] == "APPLE", "a record comes back as a dict with camelCase keys")
    check(list(client.stream("echo", "Repeat", "la", 3)) == ["la"] * 3, "stream() yields the items")
    check(len(list(client.stream("echo", "Repeat", "w", 200, window=8))) == 200, "a flow-controlled stream delivers every item")

    items = client.stream("echo", "Repeat", "x", 1000000, window=4)
    check(next(items) == "x", "a long stream starts")
    items.close()  # cancels it on the node
    check(client.call("echo", "Echo", "after") == "after", "the client still calls after closing a stream early")

    with client.reserve("echo") as echo:
        check([echo.call("Calls"), echo.call("Calls")] == [1, 2], "a reservation keeps one object across calls")
    check([client.call("echo", "Calls"), client.call("echo", "Calls")] == [1, 1], "calls without a reservation get objects of their own")

    try:
        client.call("echo", "Echo", "a", "b")
        raise AssertionError("two arguments were accepted")
    except RemoteError as error:
        check(error.kind == "method_not_found" and error.service == "echo", "a wrong call raises RemoteError with its kind")
    try:
        client.call("counter", "Wait", 600, timeout=0.3)
        raise AssertionError("the deadline did not end the call")
    except RemoteError as error:
        check(error.kind == "deadline_exceeded" and error.retriable, "a deadline raises deadline_exceeded, answered by the node")

    # Sixteen threads share one client.
    results = []
    def caller(i):
        results.extend(client.call("echo", "Echo", "t%d-%d" % (i, j)) for j in range(20))
    threads = [threading.Thread(target=caller, args=(i,)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    check(len(results) == 320 and len(set(results)) == 320, "16 threads share one client")

    with client.subscribe("package.>") as events:
        sequence = client.publish("package.hello", {"from": "python"})
        event = next(events)
        check((event.subject, event.value, event.sequence) == ("package.hello", {"from": "python"}, sequence),
              "subscribe() receives what publish() sent, with the sequence publish() returned")

print("all checks passed (skein %s)" % skein.__version__, flush=True)
