"""The body of meet-1, meet-2 and meet-3: each runs on a node of its own, arrives at the barrier with its context,
sees the others' contexts, then waits at the same barrier for all three to be done (DEFw's agents)."""

import json
import os

import _framework as fw

BARRIER = "framework-meet"
COUNT = 3


def main():
    def body():
        me = os.environ["SKEIN_EXPERIMENT"]
        barrier = "%s-%s" % (BARRIER, os.environ.get("SKEIN_RUN_ID", "run"))
        node = os.environ["SKEIN_NODE"]
        with fw.client(participant=me) as c:
            contexts = c.exchange(barrier, COUNT, json.dumps({"node": node, "pid": os.getpid()}), timeout=fw.PATIENCE * 2)
            for who, context in sorted(contexts.items()):
                print(who, context)
            fw.check("everyone-arrived", len(contexts) == COUNT, "%d contexts: %s" % (len(contexts), sorted(contexts)))
            fw.check("own-context", json.loads(contexts.get(me, "{}")).get("node") == node, "its own context is %r" % contexts.get(me))
            nodes = {json.loads(v)["node"] for v in contexts.values()}
            fw.check("three-nodes", len(nodes) == COUNT, "the participants ran on %s" % sorted(nodes))
            # The same name once more: wait until all three are done with what they exchanged.
            done = c.barrier(barrier, COUNT, timeout=fw.PATIENCE * 2)
            fw.check("all-done", len(done.participants) == COUNT, "the closing barrier released %s" % list(done.participants))

    fw.run(body)
