"""Tests of the module helper (skein.module, also importable as skein_module): a module served in-process through
pipes, and one as a real child process.

    python3 -m unittest discover -s sdk/python -p 'test_*.py'
"""

import asyncio
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import threading
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import skein_module  # noqa: E402
from skein_module import Module, SkeinError, cancelled, current_call, method, service, wire_name  # noqa: E402

TIMEOUT = 10


@service("calc", mode="singleton")
class Calc:
    def __init__(self, module):
        self.module = module

    @method
    def add(self, a: int, b: int) -> int:
        return a + b

    @method
    def divide(self, a, b):
        return a / b

    @method
    def refuse(self):
        raise SkeinError("bad_arguments", "never with these")

    @method
    def countdown(self, n: int):
        for i in range(n, 0, -1):
            yield i

    @method
    def forever(self):
        count = 0
        while not cancelled():
            count += 1
            yield count

    @method
    def announce(self, text):
        self.module.publish("calc.announced", {"text": text})
        self.module.log("announced " + text, "warning")
        return self.module.name

    @method(name="Cfg")
    def configuration(self):
        return [self.module.id, self.module.args, self.module.config]

    @method
    async def slow_add(self, a: int, b: int) -> int:
        await asyncio.sleep(0)
        return a + b

    @method
    async def ticks(self, n: int):
        for i in range(n):
            await asyncio.sleep(0)
            yield i

    @method
    async def which(self):
        await asyncio.sleep(0)
        call = current_call()
        return [call.service, call.method, call.conversation]

    waits_cancelled = []
    waiting = threading.Event()
    wait_cancelled = threading.Event()

    @method
    async def wait_forever(self):
        Calc.waiting.set()
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            Calc.waits_cancelled.append(current_call().conversation)
            Calc.wait_cancelled.set()
            raise


@service("session")  # per_connection
class Session:
    closed = []

    def __init__(self):
        self.items = []

    @method
    def push(self, item):
        self.items.append(item)
        return len(self.items)

    def close(self):
        Session.closed.append(list(self.items))


class Node:
    """The node's side of the pipes, written with the helper's own frame code."""

    def __init__(self, *services, preamble=skein_module.PREAMBLE, **options):
        to_module_r, to_module_w = os.pipe()
        from_module_r, from_module_w = os.pipe()
        self.module = Module(*services, stdin=os.fdopen(to_module_r, "rb", buffering=0),
                             stdout=os.fdopen(from_module_w, "wb", buffering=0), **options)
        self.io = skein_module._FrameIO(os.fdopen(from_module_r, "rb", buffering=0),
                                        os.fdopen(to_module_w, "wb", buffering=0))
        self.exit_code = None
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        self.io.writer.write(preamble)
        self.io.writer.flush()

    def _run(self):
        self.exit_code = self.module.run()
        self.module._stdout.close()
        self.module._stdin.close()

    def welcome(self):
        self.io.read_preamble()
        self.io.write_frame({"kind": "welcome", "module": "calc-1", "id": "node-1/7", "args": ["-v"],
                             "config": {"digits": 3}})
        header, _ = self.io.read_frame()
        assert header["kind"] == "hello", header
        return header

    def request(self, conversation, method_name, arguments, service_name="calc", **extra):
        header = {"kind": "request", "conversation": conversation, "service": service_name,
                  "method": method_name, "content_type": "application/json"}
        header.update(extra)
        self.io.write_frame(header, json.dumps(arguments).encode())

    def read(self):
        header, payload = self.io.read_frame()
        return header, (json.loads(payload) if payload else None)

    def call(self, method_name, arguments, service_name="calc", **extra):
        self.request(1, method_name, arguments, service_name, **extra)
        return self.read()

    def shutdown(self):
        self.io.write_frame({"kind": "shutdown"})
        self.thread.join(TIMEOUT)
        return self.exit_code


class WireNameTests(unittest.TestCase):
    def test_snake_case_becomes_pascal_case(self):
        self.assertEqual("Mean", wire_name("mean"))
        self.assertEqual("RunningMean", wire_name("running_mean"))
        self.assertEqual("GetX", wire_name("get_x"))
        self.assertEqual("Private", wire_name("_private"))

    def test_a_bad_mode_is_refused_at_decoration(self):
        with self.assertRaises(ValueError):
            service("x", mode="shared")


