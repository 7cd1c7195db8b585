"""A client for Skein clusters: call services, stream, publish and subscribe to events, list nodes and services.

Built on docs/protocol.md with grpcio and the messages generated from protos/ (``skein.v1``)::

    import skein

    with skein.Client() as client:                      # the connection file in .skein, or SKEIN_CLUSTER/SKEIN_TOKEN
        print(client.call("echo", "Echo", "hi"))        # "hi"
        for item in client.stream("echo", "Repeat", "la", 3):
            print(item)
        with client.reserve("echo") as echo:            # one per-connection object for several calls
            echo.call("Echo", "again")
        client.publish("orders.created", {"id": 7})
        with client.subscribe("orders.>") as events:
            for event in events:
                print(event.subject, event.value)
        peers = client.exchange("agents", 3, "tcp://10.0.0.1:4000")   # every participant's context, by name
        client.barrier("agents", 3)                                   # wait until all three are done

A client is thread-safe: share one among threads. Calls to one node share one HTTP/2 stream.
"""

from __future__ import annotations

import itertools
import json
import os
import queue
import socket
import threading
from dataclasses import dataclass, field
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple, Union

import grpc

from .v1 import calls_pb2, cluster_pb2, envelope_pb2, events_pb2, rendezvous_pb2

__all__ = [
    "Client",
    "ClusterError",
    "RemoteError",
    "Event",
    "NodeInfo",
    "ServiceHost",
    "Reservation",
    "Subscription",
    "BarrierResult",
    "BarrierTimeout",
    "locate",
]

TOKEN_HEADER = "skein-token"
JSON = "application/json"
DEFAULT_TIMEOUT = 30.0
# The transport lets through a 16 MiB payload plus its envelope.
MAX_MESSAGE_BYTES = 16 * 1024 * 1024 + 64 * 1024 + 64

_E = envelope_pb2

_KIND_NAMES = {
    _E.REMOTE_ERROR_KIND_APPLICATION: "application",
    _E.REMOTE_ERROR_KIND_SERVICE_NOT_FOUND: "service_not_found",
    _E.REMOTE_ERROR_KIND_METHOD_NOT_FOUND: "method_not_found",
    _E.REMOTE_ERROR_KIND_BAD_ARGUMENTS: "bad_arguments",
    _E.REMOTE_ERROR_KIND_DEADLINE_EXCEEDED: "deadline_exceeded",
    _E.REMOTE_ERROR_KIND_CANCELLED: "cancelled",
    _E.REMOTE_ERROR_KIND_CAPACITY_REACHED: "capacity_reached",
    _E.REMOTE_ERROR_KIND_NODE_LOST: "node_lost",
    _E.REMOTE_ERROR_KIND_MESSAGE_TOO_LARGE: "message_too_large",
    _E.REMOTE_ERROR_KIND_UNAVAILABLE: "unavailable",
    _E.REMOTE_ERROR_KIND_INTERNAL: "internal",
}
_RETRIABLE = {"node_lost", "unavailable", "capacity_reached", "service_not_found", "deadline_exceeded"}
_MODES = {
    cluster_pb2.SERVICE_INSTANCE_MODE_PER_CONNECTION: "per_connection",
    cluster_pb2.SERVICE_INSTANCE_MODE_SINGLETON: "singleton",
    cluster_pb2.SERVICE_INSTANCE_MODE_POOLED: "pooled",
}
_STATES = {
    cluster_pb2.NODE_STATE_ALIVE: "alive",
    cluster_pb2.NODE_STATE_LOST: "lost",
    cluster_pb2.NODE_STATE_LEFT: "left",
}


class ClusterError(Exception):
    """The cluster could not be found or reached, or refused the token."""


