#!/usr/bin/python3
# skein: description: three experiments claiming one resource run one at a time, each once the one before released it
# skein: tags: [REQ-claims]
# skein: claims: [framework-slot]
import _capacity

_capacity.main()