class ModuleTests(unittest.TestCase):
    def setUp(self):
        self.node = Node(Calc, Session)
        self.hello = self.node.welcome()

    def tearDown(self):
        if self.node.thread.is_alive():
            self.node.shutdown()
        self.node.io.reader.close()
        self.node.io.writer.close()

    def test_hello_lists_services_methods_and_modes(self):
        services = {s["name"]: s for s in self.hello["services"]}
        self.assertEqual("singleton", services["calc"]["mode"])
        self.assertEqual("per_connection", services["session"]["mode"])
        methods = {m["name"]: m for m in services["calc"]["methods"]}
        self.assertEqual({"Add", "Divide", "Refuse", "Countdown", "Forever", "Announce", "Cfg", "SlowAdd", "Ticks", "Which", "WaitForever"},
                         set(methods))
        self.assertTrue(methods["Ticks"]["streaming"])
        self.assertFalse(methods["SlowAdd"]["streaming"])
        self.assertEqual(["int", "int"], methods["Add"]["parameters"])
        self.assertEqual("int", methods["Add"]["result"])
        self.assertTrue(methods["Countdown"]["streaming"])
        self.assertFalse(methods["Add"]["streaming"])

    def test_a_call_returns_its_result_as_json(self):
        header, value = self.node.call("Add", [2, 3])
        self.assertEqual(("response", 1, "ok"), (header["kind"], header["conversation"], header["status"]))
        self.assertEqual(5, value)

    def test_the_exact_python_name_is_accepted(self):
        self.assertEqual(5, self.node.call("add", [2, 3])[1])

    def test_the_welcome_is_known_to_the_module(self):
        self.assertEqual(["node-1/7", ["-v"], {"digits": 3}], self.node.call("Cfg", [])[1])

    def test_an_exception_is_an_application_error_with_type_message_and_traceback(self):
        header, _ = self.node.call("Divide", [1, 0])
        self.assertEqual("error", header["status"])
        error = header["error"]
        self.assertEqual("application", error["kind"])
        self.assertEqual("ZeroDivisionError", error["type"])
        self.assertEqual("division by zero", error["message"])
        self.assertIn("in divide", error["stack_trace"])

    def test_skein_error_chooses_the_kind(self):
        header, _ = self.node.call("Refuse", [])
        self.assertEqual("bad_arguments", header["error"]["kind"])
        self.assertEqual("never with these", header["error"]["message"])

    def test_framework_errors(self):
        self.assertEqual("bad_arguments", self.node.call("Add", [1])[0]["error"]["kind"])
        self.assertEqual("bad_arguments", self.node.call("Add", {"a": 1})[0]["error"]["kind"])
        self.assertEqual("method_not_found", self.node.call("Sub", [1, 2])[0]["error"]["kind"])
        self.assertEqual("service_not_found", self.node.call("Add", [1, 2], "nope")[0]["error"]["kind"])
        self.assertEqual("bad_arguments", self.node.call("Add", [1, 2], content_type="text/plain")[0]["error"]["kind"])

    def test_a_generator_streams_items_then_an_empty_response(self):
        self.node.request(4, "Countdown", [3])
        frames = [self.node.read() for _ in range(4)]
        self.assertEqual([("stream_item", 1, 3), ("stream_item", 2, 2), ("stream_item", 3, 1)],
                         [(h["kind"], h["sequence"], v) for h, v in frames[:3]])
        self.assertEqual(("response", 4, "ok", None), (frames[3][0]["kind"], frames[3][0]["conversation"],
                                                        frames[3][0]["status"], frames[3][1]))

    def test_cancel_stops_a_stream(self):
        self.node.request(9, "Forever", [])
        header, _ = self.node.read()
        self.assertEqual("stream_item", header["kind"])
        self.node.io.write_frame({"kind": "cancel", "conversation": 9})
        while header["kind"] == "stream_item":
            header, _ = self.node.read()
        self.assertEqual(("response", 9, "error", "cancelled"),
                         (header["kind"], header["conversation"], header["status"], header["error"]["kind"]))

    def test_events_and_logs_reach_the_node(self):
        self.node.request(2, "Announce", ["hi"])
        frames = [self.node.read() for _ in range(3)]
        kinds = {h["kind"]: (h, v) for h, v in frames}
        self.assertEqual("calc.announced", kinds["event"][0]["subject"])
        self.assertEqual({"text": "hi"}, kinds["event"][1])
        self.assertEqual(("warning", "announced hi"), (kinds["log"][0]["level"], kinds["log"][0]["message"]))
        self.assertEqual("calc-1", kinds["response"][1])

    def test_per_connection_objects_are_kept_apart_and_released(self):
        self.assertEqual(1, self.node.call("Push", ["a"], "session", instance=1)[1])
        self.assertEqual(2, self.node.call("Push", ["b"], "session", instance=1)[1])
        self.assertEqual(1, self.node.call("Push", ["c"], "session", instance=2)[1])
        self.node.io.write_frame({"kind": "release", "instance": 1})
        self.assertEqual(1, self.node.call("Push", ["d"], "session", instance=1)[1])  # a fresh object
        self.assertIn(["a", "b"], Session.closed)

    def test_a_per_connection_call_without_an_instance_gets_an_object_of_its_own_closed_after_it(self):
        Session.closed.clear()
        self.assertEqual(1, self.node.call("Push", ["x"], "session")[1])
        self.assertEqual(1, self.node.call("Push", ["y"], "session")[1])
        self.assertEqual([["x"], ["y"]], Session.closed)

    def test_an_async_method_is_awaited(self):
        header, value = self.node.call("SlowAdd", [2, 3])
        self.assertEqual(("ok", 5), (header["status"], value))

    def test_an_async_method_knows_its_call(self):
        self.node.request(12, "Which", [])
        self.assertEqual(["calc", "Which", 12], self.node.read()[1])

    def test_an_async_generator_streams(self):
        self.node.request(5, "Ticks", [3])
        frames = [self.node.read() for _ in range(4)]
        self.assertEqual([0, 1, 2], [v for h, v in frames[:3]])
        self.assertEqual([1, 2, 3], [h["sequence"] for h, v in frames[:3]])
        self.assertEqual(("response", "ok"), (frames[3][0]["kind"], frames[3][0]["status"]))

    def test_a_cancel_cancels_an_async_methods_task(self):
        self.node.request(21, "WaitForever", [])
        self.assertTrue(Calc.waiting.wait(TIMEOUT))
        self.node.io.write_frame({"kind": "cancel", "conversation": 21})
        header, _ = self.node.read()
        self.assertEqual(("response", 21, "error", "cancelled"),
                         (header["kind"], header["conversation"], header["status"], header["error"]["kind"]))
        self.assertTrue(Calc.wait_cancelled.wait(TIMEOUT))  # the task itself was cancelled, not only the answer sent
        self.assertIn(21, Calc.waits_cancelled)

    def test_an_async_method_that_raises_is_an_application_error(self):
        header, _ = self.node.call("SlowAdd", [1, "x"])
        self.assertEqual(("application", "TypeError"), (header["error"]["kind"], header["error"]["type"]))

    def test_shutdown_ends_run_with_exit_code_0(self):
        self.assertEqual(0, self.node.shutdown())
        self.assertIsNone(self.node.io.read_frame())


