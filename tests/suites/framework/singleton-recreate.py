#!/usr/bin/python3
# skein: description: a singleton whose module is unloaded and loaded again is a new object
# skein: tags: [REQ-services-singleton, REQ-modules-unload]
import _framework as fw

NODE = "node-1"
MODULE = "fw-recreate"
SERVICE = "fw-recreate"


def body():
    with fw.client() as c:
        try:
            fw.load_module(c, NODE, "recreate.py", MODULE)
            fw.wait_until("%s listed by the cluster" % SERVICE, lambda: fw.hosts(c, SERVICE))
            before = c.call(SERVICE, "Identity")
            fw.check("same-object-while-loaded", c.call(SERVICE, "Identity") == before, "two calls reached two objects")

            fw.unload_module(c, NODE, MODULE)
            fw.wait_until("%s withdrawn from the cluster" % SERVICE, lambda: not fw.hosts(c, SERVICE))
            fw.check("gone-after-unload", not fw.hosts(c, SERVICE), "still listed after unload")

            fw.load_module(c, NODE, "recreate.py", MODULE)
            fw.wait_until("%s listed again" % SERVICE, lambda: fw.hosts(c, SERVICE))
            after = c.call(SERVICE, "Identity", timeout=fw.PATIENCE)
            print("before:", before)
            print("after: ", after)
            fw.check("new-object-after-reload", after != before, "the same object %s survived unload and load" % before)
        finally:
            try:
                fw.unload_module(c, NODE, MODULE)
            except Exception:  # noqa: BLE001 - already unloaded, or never loaded
                pass


fw.run(body)
