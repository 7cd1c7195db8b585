#!/usr/bin/python3
# skein: description: one of three experiments on three nodes that meet at a barrier and exchange contexts
# skein: tags: [REQ-barrier, REQ-exchange]
# skein: on: { node: node-3 }
import _meet

_meet.main()
