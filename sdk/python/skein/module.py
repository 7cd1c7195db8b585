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
* Calls are served concurrently: at most ``concurrency`` at once (8 unless
  the module or ``SKEIN_MODULE_CONCURRENCY`` says otherwise), the rest wait
  their turn in the order they came. Plain ``def`` methods run on a pool of
  threads (at most ``concurrency`` of them), so a method that blocks holds up
  no other call; answers go back as they are ready, in any order.
  ``concurrency=1`` serves one call at a time, for code that is not safe to
  run on two threads at once.
* ``async def`` methods (and async generators) run as tasks on one event loop
  the module starts for them; a cancel cancels their task. Long plain methods
  may poll :func:`cancelled`.
* A per-connection request without an ``instance`` (which a node never sends)
  gets an object of its own for that call, closed after it.
"""

import asyncio
import collections
import concurrent.futures
import contextvars
import inspect
import json
import logging
import os
import queue
import struct
import sys
import threading
import traceback
from typing import Any, Callable, Optional, TypeVar

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
    "DEFAULT_CONCURRENCY",
]

MAGIC = b"SKEINMOD"
VERSION = 1
PREAMBLE = MAGIC + bytes([VERSION])
MAX_HEADER_BYTES = 64 * 1024
MAX_PAYLOAD_BYTES = 16 * 1024 * 1024 + 64
JSON = "application/json"
MODES = ("per_connection", "singleton", "pooled")

#: How many calls a module serves at once unless it says otherwise (``Module(concurrency=...)``) or the environment
#: variable :data:`CONCURRENCY_VARIABLE` does.
DEFAULT_CONCURRENCY = 8
#: The most calls a module may serve at once: each may hold a thread.
MAX_CONCURRENCY = 1024
#: The environment variable that sets the concurrency of a module that does not choose its own.
CONCURRENCY_VARIABLE = "SKEIN_MODULE_CONCURRENCY"

# Error texts longer than this are cut, so that an error response always fits the 64 KiB header limit.
_MAX_ERROR_TEXT = 6000

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
# The call an async method serves: its task runs on the module's event loop, not on the call's thread.
_async_call: "contextvars.ContextVar[Optional[Call]]" = contextvars.ContextVar("skein_call", default=None)
_event_lock = threading.Lock()


class Call:
    """What a method may know about the call it is serving (see :func:`current_call`)."""

    def __init__(self, conversation: int, service: str, method: str, timeout_ms: Optional[int]) -> None:
        self.conversation = conversation
        self.service = service
        self.method = method
        self.timeout_ms = timeout_ms
        self._cancelled = False
        self._event: Optional[threading.Event] = None  # made only when someone waits on it: most calls never do
        self._loop: Optional[asyncio.AbstractEventLoop] = None  # set for an async method, before it is scheduled
        self._task: Optional["asyncio.Future[Any]"] = None  # an async method's task, once it runs

    @property
    def cancelled(self) -> bool:
        return self._cancelled

    @property
    def cancel_event(self) -> threading.Event:
        """An event set when the caller cancels, for methods that would rather wait on it than poll."""
        with _event_lock:
            if self._event is None:
                event = threading.Event()
                self._event = event
                if self._cancelled:
                    event.set()
            return self._event

    def cancel(self) -> None:
        self._cancelled = True
        event = self._event
        if event is not None:
            event.set()
        loop = self._loop
        if loop is not None:
            try:
                loop.call_soon_threadsafe(self._cancel_task)
            except RuntimeError:
                pass  # the loop is closed: the module is ending and the task with it

    def _cancel_task(self) -> None:
        # On the loop's thread: a task not started yet sees the flag when it starts and answers "cancelled" itself.
        task = self._task
        if task is not None:
            task.cancel()


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


_POSITIONAL = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)


class _Method:
    def __init__(self, wire, function):
        self.wire = wire
        self.function = function
        self.name = function.__name__
        self.signature = inspect.signature(function)
        self.is_async = inspect.iscoroutinefunction(function)
        self.is_async_stream = inspect.isasyncgenfunction(function)
        self.on_loop = self.is_async or self.is_async_stream
        self.streaming = inspect.isgeneratorfunction(function) or self.is_async_stream
        # How many arguments a plain signature takes, so most calls are checked without Signature.bind (slow);
        # anything else (*args, keyword-only parameters) is checked by bind.
        parameters = list(self.signature.parameters.values())[1:]  # without self
        if all(p.kind in _POSITIONAL for p in parameters):
            self.most = len(parameters)
            self.least = sum(1 for p in parameters if p.default is inspect.Parameter.empty)
        else:
            self.most, self.least = -1, 0

    def takes(self, count):
        return self.least <= count <= self.most

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
        self.shared = None  # the one object of a singleton or pooled service, once made
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
        if self.mode != "per_connection":
            shared = self.shared
            if shared is not None:
                return shared, False
            with self.lock:
                if self.shared is None:
                    self.shared = self._create(module)
                return self.shared, False
        if not instance_id:
            return self._create(module), True
        with self.lock:
            obj = self.instances.get(instance_id)
            if obj is None:
                obj = self._create(module)
                self.instances[instance_id] = obj
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


class _Work:
    """A request accepted for serving: its call, what it calls, and its raw arguments."""

    __slots__ = ("call", "service", "target", "instance", "payload")

    def __init__(self, call, service, target, instance, payload):
        self.call = call
        self.service = service
        self.target = target
        self.instance = instance
        self.payload = payload


class _Gate:
    """At most ``limit`` calls served at once; the others wait here, first come first served."""

    def __init__(self, limit):
        self.limit = limit
        self._running = 0
        self._waiting = collections.deque()
        self._lock = threading.Lock()

    def admit(self, work):
        """True when ``work`` may start now; otherwise it waits, and a later :meth:`next` hands it out."""
        with self._lock:
            if self._running < self.limit:
                self._running += 1
                return True
            self._waiting.append(work)
            return False

    def next(self):
        """Called as a call ends: the waiting call that takes its place, or None (and one place is free)."""
        with self._lock:
            if self._waiting:
                return self._waiting.popleft()
            self._running -= 1
            return None

    def drain(self):
        """Every waiting call, taken out of the queue (at shutdown: they will never start)."""
        with self._lock:
            waiting = list(self._waiting)
            self._waiting.clear()
            return waiting


class _Workers:
    """The threads plain methods run on: started as calls need them, at most ``limit``, kept for later calls."""

    def __init__(self, limit, serve):
        self._limit = limit
        self._serve = serve
        self._queue = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._threads = []
        self._idle = 0  # threads waiting for work
        self._queued = 0  # work handed in and not taken yet

    def submit(self, work):
        thread = None
        with self._lock:
            self._queued += 1
            # Every admitted call gets a thread at once: a call must never wait behind another it may be waiting for.
            if self._queued > self._idle and len(self._threads) < self._limit:
                thread = threading.Thread(target=self._run, name="skein-module-call-%d" % (len(self._threads) + 1),
                                          daemon=True)  # a method that never returns must not keep the process alive
                self._threads.append(thread)
        if thread is not None:
            thread.start()
        self._queue.put(work)

    def _run(self):
        lock, take = self._lock, self._queue.get
        while True:
            with lock:
                self._idle += 1
            work = take()
            with lock:
                self._idle -= 1
                self._queued -= 1
            if work is None:
                return
            self._serve(work)

    def stop(self):
        with self._lock:
            count = len(self._threads)
            self._queued += count
        for _ in range(count):
            self._queue.put(None)


# ------------------------------------------------------------------ frames

class _FrameIO:
    """Preamble and frames over two binary streams.

    Reads fill a buffer a chunk at a time, so the frames the node has sent together cost one system call between
    them, not four each. :meth:`write` writes bytes that hold whole frames; :class:`_Outbox` makes sure only one
    thread writes at a time.
    """

    CHUNK = 64 * 1024
    MOST = 1024 * 1024

    def __init__(self, reader, writer):
        self.reader = reader
        self.writer = writer
        # read1 (a buffered stream) and a raw stream's read both return what one system call gives: never more
        # than asked, and without waiting for the rest.
        self._read_some = getattr(reader, "read1", None) or reader.read
        self._buffer = bytearray()
        self._position = 0
        self.write_lock = threading.Lock()

    def _fill(self, count, what, allow_eof=False):
        """Makes ``count`` bytes from the read position available; False at a clean end when ``allow_eof``."""
        buffer = self._buffer
        while len(buffer) - self._position < count:
            if self._position:
                del buffer[:self._position]
                self._position = 0
            # At least a chunk, so frames sent together come in one call; at most 1 MiB, as a read of a large
            # payload allocates what it asks for whatever the pipe holds.
            chunk = self._read_some(min(max(self.CHUNK, count - len(buffer)), self.MOST))
            if not chunk:
                if allow_eof and not buffer:
                    return False
                raise ProtocolError("the stream ended in the middle of a frame, in %s" % what)
            buffer += chunk
        return True

    def read_preamble(self):
        if not self._fill(len(PREAMBLE), "the preamble", allow_eof=True):
            raise ProtocolError("expected the SKEINMOD preamble, got the end of the stream")
        start = self._position
        data = bytes(self._buffer[start:start + len(PREAMBLE)])
        self._position = start + len(PREAMBLE)
        if data[:8] != MAGIC:
            raise ProtocolError("expected the SKEINMOD preamble, got %r" % data)
        if data[8] != VERSION:
            raise ProtocolError("the node speaks stdio protocol version %d; this module speaks %d" % (data[8], VERSION))

    def write_preamble(self):
        self.write(PREAMBLE)

    def read_frame(self):
        """The next (header dict, payload bytes), or None at a clean end of the stream."""
        if not self._fill(4, "the header length", allow_eof=True):
            return None
        buffer = self._buffer
        (header_length,) = _LENGTH.unpack_from(buffer, self._position)
        if header_length == 0 or header_length > MAX_HEADER_BYTES:
            raise ProtocolError("frame header of %d bytes is outside 1 byte .. 64 KiB" % header_length)
        self._fill(4 + header_length, "the header")
        start = self._position + 4
        try:
            header = json.loads(buffer[start:start + header_length].decode("utf-8"))
        except ValueError as error:  # JSONDecodeError and UnicodeDecodeError are both ValueErrors
            raise ProtocolError("header is not JSON: %s" % error)
        if not isinstance(header, dict) or not isinstance(header.get("kind"), str):
            raise ProtocolError("header is not a JSON object with a kind")
        self._fill(4 + header_length + 4, "the payload length")
        start = self._position + 4 + header_length
        (payload_length,) = _LENGTH.unpack_from(buffer, start)
        if payload_length > MAX_PAYLOAD_BYTES:
            raise ProtocolError("frame payload of %d bytes is over the 16 MiB + 64 limit" % payload_length)
        end = 4 + header_length + 4 + payload_length
        self._fill(end, "the payload")
        start = self._position + 4 + header_length + 4
        end += self._position
        payload = bytes(buffer[start:end]) if payload_length else b""
        if end == len(buffer):
            del buffer[:]  # the usual case: everything read was used, and the buffer starts over empty
            self._position = 0
        else:
            self._position = end
        return header, payload

    def write(self, data):
        """Writes ``data`` (whole frames) and flushes: a raw stream may take only part of it per call."""
        writer = self.writer
        written = writer.write(data)
        if written is not None and written < len(data):
            view = memoryview(data)[written:]
            while view:
                written = writer.write(view)
                view = view[written or 0:]
        writer.flush()

    def write_frame(self, header, payload=b""):
        frame = _frame(_header_bytes(header), payload)
        with self.write_lock:
            self.write(frame)


def _header_bytes(header):
    encoded = _json_bytes(header)
    if len(encoded) > MAX_HEADER_BYTES:
        raise ProtocolError("frame header of %d bytes is over the 64 KiB limit" % len(encoded))
    return encoded


def _frame(header_bytes, payload=b""):
    if len(payload) > MAX_PAYLOAD_BYTES:
        raise ProtocolError("frame payload of %d bytes is over the 16 MiB + 64 limit" % len(payload))
    return b"".join((_LENGTH.pack(len(header_bytes)), header_bytes, _LENGTH.pack(len(payload)), payload))


# The headers of the frames every call sends, filled in rather than encoded from a dict each time.
_OK_HEADER = b'{"kind":"response","conversation":%d,"status":"ok","content_type":"application/json"}'
_ITEM_HEADER = b'{"kind":"stream_item","conversation":%d,"sequence":%d,"content_type":"application/json"}'


def _ok_frame(conversation, body):
    if type(conversation) is int:
        return _frame(_OK_HEADER % conversation, body)
    return _frame(_header_bytes({"kind": "response", "conversation": conversation, "status": "ok",
                                 "content_type": JSON}), body)


def _item_frame(conversation, sequence, body):
    if type(conversation) is int:
        return _frame(_ITEM_HEADER % (conversation, sequence), body)
    return _frame(_header_bytes({"kind": "stream_item", "conversation": conversation, "sequence": sequence,
                                 "content_type": JSON}), body)


def _error_frame(conversation, error):
    return _frame(_header_bytes({"kind": "response", "conversation": conversation, "status": "error", "error": error}))


class _Outbox:
    """The one way frames leave the module. A thread with a frame to send either writes, when nobody is writing,
    or leaves it for the thread that is; the writer takes everything queued meanwhile into its next write. So
    frames never interleave, and answers that are ready together share one system call and one flush."""

    def __init__(self, io):
        self._io = io
        self._lock = threading.Lock()
        self._quiet = threading.Condition(self._lock)
        self._queued = []
        self._writing = False

    def send(self, frame):
        with self._lock:
            self._queued.append(frame)
            if self._writing:
                return
            self._writing = True
        while True:
            with self._lock:
                batch = self._queued
                if not batch:
                    self._writing = False
                    self._quiet.notify_all()
                    return
                self._queued = []
            try:
                self._io.write(batch[0] if len(batch) == 1 else b"".join(batch))
            except BaseException:
                with self._lock:
                    # A write that failed part-way leaves the node inside a frame: nothing queued could be read anyway.
                    self._queued = []
                    self._writing = False
                    self._quiet.notify_all()
                raise

    def wait_quiet(self, timeout):
        """Waits until everything sent has been written (or ``timeout`` seconds)."""
        with self._lock:
            self._quiet.wait_for(lambda: not self._writing and not self._queued, timeout)


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


# One encoder made once: json.dumps with options builds a new encoder for every value.
_encode = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode


def _json_bytes(value):
    return _encode(value).encode("utf-8")


def _error(kind, error_type, message, stack_trace=""):
    if len(message) > _MAX_ERROR_TEXT:
        message = message[:_MAX_ERROR_TEXT] + "... (cut)"
    if len(stack_trace) > _MAX_ERROR_TEXT:
        stack_trace = "(cut) ..." + stack_trace[-_MAX_ERROR_TEXT:]  # the innermost frames say the most
    return {"kind": kind, "type": error_type, "message": message, "stack_trace": stack_trace}


_CANCELLED = {"kind": "cancelled", "type": "Skein.Cancelled", "message": "the caller cancelled the call", "stack_trace": ""}


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

def _concurrency_from_environment():
    """The concurrency ``SKEIN_MODULE_CONCURRENCY`` asks for: (value or None, problem or None)."""
    text = os.environ.get(CONCURRENCY_VARIABLE)
    if text is None or not text.strip():
        return None, None
    try:
        value = int(text.strip())
    except ValueError:
        value = 0
    if not 1 <= value <= MAX_CONCURRENCY:
        return None, "%s must be a whole number from 1 to %d, not %r" % (CONCURRENCY_VARIABLE, MAX_CONCURRENCY, text)
    return value, None


class Module:
    """A Skein module: the services it offers and the loop that serves them.

    After the node's welcome, :attr:`name`, :attr:`id`, :attr:`args` and
    :attr:`config` hold what the node said (the name the module was loaded
    under, its id on the node, its arguments and its configuration).

    ``concurrency`` is how many calls are served at once (plain methods each on
    a thread of a pool, async methods as tasks on the event loop); calls past it
    wait, in the order they came. Without it, the environment variable
    ``SKEIN_MODULE_CONCURRENCY`` decides, and without that
    :data:`DEFAULT_CONCURRENCY` (8). ``concurrency=1`` serves one call at a time.
    """

    def __init__(self, *service_classes: type, concurrency: Optional[int] = None, stdin: Any = None,
                 stdout: Any = None) -> None:
        self.services = {}
        for cls in service_classes:
            self.add(cls)
        self.name = None
        self.id = None
        self.args = []
        self.config = {}
        self._concurrency_problem = None
        if concurrency is not None:
            if isinstance(concurrency, bool) or not isinstance(concurrency, int) or not 1 <= concurrency <= MAX_CONCURRENCY:
                raise ValueError("concurrency must be a whole number from 1 to %d, not %r" % (MAX_CONCURRENCY, concurrency))
        else:
            concurrency, self._concurrency_problem = _concurrency_from_environment()
        #: How many calls this module serves at once.
        self.concurrency = concurrency or DEFAULT_CONCURRENCY
        self._stdin = stdin
        self._stdout = stdout
        self._io = None
        self._outbox = None
        self._calls = {}
        self._calls_lock = threading.Lock()
        self._calls_ended = threading.Condition(self._calls_lock)
        self._gate = _Gate(self.concurrency)
        self._workers = _Workers(self.concurrency, self._serve_on_thread)
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
        self._outbox.send(_frame(_header_bytes({"kind": "event", "subject": subject, "content_type": JSON}),
                                 _json_bytes(value)))

    def log(self, message: Any, level: str = "info") -> None:
        """Writes a line to the node's log; ``level`` is debug, info, warning or error."""
        outbox = self._outbox
        if outbox is None:
            sys.stderr.write("%s: %s\n" % (level, message))
            return
        outbox.send(_frame(_header_bytes({"kind": "log", "level": level, "message": str(message)})))

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
        if self._outbox is None:
            raise RuntimeError("the module is not running yet: call run() first")

    # -- the loop

    def run(self) -> int:
        """Serves until the node sends shutdown or closes stdin; returns the process exit code (0, or 2 on a protocol
        error or a bad ``SKEIN_MODULE_CONCURRENCY``)."""
        if self._concurrency_problem is not None:
            sys.stderr.write("skein module: %s\n" % self._concurrency_problem)
            return 2
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
            self._io = io
            self._outbox = _Outbox(io)  # only now may publish() and log() send frames: nothing may come before the hello
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
        read = io.read_frame
        while True:
            frame = read()
            if frame is None:
                return
            header, payload = frame
            kind = header["kind"]
            if kind == "request":
                self._accept(header, payload)
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

    # -- serving calls

    def _accept(self, header, payload):
        """On the reader's thread: answers what needs no method at once, and hands the rest to the gate."""
        conversation = header.get("conversation")
        service_name, method_name = header.get("service"), header.get("method")
        described = self.services.get(service_name)
        if described is None:
            return self._fail(conversation, _error("service_not_found", "Skein.ServiceNotFound",
                                                   "module %s has no service %s" % (self.name, service_name)))
        target = described.find(method_name)
        if target is None:
            return self._fail(conversation, _error("method_not_found", "Skein.MethodNotFound",
                                                   "service %s has no method %s" % (service_name, method_name)))
        content_type = header.get("content_type") or JSON
        if content_type != JSON:
            return self._fail(conversation, _error("bad_arguments", "Skein.BadArguments",
                                                   "this module reads %s arguments, not %s" % (JSON, content_type)))
        call = Call(conversation, service_name, method_name, header.get("timeout_ms"))
        work = _Work(call, described, target, header.get("instance") or 0, payload)
        with self._calls_lock:
            self._calls[conversation] = call
        if self._gate.admit(work):
            self._start(work)

    def _start(self, work):
        if work.target.on_loop:
            loop = self._async.loop()
            work.call._loop = loop  # before the task is scheduled: from now on a cancel reaches the task
            loop.call_soon_threadsafe(self._start_task, work)
        else:
            self._workers.submit(work)

    def _end(self, work):
        """A call is answered: it leaves the table, and the next waiting call takes its place — run here and now
        when it is a plain method and this is a worker thread (no hand-over), else started where it runs."""
        with self._calls_lock:
            self._calls.pop(work.call.conversation, None)
            if not self._calls:
                self._calls_ended.notify_all()
        return self._gate.next()

    def _send(self, frame):
        self._outbox.send(frame)

    def _fail(self, conversation, error):
        self._outbox.send(_error_frame(conversation, error))

    def _arguments(self, work):
        """The call's arguments as a list, or None when they are refused (the call is answered then)."""
        call, target, payload = work.call, work.target, work.payload
        try:
            arguments = json.loads(payload.decode("utf-8")) if payload else []
        except ValueError as error:
            self._fail(call.conversation, _error("bad_arguments", "Skein.BadArguments", "the arguments are not JSON: %s" % error))
            return None
        if type(arguments) is not list:
            self._fail(call.conversation, _error("bad_arguments", "Skein.BadArguments", "the arguments must be one JSON array"))
            return None
        if not target.takes(len(arguments)):
            try:
                target.signature.bind(None, *arguments)
            except TypeError as error:
                self._fail(call.conversation, _error("bad_arguments", "Skein.BadArguments", "%s.%s takes %s: %s"
                                                     % (call.service, target.wire, _parameters(target), error)))
                return None
        return arguments

    def _result_frame(self, call, target, result):
        body = _json_bytes(result)
        if len(body) > MAX_PAYLOAD_BYTES:
            return _error_frame(call.conversation, _error(
                "message_too_large", "Skein.MessageTooLarge", "the result of %s.%s is %d bytes, over the 16 MiB + 64 limit"
                % (call.service, target.wire, len(body))))
        return _ok_frame(call.conversation, body)

    def _internal(self, call, error):
        """A bug here must still answer the call, or it would hang until its deadline."""
        try:
            self._fail(call.conversation, _error("internal", _error_type(error), str(error), traceback.format_exc()))
        except Exception:
            pass

    # plain methods, on the pool's threads

    def _serve_on_thread(self, work):
        while work is not None:
            call = work.call
            _local.call = call
            try:
                self._answer(work)
            except OSError:
                pass  # the node is gone (a broken pipe); the reader loop will see the end too
            except BaseException as error:  # SystemExit from a method too: the thread and its place must live on
                self._internal(call, error)
            finally:
                _local.call = None
            work = self._end(work)
            if work is not None and work.target.on_loop:
                self._start(work)
                return

    def _answer(self, work):
        call, target = work.call, work.target
        arguments = self._arguments(work)
        if arguments is None:
            return
        if call.cancelled:  # cancelled while it waited for its turn
            return self._fail(call.conversation, _CANCELLED)
        instance, own = None, False
        try:
            instance, own = work.service.instance(self, work.instance)
            result = getattr(instance, target.name)(*arguments)
            if target.streaming:
                sequence = 0
                for item in result:
                    if call.cancelled:
                        result.close()
                        break
                    sequence += 1
                    self._send(_item_frame(call.conversation, sequence, _json_bytes(item)))
                frame = None if call.cancelled else _ok_frame(call.conversation, b"")
            else:
                frame = None if call.cancelled else self._result_frame(call, target, result)
        except SkeinError as error:
            frame = _error_frame(call.conversation, _error(error.kind, _error_type(error), str(error), traceback.format_exc()))
        except Exception as error:
            if call.cancelled and _is_cancellation(error):
                frame = None
            else:
                frame = _error_frame(call.conversation, _error("application", _error_type(error), str(error),
                                                               traceback.format_exc()))
        finally:
            if own:
                _close(instance)
        self._send(frame if frame is not None else _error_frame(call.conversation, _CANCELLED))

    # async methods, as tasks on the event loop

    def _start_task(self, work):
        asyncio.ensure_future(self._serve_task(work))

    async def _serve_task(self, work):
        call = work.call
        _async_call.set(call)  # a task runs in a copy of the context: this is the task's own
        try:
            await self._answer_async(work)
        except OSError:
            pass
        except BaseException as error:  # a cancel that arrived after the method returned lands here too
            if call.cancelled and _is_cancellation(error):
                self._fail_quietly(call)
            else:
                self._internal(call, error)
        nxt = self._end(work)
        if nxt is not None:
            if nxt.target.on_loop:
                self._start_task(nxt)
            else:
                self._workers.submit(nxt)

    def _fail_quietly(self, call):
        try:
            self._fail(call.conversation, _CANCELLED)
        except Exception:
            pass

    async def _answer_async(self, work):
        call, target = work.call, work.target
        arguments = self._arguments(work)
        if arguments is None:
            return
        if call.cancelled:
            return self._fail(call.conversation, _CANCELLED)
        call._task = asyncio.current_task()  # a cancel from now on cancels this task (on this loop's thread)
        instance, own = None, False
        try:
            instance, own = work.service.instance(self, work.instance)
            produced = getattr(instance, target.name)(*arguments)
            if target.is_async_stream:
                sequence = 0
                try:
                    async for item in produced:
                        if call.cancelled:
                            break
                        sequence += 1
                        self._send(_item_frame(call.conversation, sequence, _json_bytes(item)))
                finally:
                    if call.cancelled:
                        try:
                            await produced.aclose()
                        except BaseException:  # closing a cancelled generator may raise anything; the call is over
                            pass
                frame = None if call.cancelled else _ok_frame(call.conversation, b"")
            else:
                result = await produced
                frame = None if call.cancelled else self._result_frame(call, target, result)
        except SkeinError as error:
            frame = _error_frame(call.conversation, _error(error.kind, _error_type(error), str(error), traceback.format_exc()))
        except BaseException as error:
            if call.cancelled and _is_cancellation(error):
                frame = None
            elif isinstance(error, Exception):
                frame = _error_frame(call.conversation, _error("application", _error_type(error), str(error),
                                                               traceback.format_exc()))
            else:
                raise
        finally:
            call._task = None
            if own:
                _close(instance)
        self._send(frame if frame is not None else _error_frame(call.conversation, _CANCELLED))

    # -- shutdown

    def _stop_calls(self):
        # Running calls get a moment to finish, then are told they are cancelled; the whole wait stays well inside
        # the node's grace period (5 s by default), after which it would kill the process anyway.
        with self._calls_lock:
            self._calls_ended.wait_for(lambda: not self._calls, 2.0)
        for work in self._gate.drain():  # calls still waiting for their turn never get one
            if self._outbox is not None:
                self._fail_quietly(work.call)
            with self._calls_lock:
                self._calls.pop(work.call.conversation, None)
        with self._calls_lock:
            running = list(self._calls.values())
        for call in running:
            call.cancel()
        with self._calls_lock:
            self._calls_ended.wait_for(lambda: not self._calls, 1.0)
        if self._outbox is not None:
            self._outbox.wait_quiet(1.0)  # answers a worker queued for another's write must leave before the exit
        self._workers.stop()
        self._async.stop()


def _is_cancellation(error):
    return isinstance(error, (asyncio.CancelledError, concurrent.futures.CancelledError))


def _parameters(target):
    names = list(target.signature.parameters)[1:]
    return "(%s)" % ", ".join(names) if names else "no arguments"


# A process the node started as a module: protect stdout from the first moment, so prints made while the module's
# own imports run land on stderr rather than in front of the preamble.
if os.environ.get("SKEIN_MODULE_PROTOCOL"):
    _claim_stdio()
