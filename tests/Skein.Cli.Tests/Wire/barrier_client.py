#!/usr/bin/env python3
"""One participant of a barrier, with the Python client package (sdk/python, skein.Client), against a real coordinator.

    SKEIN_PARTICIPANT=NAME python3 barrier_client.py SDK_PYTHON_DIR COUNT [--checks]

Run in the directory whose .skein holds the connection file. Exchanges "context of NAME" at the barrier 'mixed' with
COUNT participants, meets them again under the same name (everyone done), and prints what it received as one line
"contexts: {JSON}". With --checks it first checks a timeout and bad input, each printing "ok: ...".
"""

import json
import os
import sys

sys.path.insert(0, sys.argv[1])

from skein import BarrierTimeout, Client  # noqa: E402

count = int(sys.argv[2])
patience = float(os.environ.get("SKEIN_TEST_PATIENCE", "120"))


def check(condition, message):
    if not condition:
        raise AssertionError(message)
    print("ok: " + message, flush=True)


def refused(call, kind):
    try:
        call()
    except kind as error:
        return str(error)
    raise AssertionError("accepted")


with Client() as client:
    me = client.participant
    if "--checks" in sys.argv:
        timed_out = refused(lambda: client.barrier("lonely", [me, "ghost"], timeout=0.2), BarrierTimeout)
        check(timed_out == "barrier 'lonely' timed out after 200ms: 1 of 2 arrived (%s); missing ghost" % me,
              "a timeout names who arrived and the declared participant missing")
        check(refused(lambda: client.barrier("bad", 0), ValueError) == "barrier 'bad': the count must be 1 to 1,024 participants, not 0",
              "a count of 0 is refused by the coordinator, naming the barrier")
        check("not 1,025" in refused(lambda: client.barrier("bad", 1025), ValueError), "a count over the limit is refused")
        check("65,537 bytes, over the limit" in refused(lambda: client.exchange("bad", 2, "x" * 65537), ValueError),
              "an oversized context is refused, naming its size")

    contexts = client.exchange("mixed", count, "context of " + me, timeout=patience)
    done = client.barrier("mixed", count, timeout=patience)
    check(sorted(done.participants) == sorted(contexts), "the same participants meet again under the same name")
    print("contexts: " + json.dumps(contexts, sort_keys=True), flush=True)
