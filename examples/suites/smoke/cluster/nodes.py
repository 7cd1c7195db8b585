#!/usr/bin/env python3
# skein: description: every node of the cluster is alive
# skein: needs: [smoke::greets]
# skein: on: { labels: { zone: b } }
# skein: tags: [REQ-2]
import os
import subprocess
import sys

# `skein nodes` finds the cluster through SKEIN_STATE (the embedded cluster) or SKEIN_CLUSTER and SKEIN_TOKEN.
# SKEIN_CLI is the skein running the test, so the example needs no skein on the PATH.
skein = os.environ.get("SKEIN_CLI") or os.environ.get("SKEIN_BIN", "skein")
listing = subprocess.run([skein, "nodes", "--json"], capture_output=True, text=True)
if listing.returncode != 0:
    print(listing.stderr, file=sys.stderr)
    sys.exit(1)
print(listing.stdout)
print("running on", os.environ["SKEIN_NODE"])
