#!/usr/bin/python3
# skein: description: two proxies of a per-connection service get different server objects; one proxy keeps its object
# skein: tags: [REQ-services-per-connection]
import _framework as fw


def body():
    with fw.client() as c:
        with c.reserve("fw-conn") as first, c.reserve("fw-conn") as second:
            a1, a2 = first.call("Identity"), first.call("Identity")
            b1, b2 = second.call("Identity"), second.call("Identity")
            print("first proxy:", a1, a2)
            print("second proxy:", b1, b2)
            fw.check("one-proxy-keeps-its-object", a1 == a2 and b1 == b2,
                     "a proxy's calls reached different objects: %s then %s; %s then %s" % (a1, a2, b1, b2))
            fw.check("two-proxies-two-objects", a1 != b1, "two proxies share the object %s" % a1)
        # A call without a proxy gets an object of its own, released after the call.
        plain = {c.call("fw-conn", "Identity") for _ in range(3)}
        fw.check("calls-without-proxy-own-objects", len(plain) == 3, "three calls without a proxy reached %s" % sorted(plain))


fw.run(body)
