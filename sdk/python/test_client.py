"""Tests of the client's parts that need no cluster (skein.client): finding the cluster, errors, events, barriers, and that
the checked-in messages match protos/. The client against a real cluster is tested from the .NET test suite
(tests/Skein.Cli.Tests/Wire), which starts a coordinator and nodes.

    python3 -m unittest discover -s sdk/python -p 'test_*.py'      (with grpcio and protobuf: Debian's /usr/bin/python3)
"""

import filecmp
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

try:
    import grpc  # noqa: F401
except ImportError as missing:  # a clear failure, not a silent pass: CI installs python3-grpcio
    raise ImportError("the skein client needs grpcio and protobuf (Debian: apt-get install python3-grpcio python3-protobuf): %s"
                      % missing) from None

from skein import client as skein_client  # noqa: E402
from skein.v1 import envelope_pb2  # noqa: E402


class LocateTests(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp()
        self.saved = {k: os.environ.pop(k, None) for k in ("SKEIN_CLUSTER", "SKEIN_TOKEN", "SKEIN_STATE")}

    def tearDown(self):
        shutil.rmtree(self.dir)
        for key, value in self.saved.items():
            if value is not None:
                os.environ[key] = value

    def write_connection(self, **extra):
        token = os.path.join(self.dir, "secret")
        with open(token, "w") as f:
            f.write("ab" * 32 + "\n")
        data = {"address": "http://127.0.0.1:7700", "tokenPath": token, "pid": 1}
        data.update(extra)
        with open(os.path.join(self.dir, "cluster.json"), "w") as f:
            json.dump(data, f)

    def test_the_connection_file_gives_address_and_token(self):
        self.write_connection(somethingNew=True)  # unknown keys are ignored
        self.assertEqual(("127.0.0.1:7700", "ab" * 32), skein_client.locate(state_dir=self.dir))

    def test_the_environment_comes_before_the_connection_file(self):
        self.write_connection()
        os.environ["SKEIN_CLUSTER"] = "10.0.0.1:9000"
        os.environ["SKEIN_TOKEN"] = " cd" * 1 + "cd" * 31 + " "
        self.assertEqual(("10.0.0.1:9000", "cd" * 32), skein_client.locate(state_dir=self.dir))

    def test_no_cluster_is_a_clear_error(self):
        with self.assertRaises(skein_client.ClusterError) as raised:
            skein_client.locate(state_dir=self.dir)
        self.assertIn("no cluster given", str(raised.exception))

    def test_a_broken_connection_file_is_named(self):
        with open(os.path.join(self.dir, "cluster.json"), "w") as f:
            f.write("{not json")
        with self.assertRaises(skein_client.ClusterError) as raised:
            skein_client.locate(state_dir=self.dir)
        self.assertIn("cluster.json", str(raised.exception))


class RemoteErrorTests(unittest.TestCase):
    def test_an_application_error_names_type_and_place(self):
        wire = envelope_pb2.RemoteError(kind=envelope_pb2.REMOTE_ERROR_KIND_APPLICATION, type="System.InvalidOperationException",
                                        message="boom", node="alpha", service="echo", method="Fail",
                                        inner=envelope_pb2.RemoteError(type="System.ArgumentException", message="cause"))
        error = skein_client.RemoteError.from_wire(wire)
        self.assertEqual("application", error.kind)
        self.assertEqual("System.InvalidOperationException in echo.Fail on node alpha: boom", str(error))
        self.assertEqual("cause", error.inner.message)
        self.assertFalse(error.retriable)

    def test_framework_kinds_are_snake_case_and_an_unknown_one_is_internal(self):
        deadline = skein_client.RemoteError.from_wire(envelope_pb2.RemoteError(kind=envelope_pb2.REMOTE_ERROR_KIND_DEADLINE_EXCEEDED,
                                                                               message="too late"))
        self.assertEqual(("deadline_exceeded", "too late", True), (deadline.kind, str(deadline), deadline.retriable))
        unknown = skein_client.RemoteError.from_wire(envelope_pb2.RemoteError(kind=99))
        self.assertEqual("internal", unknown.kind)


class EventTests(unittest.TestCase):
    def test_a_json_event_has_a_value_and_another_does_not(self):
        self.assertEqual({"a": 1}, skein_client.Event("s", b'{"a":1}', "application/json", 1, 0).value)
        with self.assertRaises(ValueError):
            _ = skein_client.Event("s", b"hi", "text/plain", 2, 0).value


class BarrierTests(unittest.TestCase):
    def test_a_timeout_names_who_arrived_and_how_many_are_missing(self):
        error = skein_client.BarrierTimeout("setup", 30.0, 3, ["node-1/exp-a", "node-2/exp-b"], [])
        self.assertIsInstance(error, TimeoutError)
        self.assertEqual("barrier 'setup' timed out after 30s: 2 of 3 arrived (node-1/exp-a, node-2/exp-b); missing 1", str(error))
        self.assertEqual(1, error.missing_count)

    def test_a_timeout_names_the_declared_participants_missing(self):
        error = skein_client.BarrierTimeout("team", 0.1, 3, ["b"], ["a", "c"])
        self.assertEqual("barrier 'team' timed out after 100ms: 1 of 3 arrived (b); missing a, c", str(error))

    def test_durations_read_as_the_dotnet_client_writes_them(self):
        cases = {0.85: "850ms", 4.2: "4.2s", 30: "30s", 60: "1m", 185: "3m05s", 3600: "1h", 3720: "1h02m"}
        for seconds, text in cases.items():
            self.assertEqual(text, skein_client.format_duration(seconds))

    def test_the_participant_defaults_to_the_environment_then_host_and_process(self):
        saved = os.environ.pop("SKEIN_PARTICIPANT", None)
        try:
            os.environ["SKEIN_PARTICIPANT"] = "node-1/exp-a"
            self.assertTrue(skein_client._default_participant().startswith("node-1/exp-a"))
            del os.environ["SKEIN_PARTICIPANT"]
            self.assertIn("/%d" % os.getpid(), skein_client._default_participant())
        finally:
            if saved is not None:
                os.environ["SKEIN_PARTICIPANT"] = saved


class GeneratedMessagesTests(unittest.TestCase):
    def test_the_checked_in_messages_are_what_protoc_makes_of_protos(self):
        protoc = shutil.which("protoc")
        if protoc is None:
            self.fail("protoc is not on the PATH (Debian: apt-get install protobuf-compiler libprotobuf-dev)")
        protos = os.path.join(HERE, "..", "..", "protos")
        out = tempfile.mkdtemp()
        try:
            names = sorted(f for f in os.listdir(os.path.join(protos, "skein", "v1")) if f.endswith(".proto"))
            subprocess.run([protoc, "-I", ".", "--python_out=" + out] + ["skein/v1/" + n for n in names], cwd=protos, check=True)
            for name in names:
                generated = name.replace(".proto", "_pb2.py")
                self.assertTrue(filecmp.cmp(os.path.join(out, "skein", "v1", generated), os.path.join(HERE, "skein", "v1", generated), shallow=False),
                                "skein/v1/%s is stale: run sdk/python/generate_protos.sh" % generated)
        finally:
            shutil.rmtree(out)


if __name__ == "__main__":
    unittest.main()
