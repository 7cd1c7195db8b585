"""Write Skein modules in Python.

A Skein node can host a Python script as a *module*: it starts the script as a
child process and speaks stdio protocol v1 with it (docs/module-protocol.md):
a preamble, then length-prefixed frames with a JSON header and raw payload
bytes, on the script's stdin and stdout. This module is that protocol's Python
side, standard library only, Python 3.8 or later. ``pip install`` the skein
package (sdk/python), or put sdk/python on ``sys.path``; ``skein_module`` is
the same module under its older name.

A module is one or more service classes::

    from skein.module import Module, service, method     # or: from skein_module import ...

    @service("stats", mode="singleton")
    class Stats:
        @method
        def mean(self, values):          # called as "Mean"
            return sum(values) / len(values)

    if __name__ == "__main__":
        raise SystemExit(Module(Stats).run())

Then ``skein call stats Mean '[[1,2,3,4]]'`` prints ``2.5``.

Rules worth knowing:

* A method's wire name is its Python name in PascalCase (``mean`` -> ``Mean``,
  ``describe_all`` -> ``DescribeAll``), which is what a C# contract's
  ``MeanAsync`` travels as. Requests using the exact Python name are accepted
  too, and ``@method(name="...")`` chooses any other name.
* Arguments arrive as one JSON array and are passed positionally; the return
  value goes back as JSON. A generator method streams: each yielded value is a
  stream item.
* An exception becomes an error response carrying its type, message and
  traceback. Raise :class:`SkeinError` to report a framework kind such as
  ``bad_arguments`` yourself.
* ``print`` is safe: anything written to stdout goes to stderr, which the
  node copies to its log under the module's name; only frames travel on the
  real stdout. That holds from the import of this file when the node set
  ``SKEIN_MODULE_PROTOCOL`` (it does), and from :meth:`Module.run` otherwise.
* Calls run on threads (at most ``concurrency`` at once), so a cancel can
  arrive while a method runs; long methods may poll :func:`cancelled`.
* ``async def`` methods (and async generators) run on one event loop the
  module starts for them; a cancel cancels their task.
* A per-connection request without an ``instance`` (which a node never sends)
  gets an object of its own for that call, closed after it.
"""

import asyncio
import contextvars
import inspect
import json
import logging
import os
import struct
import sys
import threading
import time
import traceback
from typing import Any, Callable, Dict, List, Optional, Tuple, TypeVar

_T = TypeVar("_T")

__all__ = [
    "Module",
    "service",
    "method",
    "wire_name",
    "cancelled",
    "current_call",
    "SkeinError",
    "ProtocolError",
]

MAGIC = b"SKEINMOD"
VERSION = 1
PREAMBLE = MAGIC + bytes([VERSION])
MAX_HEADER_BYTES = 64 * 1024
MAX_PAYLOAD_BYTES = 16 * 1024 * 1024 + 64
JSON = "application/json"
MODES = ("per_connection", "singleton", "pooled")

_LENGTH = struct.Struct(">I")


class ProtocolError(Exception):
    """The other side broke stdio protocol v1 (bad preamble, truncated or oversized frame, bad header)."""


class SkeinError(Exception):
    """Raise from a method to fail the call with a framework error kind.

    ``kind`` is a RemoteErrorKind name in snake case: ``bad_arguments``,
    ``method_not_found``, ``unavailable``, ``internal``, ... Any other
    exception is reported with kind ``application``.
    """

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


# ---------------------------------------------------------------- decorators

def wire_name(python_name: str) -> str:
    """The name a method travels by: ``mean`` -> ``Mean``, ``describe_all`` -> ``DescribeAll``."""
    parts = [part for part in python_name.split("_") if part]
    return "".join(part[0].upper() + part[1:] for part in parts)


def service(name: Optional[str] = None, mode: str = "per_connection") -> Callable[[_T], _T]:
    """Class decorator: the class serves the service ``name`` (default: the class name in lower case).

    ``mode`` is how the node expects objects to be made, as for C# services:
    ``per_connection`` (one object per client proxy), ``singleton`` (one
    object for everyone) or ``pooled`` (one object here, calls spread over
    every node hosting the service). The class is instantiated without
    arguments, or with the :class:`Module` if its ``__init__`` takes one.
    """
    if mode not in MODES:
        raise ValueError("mode must be one of %s, not %r" % (", ".join(MODES), mode))

    def decorate(cls):
        cls._skein_service = (name or cls.__name__.lower(), mode)
        return cls

    return decorate


