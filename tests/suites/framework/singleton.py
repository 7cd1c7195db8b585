#!/usr/bin/python3
# skein: description: every caller of a singleton service sees the same object
# skein: tags: [REQ-services-singleton]
import _framework as fw


def body():
    seen = {}
    clients = [fw.client(participant="caller-%d" % i) for i in range(3)]
    try:
        for i, c in enumerate(clients):
            seen["client-%d call" % i] = c.call("fw-single", "Identity")
            with c.reserve("fw-single") as proxy:
                seen["client-%d proxy" % i] = proxy.call("Identity")
    finally:
        for c in clients:
            c.close()
    for who, identity in sorted(seen.items()):
        print(who, identity)
    fw.check("one-object-for-every-caller", len(set(seen.values())) == 1, "callers saw %d objects: %s" % (len(set(seen.values())), seen))


fw.run(body)