class ProtocolErrorTests(unittest.TestCase):
    def test_a_node_without_the_preamble_makes_run_return_2(self):
        node = Node(Calc, preamble=b"GARBAGE!!")
        node.thread.join(TIMEOUT)
        node.io.reader.close()
        node.io.writer.close()
        self.assertEqual(2, node.exit_code)


@service("meet", mode="singleton")
class Meet:
    """Methods that wait for each other: they only finish when both are served at the same time."""

    def __init__(self):
        self.barrier = threading.Barrier(2, timeout=TIMEOUT)
        self.started = []
        self.lock = threading.Lock()
        self.first_started = threading.Event()
        self.second_started = threading.Event()
        self.release_first = threading.Event()
        self.ran = []

    @method
    def together(self, name):
        self.barrier.wait()  # breaks (an error answer) unless another call reaches it meanwhile
        return name

    @method
    async def together_async(self, name):
        with self.lock:
            self.started.append(name)
        for _ in range(TIMEOUT * 1000):
            with self.lock:
                if len(self.started) >= 2:
                    return name
            await asyncio.sleep(0.001)
        raise RuntimeError("the other call never started")

    @method
    def first(self):
        self.first_started.set()
        self.ran.append("first")
        call = current_call()
        while not self.release_first.wait(0.005) and not call.cancelled:
            pass
        return "first"

    @method
    def second(self):
        self.second_started.set()
        self.ran.append("second")
        return "second"

    @method
    def first_looks_for_second(self, seconds):
        # True when the second call started while this one ran.
        self.first_started.set()
        return self.second_started.wait(seconds)

    @method
    def fail(self, text):
        raise ValueError(text)

    @method
    def leave(self):
        sys.exit(3)