def method(func: Optional[Callable[..., Any]] = None, *, name: Optional[str] = None) -> Any:
    """Method decorator: the method is callable remotely, as ``name`` (default: :func:`wire_name`)."""

    def decorate(f):
        f._skein_method = name or wire_name(f.__name__)
        return f

    return decorate(func) if func is not None else decorate


# ------------------------------------------------------------------- calls

_local = threading.local()
# The call an async method serves: its coroutine runs on the module's event loop, not on the call's thread.
_async_call: "contextvars.ContextVar[Optional[Call]]" = contextvars.ContextVar("skein_call", default=None)


class Call:
    """What a method may know about the call it is serving (see :func:`current_call`)."""

    def __init__(self, conversation: int, service: str, method: str, timeout_ms: Optional[int]) -> None:
        self.conversation = conversation
        self.service = service
        self.method = method
        self.timeout_ms = timeout_ms
        self.cancel_event = threading.Event()
        self.future: Any = None  # the concurrent future of an async method's task, cancelled with the call

    @property
    def cancelled(self) -> bool:
        return self.cancel_event.is_set()

    def cancel(self) -> None:
        self.cancel_event.set()
        future = self.future
        if future is not None:
            future.cancel()


def current_call() -> Optional[Call]:
    """The :class:`Call` being served (by this thread, or by this async method), or None outside a call."""
    return getattr(_local, "call", None) or _async_call.get()


def cancelled() -> bool:
    """True when the caller gave up on the current call; long methods should poll it and return early."""
    call = current_call()
    return call is not None and call.cancelled


class _EventLoop:
    """One asyncio loop on a daemon thread, started at the first async call, where every async method runs."""

    def __init__(self) -> None:
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._lock = threading.Lock()

    def loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                threading.Thread(target=loop.run_forever, name="skein-module-asyncio", daemon=True).start()
                self._loop = loop
            return self._loop

    def run(self, call: Call, make: Callable[[], Any]) -> Any:
        """Runs the awaitable ``make()`` returns on the loop, as ``call``; waits for it from the calling thread."""

        async def as_call() -> Any:
            _async_call.set(call)
            return await make()

        future = asyncio.run_coroutine_threadsafe(as_call(), self.loop())
        call.future = future
        if call.cancelled:
            future.cancel()
        return future.result()

    def stop(self) -> None:
        with self._lock:
            if self._loop is not None:
                self._loop.call_soon_threadsafe(self._loop.stop)
                self._loop = None


def _type_name(annotation):
    if annotation is inspect.Parameter.empty:
        return "any"
    if isinstance(annotation, type):
        return annotation.__name__
    return str(annotation).replace("typing.", "")


def _error_type(exception):
    cls = type(exception)
    if cls.__module__ in ("builtins", "__main__"):
        return cls.__qualname__
    return "%s.%s" % (cls.__module__, cls.__qualname__)


class _Method:
    def __init__(self, wire, function):
        self.wire = wire
        self.function = function
        self.signature = inspect.signature(function)
        self.is_async = inspect.iscoroutinefunction(function)
        self.is_async_stream = inspect.isasyncgenfunction(function)
        self.streaming = inspect.isgeneratorfunction(function) or self.is_async_stream

    def describe(self):
        parameters = list(self.signature.parameters.values())[1:]  # without self
        return {
            "name": self.wire,
            "parameters": [_type_name(p.annotation) for p in parameters],
            "result": _type_name(self.signature.return_annotation),
            "streaming": self.streaming,
        }


