#!/usr/bin/env sh
# Regenerates skein/v1/*_pb2.py from the repository's protos/ (run after changing a .proto). Needs protoc
# (Debian: protobuf-compiler, libprotobuf-dev); the code it makes runs on the protobuf runtime 3.20 and later.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
protos="$here/../../protos"
cd "$protos"
protoc -I . --python_out="$here" skein/v1/*.proto
echo "generated $(ls "$here"/skein/v1/*_pb2.py | wc -l) modules into $here/skein/v1"