class ConcurrencyTests(unittest.TestCase):
    def start(self, **options):
        self.node = Node(Meet, Calc, **options)
        self.node.welcome()

    def tearDown(self):
        if self.node.thread.is_alive():
            self.node.shutdown()
        self.node.io.reader.close()
        self.node.io.writer.close()

    def read_all(self, count):
        return dict((h["conversation"], (h, v)) for h, v in (self.node.read() for _ in range(count)))

    def test_two_blocking_calls_are_served_at_once(self):
        self.start()
        self.node.request(1, "Together", ["a"], "meet")
        self.node.request(2, "Together", ["b"], "meet")
        answers = self.read_all(2)
        self.assertEqual({1: ("ok", "a"), 2: ("ok", "b")}, {c: (h["status"], v) for c, (h, v) in answers.items()})

    def test_two_async_calls_are_served_at_once(self):
        self.start()
        self.node.request(1, "TogetherAsync", ["a"], "meet")
        self.node.request(2, "TogetherAsync", ["b"], "meet")
        answers = self.read_all(2)
        self.assertEqual({1: ("ok", "a"), 2: ("ok", "b")}, {c: (h["status"], v) for c, (h, v) in answers.items()})

    def test_answers_come_as_they_are_ready_each_under_its_own_conversation(self):
        self.start()
        self.node.request(7, "First", [], "meet")
        self.node.request(8, "Second", [], "meet")
        header, value = self.node.read()  # the second call, while the first still waits
        self.assertEqual(("response", 8, "ok", "second"), (header["kind"], header["conversation"], header["status"], value))
        self.node.module.services["meet"].shared.release_first.set()
        header, value = self.node.read()
        self.assertEqual((7, "first"), (header["conversation"], value))

    def test_concurrency_1_serves_one_call_at_a_time(self):
        self.start(concurrency=1)
        self.assertEqual(1, self.node.module.concurrency)
        self.node.request(1, "FirstLooksForSecond", [0.3], "meet")
        self.node.request(2, "Second", [], "meet")
        answers = self.read_all(2)
        self.assertIs(False, answers[1][1])  # the second call had not started while the first ran
        self.assertEqual(list(sorted(answers)), [1, 2])

    def test_with_room_for_two_the_second_call_starts_while_the_first_runs(self):
        self.start(concurrency=2)
        self.node.request(1, "FirstLooksForSecond", [TIMEOUT], "meet")
        self.node.request(2, "Second", [], "meet")
        answers = self.read_all(2)
        self.assertIs(True, answers[1][1])

    def test_calls_past_the_limit_wait_their_turn_in_order(self):
        self.start(concurrency=1)
        self.node.request(1, "First", [], "meet")
        meet = self._meet()
        self.assertTrue(meet.first_started.wait(TIMEOUT))
        for conversation in range(2, 6):
            self.node.request(conversation, "Add", [conversation, 0])
        meet.release_first.set()
        order = [self.node.read()[0]["conversation"] for _ in range(5)]
        self.assertEqual([1, 2, 3, 4, 5], order)

    def test_a_call_cancelled_while_it_waits_is_answered_cancelled_and_never_runs(self):
        self.start(concurrency=1)
        self.node.request(1, "First", [], "meet")
        meet = self._meet()
        self.assertTrue(meet.first_started.wait(TIMEOUT))
        self.node.request(2, "Second", [], "meet")
        self.node.io.write_frame({"kind": "cancel", "conversation": 2})
        self.node.request(3, "Add", [1, 2])  # read after the cancel, so the cancel has been seen when 1 ends
        meet.release_first.set()
        answers = self.read_all(3)
        self.assertEqual(("error", "cancelled"), (answers[2][0]["status"], answers[2][0]["error"]["kind"]))
        self.assertEqual(3, answers[3][1])
        self.assertEqual(["first"], meet.ran)

    def test_errors_and_results_of_concurrent_calls_keep_to_their_calls(self):
        self.start()
        for conversation in range(1, 41):
            if conversation % 2:
                self.node.request(conversation, "Fail", ["no %d" % conversation], "meet")
            else:
                self.node.request(conversation, "Add", [conversation, 1])
        answers = self.read_all(40)
        for conversation, (header, value) in answers.items():
            if conversation % 2:
                self.assertEqual(("application", "ValueError", "no %d" % conversation),
                                 (header["error"]["kind"], header["error"]["type"], header["error"]["message"]))
            else:
                self.assertEqual(("ok", conversation + 1), (header["status"], value))

    def test_a_method_that_calls_sys_exit_fails_its_call_and_leaves_the_module_serving(self):
        self.start(concurrency=1)
        header, _ = self.node.call("Leave", [], "meet")
        self.assertEqual(("internal", "SystemExit"), (header["error"]["kind"], header["error"]["type"]))
        self.assertEqual(5, self.node.call("Add", [2, 3])[1])  # its one place was given back

    def test_a_plain_and_an_async_method_are_served_at_once(self):
        self.start()
        self.node.request(1, "First", [], "meet")
        meet = self._meet()
        self.assertTrue(meet.first_started.wait(TIMEOUT))
        self.node.request(2, "SlowAdd", [2, 3])
        header, value = self.node.read()
        self.assertEqual((2, 5), (header["conversation"], value))
        meet.release_first.set()
        self.assertEqual(1, self.node.read()[0]["conversation"])

    def test_shutdown_answers_calls_still_waiting_for_their_turn(self):
        self.start(concurrency=1)
        self.node.request(1, "First", [], "meet")
        meet = self._meet()
        self.assertTrue(meet.first_started.wait(TIMEOUT))
        self.node.request(2, "Second", [], "meet")
        self.node.io.write_frame({"kind": "shutdown"})
        # The running call gets its moment, then is cancelled; the waiting one never starts.
        answers = self.read_all(2)
        self.assertEqual(("error", "cancelled"), (answers[1][0]["status"], answers[1][0]["error"]["kind"]))
        self.assertEqual(("error", "cancelled"), (answers[2][0]["status"], answers[2][0]["error"]["kind"]))
        self.node.thread.join(TIMEOUT)
        self.assertEqual(0, self.node.exit_code)
        self.assertEqual(["first"], meet.ran)

    def _meet(self):
        for _ in range(TIMEOUT * 100):
            meet = self.node.module.services["meet"].shared
            if meet is not None:
                return meet
            threading.Event().wait(0.01)
        self.fail("the meet service was never created")