class _Service:
    def __init__(self, cls):
        if not hasattr(cls, "_skein_service"):
            raise TypeError("%s is not decorated with @service" % cls.__name__)
        self.cls = cls
        self.name, self.mode = cls._skein_service
        self.methods = {}
        self.python_names = {}
        for python_name, function in inspect.getmembers(cls, inspect.isfunction):
            wire = getattr(function, "_skein_method", None)
            if wire is None:
                continue
            if wire in self.methods:
                raise TypeError("service %s has two methods named %s" % (self.name, wire))
            self.methods[wire] = _Method(wire, function)
            self.python_names[python_name] = wire
        self.instances = {}
        self.lock = threading.Lock()

    def find(self, name):
        found = self.methods.get(name)
        if found is None and name in self.python_names:
            found = self.methods[self.python_names[name]]
        return found

    def instance(self, module, instance_id):
        """The object for a call, and whether it is the call's own (to be closed after it).

        Singleton and pooled services have one object; per-connection ones one per proxy (the request's instance),
        and a per-connection call without an instance one of its own, as the node's rule is for .NET services.
        """
        if self.mode == "per_connection" and not instance_id:
            return self._create(module), True
        key = instance_id if self.mode == "per_connection" else 0
        with self.lock:
            obj = self.instances.get(key)
            if obj is None:
                obj = self._create(module)
                self.instances[key] = obj
            return obj, False

    def release(self, instance_id):
        with self.lock:
            obj = self.instances.pop(instance_id, None)
        _close(obj)

    def _create(self, module):
        try:
            takes_module = len(inspect.signature(self.cls).parameters) >= 1
        except (TypeError, ValueError):
            takes_module = False
        return self.cls(module) if takes_module else self.cls()

    def describe(self):
        return {
            "name": self.name,
            "mode": self.mode,
            "methods": [self.methods[wire].describe() for wire in sorted(self.methods)],
        }


# ------------------------------------------------------------------ frames

class _FrameIO:
    """Preamble and frames over two binary streams; writes are whole frames under a lock."""

    def __init__(self, reader, writer):
        self.reader = reader
        self.writer = writer
        self.write_lock = threading.Lock()

    def _read_exact(self, count, what, allow_eof=False):
        chunks = []
        remaining = count
        while remaining:
            chunk = self.reader.read(remaining)
            if not chunk:
                if allow_eof and remaining == count:
                    return None
                raise ProtocolError("the stream ended in the middle of a frame, in %s" % what)
            chunks.append(chunk)
            remaining -= len(chunk)
        return b"".join(chunks)

    def read_preamble(self):
        data = self._read_exact(len(PREAMBLE), "the preamble", allow_eof=True) or b""
        if data[:8] != MAGIC:
            raise ProtocolError("expected the SKEINMOD preamble, got %r" % data)
        if data[8] != VERSION:
            raise ProtocolError("the node speaks stdio protocol version %d; this module speaks %d" % (data[8], VERSION))

    def write_preamble(self):
        with self.write_lock:
            self.writer.write(PREAMBLE)
            self.writer.flush()

    def read_frame(self):
        """The next (header dict, payload bytes), or None at a clean end of the stream."""
        raw = self._read_exact(4, "the header length", allow_eof=True)
        if raw is None:
            return None
        (header_length,) = _LENGTH.unpack(raw)
        if header_length == 0 or header_length > MAX_HEADER_BYTES:
            raise ProtocolError("frame header of %d bytes is outside 1 byte .. 64 KiB" % header_length)
        header_bytes = self._read_exact(header_length, "the header")
        try:
            header = json.loads(header_bytes.decode("utf-8"))
        except ValueError as error:  # JSONDecodeError and UnicodeDecodeError are both ValueErrors
            raise ProtocolError("header is not JSON: %s" % error)
        if not isinstance(header, dict) or not isinstance(header.get("kind"), str):
            raise ProtocolError("header is not a JSON object with a kind")
        (payload_length,) = _LENGTH.unpack(self._read_exact(4, "the payload length"))
        if payload_length > MAX_PAYLOAD_BYTES:
            raise ProtocolError("frame payload of %d bytes is over the 16 MiB + 64 limit" % payload_length)
        payload = self._read_exact(payload_length, "the payload") if payload_length else b""
        return header, payload

    def write_frame(self, header, payload=b""):
        header_bytes = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        if len(header_bytes) > MAX_HEADER_BYTES:
            raise ProtocolError("frame header of %d bytes is over the 64 KiB limit" % len(header_bytes))
        if len(payload) > MAX_PAYLOAD_BYTES:
            raise ProtocolError("frame payload of %d bytes is over the 16 MiB + 64 limit" % len(payload))
        prefix = _LENGTH.pack(len(header_bytes)) + header_bytes + _LENGTH.pack(len(payload))
        with self.write_lock:
            self.writer.write(prefix)
            if payload:
                self.writer.write(payload)
            self.writer.flush()


