"""The body of capacity-a, -b and -c: three experiments that claim the resource framework-slot, whose capacity is
one. The run's parallelism would start them together; the claim must make them take turns, and each must still
run (the claim released by the one before). Each holds the slot for a moment while checking no one else is in it."""

import os
import time

import _framework as fw

HOLD = 1.5  # long enough that, without the claim, the three would overlap; no verdict depends on it


def main():
    def body():
        me = os.environ["SKEIN_EXPERIMENT"]
        # The suite's scratch area, shared by the three (each SKEIN_SCRATCH is SUITE/NAME under it).
        shared = os.path.dirname(os.environ["SKEIN_SCRATCH"])
        # Named after the run: a marker left by an interrupted run does not stand in the way of the next one.
        slot = os.path.join(shared, "framework-slot.%s.held" % os.environ.get("SKEIN_RUN_ID", "run"))
        try:
            os.mkdir(slot)  # atomic: fails when another holder is in the slot
        except FileExistsError:
            holder = _read(os.path.join(slot, "holder"))
            raise fw.Failed("the slot is held by %s at the same time: the claim did not keep them apart" % holder)
        try:
            with open(os.path.join(slot, "holder"), "w") as f:
                f.write(me)
            time.sleep(HOLD)
            fw.check("alone-in-the-slot", _read(os.path.join(slot, "holder")) == me, "another experiment wrote itself in")
        finally:
            os.remove(os.path.join(slot, "holder"))
            os.rmdir(slot)
        fw.result("ran-after-release", "passed", "%s had the slot to itself" % me)

    fw.run(body)


def _read(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return "?"