class ConcurrencySettingTests(unittest.TestCase):
    def setUp(self):
        self.saved = os.environ.pop(skein_module.CONCURRENCY_VARIABLE, None)

    def tearDown(self):
        os.environ.pop(skein_module.CONCURRENCY_VARIABLE, None)
        if self.saved is not None:
            os.environ[skein_module.CONCURRENCY_VARIABLE] = self.saved

    def test_the_default_is_documented(self):
        self.assertEqual(skein_module.DEFAULT_CONCURRENCY, Module(Calc).concurrency)
        self.assertEqual(8, skein_module.DEFAULT_CONCURRENCY)

    def test_the_environment_sets_it_when_the_module_does_not(self):
        os.environ[skein_module.CONCURRENCY_VARIABLE] = "1"
        self.assertEqual(1, Module(Calc).concurrency)
        self.assertEqual(4, Module(Calc, concurrency=4).concurrency)  # the module's own choice wins

    def test_a_bad_value_is_refused(self):
        for bad in (0, -1, 2000, "8", 1.5, True):
            with self.assertRaises(ValueError):
                Module(Calc, concurrency=bad)

    def test_a_bad_environment_value_makes_run_say_so_and_return_2(self):
        os.environ[skein_module.CONCURRENCY_VARIABLE] = "lots"
        module = Module(Calc, stdin=object(), stdout=object())
        import io
        import contextlib
        errors = io.StringIO()
        with contextlib.redirect_stderr(errors):
            self.assertEqual(2, module.run())
        self.assertIn("SKEIN_MODULE_CONCURRENCY must be a whole number from 1 to 1024, not 'lots'", errors.getvalue())