_claimed = None


def _claim_stdio():
    """The binary streams frames travel on: private copies of fds 0 and 1. Then fd 1 is pointed at stderr and
    fd 0 at /dev/null, so a stray print (or input()) from any library or subprocess cannot corrupt the frames.
    Done once; at import time already when the node says this process is a module (SKEIN_MODULE_PROTOCOL)."""
    global _claimed
    if _claimed is None:
        sys.stdout.flush()
        frames_out = os.fdopen(os.dup(1), "wb", buffering=0)
        frames_in = os.fdopen(os.dup(0), "rb", buffering=0)
        os.dup2(2, 1)
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.close(devnull)
        sys.stdout = sys.stderr
        _claimed = (frames_in, frames_out)
    return _claimed


def _close(obj):
    close = getattr(obj, "close", None)
    if callable(close):
        close()


def _json_bytes(value):
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")


def _error(kind, error_type, message, stack_trace=""):
    return {"kind": kind, "type": error_type, "message": message, "stack_trace": stack_trace}


class _LogHandler(logging.Handler):
    """Sends Python logging records to the node as log frames."""

    LEVELS = ((logging.ERROR, "error"), (logging.WARNING, "warning"), (logging.INFO, "info"))

    def __init__(self, module):
        super().__init__()
        self.module = module

    def emit(self, record):
        try:
            level = next((name for number, name in self.LEVELS if record.levelno >= number), "debug")
            self.module.log(self.format(record), level)
        except Exception:  # logging must never take the module down
            self.handleError(record)


# ------------------------------------------------------------------ module