class RemoteError(Exception):
    """A call that failed: the service threw (``kind`` ``application``) or the framework refused it.

    ``kind`` is the error kind in snake case (``deadline_exceeded``, ``bad_arguments``, ...); ``type`` the remote
    exception's type; ``node``, ``service`` and ``method`` where it happened; ``inner`` the inner error, if any.
    """

    def __init__(self, kind: str, message: str, type: str = "", stack_trace: str = "", node: str = "", service: str = "",
                 method: str = "", inner: Optional["RemoteError"] = None, description: Optional[str] = None) -> None:
        super().__init__(description or message)
        self.kind = kind
        self.message = message
        self.type = type or "Skein." + "".join(part.capitalize() for part in kind.split("_"))
        self.stack_trace = stack_trace
        self.node = node
        self.service = service
        self.method = method
        self.inner = inner

    @property
    def retriable(self) -> bool:
        """True for the framework failures a retry may cure (a lost node, a module restarting, a deadline, ...)."""
        return self.kind in _RETRIABLE

    @classmethod
    def from_wire(cls, error: envelope_pb2.RemoteError) -> "RemoteError":
        inner = cls.from_wire(error.inner) if error.HasField("inner") else None
        kind = _KIND_NAMES.get(error.kind, "internal")
        description = None
        if kind == "application":  # said as a .NET caller sees it: what, where, then the message
            where = "%s.%s" % (error.service, error.method) if error.method else error.service
            description = "%s in %s on node %s: %s" % (error.type, where, error.node, error.message)
        return cls(kind, error.message, error.type, error.stack_trace, error.node, error.service, error.method, inner, description)


@dataclass(frozen=True)
class NodeInfo:
    """A node as the coordinator knows it."""

    name: str
    state: str
    call_address: str
    hostname: str = ""
    cores: int = 0
    slots: int = 0
    labels: Dict[str, str] = field(default_factory=dict)
    services: Tuple[str, ...] = ()


@dataclass(frozen=True)
class ServiceHost:
    """One node's offer of one service."""

    service: str
    node: str
    address: str
    mode: str
    capacity: int
    methods: Tuple[str, ...]
    streaming: Tuple[str, ...]


@dataclass(frozen=True)
class Event:
    """An event from the cluster's bus. ``value`` is the payload read as JSON (when it is JSON)."""

    subject: str
    payload: bytes
    content_type: str
    sequence: int
    time_unix_nano: int

    @property
    def value(self) -> Any:
        if self.content_type not in ("", JSON):
            raise ValueError("event %s is %s, not JSON" % (self.subject, self.content_type))
        return json.loads(self.payload) if self.payload else None


@dataclass(frozen=True)
class BarrierResult:
    """A barrier that released its participants: who met, in the order they arrived, and the context each brought."""

    name: str
    participants: Tuple[str, ...]
    contexts: Dict[str, str]


class BarrierTimeout(TimeoutError):
    """A barrier did not release within the timeout; this participant was withdrawn. The message names who had arrived
    and who is missing: ``barrier 'setup' timed out after 30s: 2 of 3 arrived (node-1/a, node-2/b); missing 1``.

    ``arrived`` lists who had arrived (this participant included), ``missing`` the declared participants that had not
    (empty when only a count was given), ``missing_count`` how many had not.
    """

    def __init__(self, barrier: str, timeout: float, count: int, arrived: Sequence[str], missing: Sequence[str]) -> None:
        self.barrier = barrier
        self.timeout = timeout
        self.count = count
        self.arrived = tuple(arrived)
        self.missing = tuple(missing)
        self.missing_count = max(0, count - len(self.arrived))
        who = " (%s)" % ", ".join(self.arrived) if self.arrived else ""
        super().__init__("barrier '%s' timed out after %s: %d of %d arrived%s; missing %s"
                         % (barrier, format_duration(timeout), len(self.arrived), count, who,
                            ", ".join(self.missing) if self.missing else self.missing_count))


