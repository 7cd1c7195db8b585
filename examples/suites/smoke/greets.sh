#!/bin/bash
# skein: description: the parameters reach the experiment
# skein: tags: [REQ-1, TC-1]
set -euo pipefail
echo "$GREETING from $SKEIN_EXPERIMENT on $SKEIN_NODE"
echo "::result name=parameter outcome=passed"
if [ -n "${SKEIN_SCRATCH:-}" ] && [ -d "$SKEIN_SCRATCH" ]; then
  echo "::result name=scratch outcome=passed"
else
  echo '::result name=scratch outcome=failed message="no scratch directory"'
fi