class _Trickle:
    """A raw stream that gives at most ``step`` bytes per read."""

    def __init__(self, data, step):
        self.data = data
        self.step = step

    def read(self, count):
        chunk, self.data = self.data[:min(count, self.step)], self.data[min(count, self.step):]
        return chunk


class _GatedWriter:
    """A writer whose first write waits until released, so that frames queue behind it."""

    def __init__(self):
        self.writes = []
        self.entered = threading.Event()
        self.release = threading.Event()

    def write(self, data):
        self.writes.append(bytes(data))
        if len(self.writes) == 1:
            self.entered.set()
            self.release.wait(TIMEOUT)
        return len(data)

    def flush(self):
        pass


class FrameIOTests(unittest.TestCase):
    def frames(self, count):
        return b"".join(skein_module._frame(skein_module._json_bytes({"kind": "log", "message": "m%d" % i}),
                                            b"x" * i) for i in range(count))

    def test_frames_split_over_many_reads_and_many_frames_in_one_read(self):
        data = skein_module.PREAMBLE + self.frames(50)
        for step in (1, 3, 7, 64 * 1024):
            io = skein_module._FrameIO(_Trickle(data, step), None)
            io.read_preamble()
            read = [io.read_frame() for _ in range(50)]
            self.assertEqual(["m%d" % i for i in range(50)], [h["message"] for h, _ in read])
            self.assertEqual([b"x" * i for i in range(50)], [p for _, p in read])
            self.assertIsNone(io.read_frame())

    def test_a_frame_cut_short_is_a_protocol_error(self):
        data = self.frames(1)[:-1]
        io = skein_module._FrameIO(_Trickle(data, 5), None)
        with self.assertRaises(skein_module.ProtocolError):
            io.read_frame()

    def test_frames_sent_while_another_is_written_go_out_together_after_it(self):
        writer = _GatedWriter()
        outbox = skein_module._Outbox(skein_module._FrameIO(_Trickle(b"", 1), writer))
        first = threading.Thread(target=outbox.send, args=(b"1",))
        first.start()
        self.assertTrue(writer.entered.wait(TIMEOUT))
        senders = [threading.Thread(target=outbox.send, args=(b"%d" % i,)) for i in range(2, 6)]
        for sender in senders:
            sender.start()
        for sender in senders:
            sender.join(TIMEOUT)  # they return at once: the writing thread takes their frames
        writer.release.set()
        first.join(TIMEOUT)
        outbox.wait_quiet(TIMEOUT)
        self.assertEqual(b"1", writer.writes[0])
        self.assertEqual(2, len(writer.writes))
        self.assertEqual(sorted(b"2345"), sorted(writer.writes[1]))


class ChildProcessTests(unittest.TestCase):
    def test_print_in_a_module_goes_to_stderr_not_into_the_frames(self):
        source = textwrap.dedent("""
            import os, sys
            sys.path.insert(0, %r)
            from skein_module import Module, service, method
            print("before run")

            @service("noisy")
            class Noisy:
                @method
                def talk(self):
                    print("talking")
                    os.system("echo from a subprocess")
                    return "ok"

            sys.exit(Module(Noisy).run())
        """ % os.path.dirname(os.path.abspath(__file__)))
        with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as script:
            script.write(source)
        try:
            environment = dict(os.environ, SKEIN_MODULE_PROTOCOL="1")
            process = subprocess.Popen([sys.executable, script.name], stdin=subprocess.PIPE,
                                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=environment)
            io = skein_module._FrameIO(process.stdout, process.stdin)
            io.writer.write(skein_module.PREAMBLE)
            io.write_frame({"kind": "welcome", "module": "noisy"})
            io.read_preamble()  # "before run" must not be in the way
            self.assertEqual("hello", io.read_frame()[0]["kind"])
            io.write_frame({"kind": "request", "conversation": 1, "service": "noisy", "method": "Talk"}, b"[]")
            header, payload = io.read_frame()
            self.assertEqual(("ok", b'"ok"'), (header["status"], payload))
            io.write_frame({"kind": "shutdown"})
            self.assertEqual(0, process.wait(TIMEOUT))
            stderr = process.stderr.read().decode()
            for line in ("before run", "talking", "from a subprocess"):
                self.assertIn(line, stderr)
            for stream in (process.stdin, process.stdout, process.stderr):
                stream.close()
        finally:
            os.unlink(script.name)


if __name__ == "__main__":
    unittest.main()