class Module:
    """A Skein module: the services it offers and the loop that serves them.

    After the node's welcome, :attr:`name`, :attr:`id`, :attr:`args` and
    :attr:`config` hold what the node said (the name the module was loaded
    under, its id on the node, its arguments and its configuration).
    """

    def __init__(self, *service_classes: type, concurrency: int = 8, stdin: Any = None, stdout: Any = None) -> None:
        self.services = {}
        for cls in service_classes:
            self.add(cls)
        self.name = None
        self.id = None
        self.args = []
        self.config = {}
        self._concurrency = threading.BoundedSemaphore(max(1, concurrency))
        self._stdin = stdin
        self._stdout = stdout
        self._io = None
        self._calls = {}
        self._calls_lock = threading.Lock()
        self._workers = []
        self._logger = None
        self._async = _EventLoop()

    def add(self, cls: _T) -> _T:
        """Offers one more service class (decorated with :func:`service`)."""
        described = _Service(cls)
        if described.name in self.services:
            raise ValueError("two services are named %s" % described.name)
        self.services[described.name] = described
        return cls

    # -- talking to the node

    def publish(self, subject: str, value: Any) -> None:
        """Publishes ``value`` (anything JSON can encode) on the cluster's event bus under ``subject``."""
        self._require_running()
        self._io.write_frame({"kind": "event", "subject": subject, "content_type": JSON}, _json_bytes(value))

    def log(self, message: Any, level: str = "info") -> None:
        """Writes a line to the node's log; ``level`` is debug, info, warning or error."""
        if self._io is None:
            sys.stderr.write("%s: %s\n" % (level, message))
            return
        self._io.write_frame({"kind": "log", "level": level, "message": str(message)})

    @property
    def logger(self) -> logging.Logger:
        """A :mod:`logging` logger whose records go to the node's log as log frames."""
        if self._logger is None:
            self._logger = logging.getLogger("skein.module.%s" % (self.name or "module"))
            self._logger.addHandler(_LogHandler(self))
            self._logger.setLevel(logging.DEBUG)
            self._logger.propagate = False
        return self._logger

    def _require_running(self):
        if self._io is None:
            raise RuntimeError("the module is not running yet: call run() first")

    # -- the loop

    def run(self) -> int:
        """Serves until the node sends shutdown or closes stdin; returns the process exit code (0, or 2 on a protocol error)."""
        reader, writer = self._take_stdio()
        io = _FrameIO(reader, writer)
        try:
            io.write_preamble()
            io.read_preamble()
            welcome = io.read_frame()
            if welcome is None:
                return 0
            header = welcome[0]
            if header["kind"] != "welcome":
                raise ProtocolError("expected a welcome frame first, got %r" % header["kind"])
            self.name = header.get("module")
            self.id = header.get("id")
            self.args = list(header.get("args") or [])
            self.config = header.get("config") or {}
            io.write_frame({"kind": "hello", "services": [s.describe() for s in self.services.values()]})
            self._io = io  # only now may publish() and log() send frames: nothing may come before the hello
            self._serve(io)
            return 0
        except ProtocolError as error:
            sys.stderr.write("skein module%s: protocol error: %s\n" % (" " + self.name if self.name else "", error))
            return 2
        except (BrokenPipeError, ConnectionResetError):
            return 0  # the node went away; nobody is left to tell
        finally:
            self._stop_calls()

    def _take_stdio(self):
        if self._stdin is not None and self._stdout is not None:
            return self._stdin, self._stdout
        return _claim_stdio()

    def _serve(self, io):
        while True:
            frame = io.read_frame()
            if frame is None:
                return
            header, payload = frame
            kind = header["kind"]
            if kind == "request":
                self._start_call(io, header, payload)
            elif kind == "cancel":
                with self._calls_lock:
                    call = self._calls.get(header.get("conversation"))
                if call is not None:
                    call.cancel()
            elif kind == "release":
                for described in self.services.values():
                    if described.mode == "per_connection":
                        described.release(header.get("instance"))
            elif kind == "shutdown":
                return
            elif kind in ("welcome", "hello", "response", "stream_item", "event", "log"):
                raise ProtocolError("a %s frame cannot come from the node now" % kind)
            else:
                raise ProtocolError("unknown frame kind %r" % kind)

    def _start_call(self, io, header, payload):
        call = Call(header.get("conversation"), header.get("service"), header.get("method"), header.get("timeout_ms"))
        with self._calls_lock:
            self._calls[call.conversation] = call
        # Daemon threads: a method that never returns must not keep the process alive after shutdown.
        worker = threading.Thread(target=self._run_call, args=(io, call, header, payload), daemon=True)
        self._workers = [w for w in self._workers if w.is_alive()]
        self._workers.append(worker)
        worker.start()

    def _run_call(self, io, call, header, payload):
        # The worker waits for its turn, not the reader loop, which must stay free to read cancels and shutdown.
        self._concurrency.acquire()
        _local.call = call
        try:
            self._answer(io, call, header, payload)
        except OSError:
            pass  # the node is gone (a broken pipe); the reader loop will see the end too
        except Exception as error:  # a bug here must still answer the call, or it would hang until its deadline
            try:
                io.write_frame({"kind": "response", "conversation": call.conversation, "status": "error",
                                "error": _error("internal", _error_type(error), str(error), traceback.format_exc())})
            except Exception:
                pass
        finally:
            _local.call = None
            with self._calls_lock:
                self._calls.pop(call.conversation, None)
            self._concurrency.release()

    def _answer(self, io, call, header, payload):
        conversation = call.conversation

        def fail(error):
            io.write_frame({"kind": "response", "conversation": conversation, "status": "error", "error": error})

        described = self.services.get(call.service)
        if described is None:
            return fail(_error("service_not_found", "Skein.ServiceNotFound",
                               "module %s has no service %s" % (self.name, call.service)))
        target = described.find(call.method)
        if target is None:
            return fail(_error("method_not_found", "Skein.MethodNotFound",
                               "service %s has no method %s" % (call.service, call.method)))
        content_type = header.get("content_type") or JSON
        if content_type != JSON:
            return fail(_error("bad_arguments", "Skein.BadArguments",
                               "this module reads %s arguments, not %s" % (JSON, content_type)))
        try:
            arguments = json.loads(payload.decode("utf-8")) if payload else []
        except ValueError as error:
            return fail(_error("bad_arguments", "Skein.BadArguments", "the arguments are not JSON: %s" % error))
        if not isinstance(arguments, list):
            return fail(_error("bad_arguments", "Skein.BadArguments", "the arguments must be one JSON array"))
        try:
            target.signature.bind(None, *arguments)
        except TypeError as error:
            return fail(_error("bad_arguments", "Skein.BadArguments",
                               "%s.%s takes %s: %s" % (call.service, target.wire, _parameters(target), error)))
        instance, own = None, False
        try:
            instance, own = described.instance(self, header.get("instance") or 0)
            bound = getattr(instance, target.function.__name__)
            if target.is_async:
                result = self._async.run(call, lambda: bound(*arguments))
            else:
                result = bound(*arguments)
            if target.is_async_stream:
                self._stream_async(io, call, result)
                result = None
            elif target.streaming:
                sequence = 0
                for item in result:
                    if call.cancelled:
                        result.close()
                        break
                    sequence += 1
                    io.write_frame({"kind": "stream_item", "conversation": conversation, "sequence": sequence,
                                    "content_type": JSON}, _json_bytes(item))
                result = None
            if call.cancelled:
                return fail(_error("cancelled", "Skein.Cancelled", "the caller cancelled the call"))
            body = b"" if target.streaming else _json_bytes(result)
            if len(body) > MAX_PAYLOAD_BYTES:
                return fail(_error("message_too_large", "Skein.MessageTooLarge",
                                   "the result of %s.%s is %d bytes, over the 16 MiB + 64 limit"
                                   % (call.service, target.wire, len(body))))
        except SkeinError as error:
            return fail(_error(error.kind, _error_type(error), str(error), traceback.format_exc()))
        except Exception as error:
            if call.cancelled and _is_cancellation(error):
                return fail(_error("cancelled", "Skein.Cancelled", "the caller cancelled the call"))
            return fail(_error("application", _error_type(error), str(error), traceback.format_exc()))
        finally:
            if own:
                _close(instance)
        io.write_frame({"kind": "response", "conversation": conversation, "status": "ok", "content_type": JSON}, body)

    def _stream_async(self, io, call, generator):
        """Streams an async generator's items: each is fetched on the event loop, and sent from the call's thread."""
        sequence = 0
        try:
            while not call.cancelled:
                try:
                    item = self._async.run(call, generator.__anext__)
                except StopAsyncIteration:
                    return
                sequence += 1
                io.write_frame({"kind": "stream_item", "conversation": call.conversation, "sequence": sequence,
                                "content_type": JSON}, _json_bytes(item))
        finally:
            if call.cancelled:
                try:
                    asyncio.run_coroutine_threadsafe(generator.aclose(), self._async.loop()).result(1.0)
                except Exception:  # closing a cancelled generator may raise anything; the call is over either way
                    pass

    def _stop_calls(self):
        # Running calls get a moment to finish, then are told they are cancelled; the whole wait stays well inside
        # the node's grace period (5 s by default), after which it would kill the process anyway.
        deadline = time.monotonic() + 2.0
        for worker in list(self._workers):
            worker.join(timeout=max(0.0, deadline - time.monotonic()))
        with self._calls_lock:
            for call in self._calls.values():
                call.cancel()
        deadline = time.monotonic() + 1.0
        for worker in list(self._workers):
            worker.join(timeout=max(0.0, deadline - time.monotonic()))
        self._async.stop()


def _is_cancellation(error):
    import concurrent.futures
    return isinstance(error, (asyncio.CancelledError, concurrent.futures.CancelledError))


def _parameters(target):
    names = list(target.signature.parameters)[1:]
    return "(%s)" % ", ".join(names) if names else "no arguments"


# A process the node started as a module: protect stdout from the first moment, so prints made while the module's
# own imports run land on stderr rather than in front of the preamble.
if os.environ.get("SKEIN_MODULE_PROTOCOL"):
    _claim_stdio()