def format_duration(seconds: float) -> str:
    """A duration as Skein writes it in messages: 850ms, 4.2s, 30s, 3m05s, 1h02m."""
    millis = int(round(seconds * 1000))
    if millis < 1000:
        return "%dms" % millis
    if millis < 60000:
        return "%ds" % (millis // 1000) if millis % 1000 == 0 else "%.1fs" % (millis / 1000.0)
    whole = millis // 1000
    if whole < 3600:
        return "%dm" % (whole // 60) if whole % 60 == 0 else "%dm%02ds" % (whole // 60, whole % 60)
    return "%dh" % (whole // 3600) if (whole // 60) % 60 == 0 else "%dh%02dm" % (whole // 3600, (whole // 60) % 60)


_participants = itertools.count(1)


def _default_participant() -> str:
    """SKEIN_PARTICIPANT (the test runner names each experiment so), else HOST/PID; "-2", "-3" ... for further clients."""
    stem = os.environ.get("SKEIN_PARTICIPANT", "").strip() or "%s/%d" % (socket.gethostname(), os.getpid())
    nth = next(_participants)
    return stem if nth == 1 else "%s-%d" % (stem, nth)


def locate(address: Optional[str] = None, token: Optional[str] = None, state_dir: Optional[str] = None) -> Tuple[str, str]:
    """The coordinator's HOST:PORT and the token, found as every skein command finds them (docs/protocol.md, section 1)."""
    state = state_dir or os.environ.get("SKEIN_STATE") or ".skein"
    connection_path = os.path.join(state, "cluster.json")
    token_path = os.path.join(state, "token")
    connection: Dict[str, Any] = {}
    if os.path.exists(connection_path):
        try:
            with open(connection_path, encoding="utf-8") as f:
                connection = json.load(f)
        except (OSError, ValueError) as error:
            raise ClusterError("the connection file %s cannot be read: %s" % (connection_path, error)) from None
        if not isinstance(connection, dict):
            raise ClusterError("the connection file %s is not a JSON object" % connection_path)
    address = address or os.environ.get("SKEIN_CLUSTER") or connection.get("address")
    if not address:
        raise ClusterError("no cluster given and no connection file %s: start one with 'skein up', or set SKEIN_CLUSTER"
                           % os.path.abspath(connection_path))
    if token is None:
        token = os.environ.get("SKEIN_TOKEN", "").strip() or None
    if token is None:
        path = connection.get("tokenPath") or token_path
        try:
            with open(path, encoding="utf-8") as f:
                token = f.read().strip()
        except OSError as error:
            raise ClusterError("no cluster token: set SKEIN_TOKEN or run where the state directory is (%s)" % error) from None
    return _host_port(address), token


def _host_port(address: str) -> str:
    for prefix in ("http://", "https://"):
        if address.startswith(prefix):
            address = address[len(prefix):]
    return address.rstrip("/")


# ---------------------------------------------------------------------------------------------------- call streams

class _Conversation:
    """A call waiting for its answers: envelopes go to a queue its caller reads."""

    __slots__ = ("answers", "node")

    def __init__(self, node: str) -> None:
        self.answers: "queue.SimpleQueue[Union[envelope_pb2.Envelope, RemoteError]]" = queue.SimpleQueue()
        self.node = node


class _NodeStream:
    """One Calls/Connect stream to a node, shared by every call to it; a reader thread hands out the answers."""

    def __init__(self, name: str, address: str, token: str) -> None:
        self.name = name
        self.address = address
        self._channel = grpc.insecure_channel(address, options=[
            ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
            ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
        ])
        connect = self._channel.stream_stream("/skein.v1.Calls/Connect", request_serializer=calls_pb2.Frame.SerializeToString,
                                              response_deserializer=calls_pb2.Frame.FromString)
        self._outgoing: "queue.SimpleQueue[Optional[calls_pb2.Frame]]" = queue.SimpleQueue()
        self._waiting: Dict[int, _Conversation] = {}
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self.failure: Optional[RemoteError] = None
        self._responses = connect(self._frames(), metadata=[(TOKEN_HEADER, token)])
        self._reader = threading.Thread(target=self._read, name="skein-node-" + name, daemon=True)
        self._reader.start()

    def _frames(self) -> Iterator[calls_pb2.Frame]:
        """What gRPC sends: every envelope queued by the time it asks for the next message goes in one frame."""
        while True:
            first = self._outgoing.get()
            if first is None:
                return
            frame = first
            while len(frame.envelopes) < 256:
                try:
                    more = self._outgoing.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    yield frame
                    return
                frame.envelopes.extend(more.envelopes)
            yield frame

    def begin(self, **fields: Any) -> Tuple[int, _Conversation]:
        conversation = _Conversation(self.name)
        with self._lock:
            if self.failure is not None:
                raise self.failure
            cid = next(self._ids)
            self._waiting[cid] = conversation
        self._outgoing.put(calls_pb2.Frame(envelopes=[envelope_pb2.Envelope(id=cid, conversation_id=cid, **fields)]))
        return cid, conversation

    def post(self, **fields: Any) -> None:
        """Sends an envelope that needs no answer (a cancel, a credit)."""
        if self.failure is None:
            self._outgoing.put(calls_pb2.Frame(envelopes=[envelope_pb2.Envelope(**fields)]))

    def forget(self, cid: int) -> None:
        with self._lock:
            self._waiting.pop(cid, None)

    def cancel(self, cid: int) -> None:
        """Gives up on a call: the node cancels it (its final answer is not waited for)."""
        self.forget(cid)
        self.post(kind=_E.ENVELOPE_KIND_CANCEL, conversation_id=cid)

    def _read(self) -> None:
        try:
            for frame in self._responses:
                for envelope in frame.envelopes:
                    with self._lock:
                        conversation = self._waiting.get(envelope.conversation_id)
                        if conversation is not None and envelope.kind == _E.ENVELOPE_KIND_RESPONSE:
                            del self._waiting[envelope.conversation_id]
                    if conversation is not None:
                        conversation.answers.put(envelope)
            reason = "its call stream ended"
        except grpc.RpcError as error:
            reason = "its call stream broke: %s %s" % (error.code().name, error.details() or "")
        self._fail(RemoteError("node_lost", "node %s (%s) is gone: %s" % (self.name, self.address, reason), node=self.name))

    def _fail(self, error: RemoteError) -> None:
        with self._lock:
            if self.failure is None:
                self.failure = error
            waiting = list(self._waiting.values())
            self._waiting.clear()
        for conversation in waiting:
            conversation.answers.put(error)

    def close(self) -> None:
        self._outgoing.put(None)
        self._channel.close()


def _next(conversation: _Conversation, wait: Optional[float], what: str) -> envelope_pb2.Envelope:
    try:
        answer = conversation.answers.get(timeout=wait)
    except queue.Empty:
        raise RemoteError("deadline_exceeded", "%s got no answer from node %s within %.1f s" % (what, conversation.node, wait or 0),
                          node=conversation.node) from None
    if isinstance(answer, RemoteError):
        raise answer
    return answer


def _value(envelope: envelope_pb2.Envelope) -> Any:
    if envelope.content_type not in ("", JSON):
        raise RemoteError("bad_arguments", "node answered in %s, not JSON" % envelope.content_type)
    return json.loads(envelope.payload) if envelope.payload else None


# ---------------------------------------------------------------------------------------------------------- client

class Client:
    """A connection to a Skein cluster.

    ``address`` and ``token`` default to what :func:`locate` finds (SKEIN_CLUSTER/SKEIN_TOKEN, or the connection file
    of the state directory ``.skein``). ``timeout`` is every call's deadline in seconds, sent to the node, which ends
    the call itself when it passes (``None``: no deadline). ``participant`` is the name this client arrives at barriers
    under (default: ``SKEIN_PARTICIPANT``, else HOST/PID).
    """

    def __init__(self, address: Optional[str] = None, token: Optional[str] = None, *, state_dir: Optional[str] = None,
                 timeout: Optional[float] = DEFAULT_TIMEOUT, participant: Optional[str] = None) -> None:
        self.address, self._token = locate(address, token, state_dir)
        self.timeout = timeout
        self.participant = participant or _default_participant()
        self._metadata = [(TOKEN_HEADER, self._token)]
        self._channel = grpc.insecure_channel(self.address)
        self._lock = threading.Lock()
        self._streams: Dict[str, _NodeStream] = {}
        self._routes: Dict[str, List[ServiceHost]] = {}
        self._turn = itertools.count()
        self._closed = False

    # -- the coordinator

    def _unary(self, method: str, request: Any, reply: Any) -> Any:
        call = self._channel.unary_unary(method, request_serializer=request.SerializeToString, response_deserializer=reply.FromString)
        try:
            return call(request, metadata=self._metadata, timeout=self.timeout)
        except grpc.RpcError as error:
            raise _cluster_error(self.address, error) from None

    def nodes(self) -> List[NodeInfo]:
        """Every node the coordinator knows: alive, lost or left."""
        reply = self._unary("/skein.v1.Membership/ListNodes", cluster_pb2.ListNodesRequest(), cluster_pb2.ListNodesReply)
        return [NodeInfo(n.name, _STATES.get(n.state, "unknown"), n.call_address, n.hostname, n.cores, n.slots, dict(n.labels),
                         tuple(n.services)) for n in reply.nodes]

    def services(self) -> Dict[str, List[ServiceHost]]:
        """Every service an alive node hosts, by name, with its hosts sorted by node name."""
        reply = self._unary("/skein.v1.Membership/ListServices", cluster_pb2.ListServicesRequest(), cluster_pb2.ListServicesReply)
        services: Dict[str, List[ServiceHost]] = {}
        for listing in reply.services:
            hosts = [ServiceHost(listing.name, h.node_name, h.address, _MODES.get(h.info.mode, "per_connection"), h.info.capacity,
                                 tuple(m.name for m in h.info.methods), tuple(m.name for m in h.info.methods if m.streaming))
                     for h in listing.hosts if h.address]
            services[listing.name] = sorted(hosts, key=lambda h: h.node)
        with self._lock:
            self._routes = services
        return services

    # -- calls

    def _host(self, service: str, refresh: bool = False) -> ServiceHost:
        with self._lock:
            hosts = None if refresh else self._routes.get(service)
        if not hosts:
            hosts = self.services().get(service)
        if not hosts:
            raise RemoteError("service_not_found", "no alive node hosts service '%s'" % service, service=service)
        if hosts[0].mode == "singleton":
            return hosts[0]  # every client picks the same object: the first node by name
        return hosts[next(self._turn) % len(hosts)]

    def _stream_to(self, host: ServiceHost) -> _NodeStream:
        with self._lock:
            if self._closed:
                raise ClusterError("the client is closed")
            stream = self._streams.get(host.node)
            if stream is None or stream.failure is not None or stream.address != host.address:
                stream = _NodeStream(host.node, host.address, self._token)
                self._streams[host.node] = stream
            return stream

    def _begin(self, service: str, method: str, args: Sequence[Any], timeout: Optional[float], instance: int = 0,
               host: Optional[ServiceHost] = None, **more: Any) -> Tuple[_NodeStream, int, _Conversation]:
        payload = json.dumps(list(args), separators=(",", ":")).encode("utf-8")
        fields = dict(kind=_E.ENVELOPE_KIND_REQUEST, service=service, method=method, content_type=JSON, payload=payload,
                      timeout_ms=_millis(timeout), instance=instance, **more)
        for attempt in range(2):
            target = host or self._host(service, refresh=attempt > 0)
            stream = self._stream_to(target)
            try:
                cid, conversation = stream.begin(**fields)
                return stream, cid, conversation
            except RemoteError:
                if host is not None or attempt > 0:
                    raise
        raise AssertionError("unreachable")

    def call(self, service: str, method: str, *args: Any, timeout: Optional[float] = -1.0) -> Any:
        """Calls ``service.method(*args)`` and returns its result, read from JSON. Raises :class:`RemoteError`."""
        return self._call(service, method, args, self.timeout if timeout == -1.0 else timeout)

    def _call(self, service: str, method: str, args: Sequence[Any], timeout: Optional[float], instance: int = 0,
              host: Optional[ServiceHost] = None) -> Any:
        stream, cid, conversation = self._begin(service, method, args, timeout, instance, host)
        try:
            answer = _next(conversation, _patience(timeout), "%s.%s" % (service, method))
        except BaseException:
            stream.cancel(cid)  # interrupted, or the node went silent: it need not go on
            raise
        if answer.kind != _E.ENVELOPE_KIND_RESPONSE:
            stream.cancel(cid)
            raise RemoteError("internal", "%s.%s streams; use stream()" % (service, method), node=stream.name, service=service,
                              method=method)
        if answer.status == _E.ENVELOPE_STATUS_ERROR:
            raise RemoteError.from_wire(answer.error)
        return _value(answer)

    def stream(self, service: str, method: str, *args: Any, timeout: Optional[float] = None, window: int = 64) -> Iterator[Any]:
        """Calls a streaming method and yields its items as they arrive. Closing the iterator early cancels the call.

        ``window`` items at most travel ahead of what you have read (0: no flow control); ``timeout`` bounds the
        whole stream (none by default).
        """
        return self._stream(service, method, args, timeout, window)

    def _stream(self, service: str, method: str, args: Sequence[Any], timeout: Optional[float], window: int, instance: int = 0,
                host: Optional[ServiceHost] = None) -> Iterator[Any]:
        stream, cid, conversation = self._begin(service, method, args, timeout, instance, host, stream_window=max(0, window))
        done = False
        credited = 0
        count = 0
        try:
            while True:
                answer = _next(conversation, _patience(timeout), "%s.%s" % (service, method))
                if answer.kind == _E.ENVELOPE_KIND_RESPONSE:
                    done = True
                    if answer.status == _E.ENVELOPE_STATUS_ERROR:
                        raise RemoteError.from_wire(answer.error)
                    if count == 0 and answer.payload:
                        yield _value(answer)  # a method that does not stream answers with one value
                    return
                count += 1
                yield _value(answer)
                if answer.stream_window and count - credited >= max(1, answer.stream_window // 2):
                    credited = count
                    stream.post(kind=_E.ENVELOPE_KIND_CREDIT, conversation_id=cid, sequence=count)
        finally:
            if not done:
                stream.cancel(cid)

    def reserve(self, service: str) -> "Reservation":
        """Reserves one object of a per-connection service, kept across calls until the reservation is released."""
        host = self._host(service)
        stream = self._stream_to(host)
        cid, conversation = stream.begin(kind=_E.ENVELOPE_KIND_OPEN, service=service)
        answer = _next(conversation, _patience(self.timeout), "reserving %s" % service)
        if answer.status == _E.ENVELOPE_STATUS_ERROR:
            raise RemoteError.from_wire(answer.error)
        return Reservation(self, host, answer.instance)

    # -- events

    def publish(self, subject: str, value: Any = None, *, payload: Optional[bytes] = None, content_type: str = JSON) -> int:
        """Publishes an event (``value`` as JSON, or raw ``payload`` bytes); returns its sequence number on the bus."""
        data = payload if payload is not None else json.dumps(value, separators=(",", ":")).encode("utf-8")
        batch = events_pb2.PublishBatch(events=[events_pb2.OutgoingEvent(subject=subject, payload=data,
                                                                         content_type="" if content_type == JSON else content_type)])
        ack = self._unary("/skein.v1.Events/Publish", batch, events_pb2.PublishAck)
        return ack.last_sequence

    def subscribe(self, pattern: str, *, replay: bool = False, buffer: int = 0) -> "Subscription":
        """Subscribes to the subjects matching ``pattern`` (``*`` one token, ``>`` the rest); returns once it is live."""
        call = self._channel.unary_stream("/skein.v1.Events/Subscribe", request_serializer=events_pb2.SubscribeRequest.SerializeToString,
                                          response_deserializer=events_pb2.EventBatch.FromString)
        batches = call(events_pb2.SubscribeRequest(pattern=pattern, replay_recent=replay, buffer_capacity=buffer), metadata=self._metadata)
        return Subscription(self.address, batches)

    # -- barriers

    def barrier(self, name: str, count: Union[int, Sequence[str]], timeout: float = DEFAULT_TIMEOUT) -> BarrierResult:
        """Waits at the barrier ``name`` until ``count`` participants (this one included) have arrived.

        ``count`` is a number, or the names of the participants expected (``self.participant`` among them: then only
        they may arrive and a timeout names the missing). The coordinator holds the barrier; once it releases, the name
        is free for the next meeting. Raises :class:`BarrierTimeout` when the others do not all arrive within
        ``timeout`` seconds, ``ValueError`` for bad input (a count of 0, a context over 64 KiB, ...), and
        :class:`ClusterError` when the barrier is meeting with another count, a participant of this name is already
        there, or the coordinator goes away. An interrupted wait (Ctrl+C) withdraws this participant.
        """
        return self._arrive(name, count, "", timeout)

    def exchange(self, name: str, count: Union[int, Sequence[str]], context: str, timeout: float = DEFAULT_TIMEOUT) -> Dict[str, str]:
        """Arrives at the barrier ``name`` with ``context`` (a string of at most 64 KiB: an address, a JSON document) and
        returns every participant's context by participant name once ``count`` have arrived; as :meth:`barrier`."""
        return self._arrive(name, count, context, timeout).contexts

    def _arrive(self, name: str, count: Union[int, Sequence[str]], context: str, timeout: float) -> BarrierResult:
        if isinstance(count, str):
            raise TypeError("count is a number or a list of participant names, not a string")
        expected = [] if isinstance(count, int) else list(count)
        if timeout is None or timeout <= 0:
            raise ValueError("barrier '%s': the timeout must be positive, not %r" % (name, timeout))
        request = rendezvous_pb2.ArriveRequest(barrier=name, participant=self.participant, count=count if isinstance(count, int) else len(expected),
                                               expected=expected, context=context, timeout_ms=max(1, int(round(timeout * 1000))))
        call = self._channel.unary_unary("/skein.v1.Rendezvous/Arrive", request_serializer=rendezvous_pb2.ArriveRequest.SerializeToString,
                                         response_deserializer=rendezvous_pb2.ArriveReply.FromString)
        # The coordinator answers a timed-out arrival itself; the call's deadline only guards against a silent one.
        pending = call.future(request, metadata=self._metadata, timeout=timeout + 30.0)
        try:
            reply = pending.result()
        except grpc.RpcError as error:
            raise _barrier_error(self.address, name, error) from None
        except BaseException:
            pending.cancel()  # interrupted: the coordinator withdraws this participant
            raise
        arrived = [(a.participant, a.context) for a in reply.arrived]
        if reply.timed_out:
            raise BarrierTimeout(name, timeout, reply.count, [p for p, _ in arrived], list(reply.missing))
        return BarrierResult(name, tuple(p for p, _ in arrived), dict(arrived))

    # -- lifetime

    def close(self) -> None:
        with self._lock:
            self._closed = True
            streams = list(self._streams.values())
            self._streams.clear()
        for stream in streams:
            stream.close()
        self._channel.close()

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class Reservation:
    """One reserved object of a per-connection service: its calls share the object; release it when done."""

    def __init__(self, client: Client, host: ServiceHost, instance: int) -> None:
        self._client = client
        self.host = host
        self.instance = instance
        self._released = False

    def call(self, method: str, *args: Any, timeout: Optional[float] = -1.0) -> Any:
        return self._client._call(self.host.service, method, args, self._client.timeout if timeout == -1.0 else timeout,
                                  self.instance, self.host)

    def stream(self, method: str, *args: Any, timeout: Optional[float] = None, window: int = 64) -> Iterator[Any]:
        return self._client._stream(self.host.service, method, args, timeout, window, self.instance, self.host)

    def release(self) -> None:
        if self._released:
            return
        self._released = True
        stream = self._client._stream_to(self.host)
        cid, conversation = stream.begin(kind=_E.ENVELOPE_KIND_RELEASE, service=self.host.service, instance=self.instance)
        _next(conversation, _patience(self._client.timeout), "releasing %s" % self.host.service)

    def __enter__(self) -> "Reservation":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.release()


class Subscription:
    """Events as they are published, in order; iterate it. Close it (or leave its ``with`` block) to unsubscribe."""

    def __init__(self, address: str, batches: Any) -> None:
        self._batches = batches
        self.dropped = 0
        try:
            next(batches)  # the first batch is empty and says the subscription is live
        except grpc.RpcError as error:
            raise _cluster_error(address, error) from None
        except StopIteration:
            raise ClusterError("the coordinator at %s ended the subscription at once" % address) from None
        self._pending: List[Event] = []

    def __iter__(self) -> "Subscription":
        return self

    def __next__(self) -> Event:
        while not self._pending:
            try:
                batch = next(self._batches)
            except grpc.RpcError as error:
                if error.code() == grpc.StatusCode.CANCELLED:
                    raise StopIteration from None
                raise
            self.dropped = batch.dropped
            self._pending = [Event(e.subject, e.payload, e.content_type or JSON, e.sequence, e.time_unix_nano) for e in batch.events]
            self._pending.reverse()
        return self._pending.pop()

    def close(self) -> None:
        self._batches.cancel()

    def __enter__(self) -> "Subscription":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def _millis(timeout: Optional[float]) -> int:
    if timeout is None:
        return 0
    if timeout <= 0:
        raise ValueError("a timeout must be positive, or None for no deadline")
    return max(1, min(int(timeout * 1000), 2 ** 32 - 1))


def _patience(timeout: Optional[float]) -> Optional[float]:
    """How long to wait for an answer: the node ends the call at its deadline; this only guards against a silent node."""
    return None if timeout is None else timeout + 10.0


def _barrier_error(address: str, barrier: str, error: grpc.RpcError) -> Exception:
    code = error.code()
    if code == grpc.StatusCode.INVALID_ARGUMENT:
        return ValueError(error.details())
    if code in (grpc.StatusCode.FAILED_PRECONDITION, grpc.StatusCode.ALREADY_EXISTS, grpc.StatusCode.RESOURCE_EXHAUSTED):
        return ClusterError(error.details())
    if code in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.INTERNAL, grpc.StatusCode.UNKNOWN):
        return ClusterError("barrier '%s' failed: the coordinator at %s went away while this participant waited (%s); barriers do not "
                            "outlive the coordinator, so arrive again once it is back" % (barrier, address, error.details() or code.name))
    return _cluster_error(address, error)


def _cluster_error(address: str, error: grpc.RpcError) -> Exception:
    code = error.code()
    if code == grpc.StatusCode.UNAUTHENTICATED:
        return ClusterError("the coordinator at %s refused the cluster token (unauthenticated)" % address)
    if code == grpc.StatusCode.UNAVAILABLE:
        return ClusterError("cannot reach the cluster at %s: %s" % (address, error.details()))
    if code == grpc.StatusCode.INVALID_ARGUMENT:
        return ValueError(error.details())
    return ClusterError("the coordinator at %s failed the call: %s %s" % (address, code.name, error.details()))
