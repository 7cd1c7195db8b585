#!/usr/bin/env python3
"""A Skein client written from docs/protocol.md alone: grpcio, the messages protoc generates from protos/, and
nothing else of Skein's. Run against a cluster whose nodes host the example services (examples/services):

    protoc -I protos --python_out=GEN protos/skein/v1/*.proto
    python3 protocol_client.py --protos GEN          # in the directory whose .skein holds the connection file

Each check prints "ok: ..."; the first that fails prints "FAILED: ..." and the script exits 1.
"""

import argparse
import json
import os
import queue
import sys
import threading

WAIT = float(os.environ.get("SKEIN_TEST_PATIENCE", "120"))


def fail(message):
    print("FAILED: " + message, flush=True)
    sys.exit(1)


def check(condition, message):
    if not condition:
        fail(message)
    print("ok: " + message, flush=True)


# ------------------------------------------------------------------ section 1: finding the cluster

def locate():
    address = os.environ.get("SKEIN_CLUSTER")
    token = os.environ.get("SKEIN_TOKEN", "").strip()
    state = os.environ.get("SKEIN_STATE") or ".skein"
    connection = os.path.join(state, "cluster.json")
    token_path = os.path.join(state, "token")
    if os.path.exists(connection):
        with open(connection, encoding="utf-8") as f:
            data = json.load(f)
        address = address or data["address"]
        token_path = data.get("tokenPath") or token_path
    if not token:
        with open(token_path, encoding="utf-8") as f:
            token = f.read().strip()
    if not address:
        fail("no cluster: no SKEIN_CLUSTER and no %s" % connection)
    for prefix in ("http://", "https://"):
        if address.startswith(prefix):
            address = address[len(prefix):]
    return address.rstrip("/"), token


# ------------------------------------------------------------------ section 4: the call stream

class CallStream:
    """One Calls/Connect stream to a node; envelopes are handed to their conversation's queue."""

    def __init__(self, grpc, pb, address, token):
        self.pb = pb
        self.channel = grpc.insecure_channel(address, options=[("grpc.max_receive_message_length", 17 * 1024 * 1024)])
        connect = self.channel.stream_stream("/skein.v1.Calls/Connect",
                                             request_serializer=pb.calls.Frame.SerializeToString,
                                             response_deserializer=pb.calls.Frame.FromString)
        self.outgoing = queue.Queue()
        self.conversations = {}
        self.lock = threading.Lock()
        self.next_conversation = 0
        self.responses = connect(iter(self.outgoing.get, None), metadata=[("skein-token", token)])
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        try:
            for frame in self.responses:
                for envelope in frame.envelopes:
                    self._queue(envelope.conversation_id).put(envelope)
        except Exception as error:  # the stream broke: every waiting call hears of it
            with self.lock:
                waiting = list(self.conversations.values())
            for q in waiting:
                q.put(error)

    def _queue(self, conversation):
        with self.lock:
            return self.conversations.setdefault(conversation, queue.Queue())

    def new_conversation(self):
        with self.lock:
            self.next_conversation += 1
            return self.next_conversation

    def send(self, **fields):
        envelope = self.pb.envelope.Envelope(**fields)
        self._queue(envelope.conversation_id)
        self.outgoing.put(self.pb.calls.Frame(envelopes=[envelope]))
        return envelope

    def request(self, service, method, args, content_type="application/json", **more):
        conversation = self.new_conversation()
        payload = args if isinstance(args, bytes) else json.dumps(args).encode("utf-8")
        return self.send(id=conversation * 10, kind=self.pb.envelope.ENVELOPE_KIND_REQUEST, conversation_id=conversation,
                         service=service, method=method, content_type=content_type, payload=payload, **more)

    def next(self, conversation):
        try:
            item = self._queue(conversation).get(timeout=WAIT)
        except queue.Empty:
            fail("no answer for conversation %d within %.0f s" % (conversation, WAIT))
        if isinstance(item, Exception):
            fail("the call stream broke: %s" % item)
        return item

    def until_response(self, conversation):
        envelopes = []
        while True:
            envelope = self.next(conversation)
            envelopes.append(envelope)
            if envelope.kind == self.pb.envelope.ENVELOPE_KIND_RESPONSE:
                return envelopes

    def close(self):
        self.outgoing.put(None)
        self.channel.close()


class Protos:
    def __init__(self):
        from skein.v1 import calls_pb2, cluster_pb2, envelope_pb2, events_pb2
        self.calls, self.cluster, self.envelope, self.events = calls_pb2, cluster_pb2, envelope_pb2, events_pb2


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--protos", required=True, help="where protoc put the generated skein/v1/*_pb2.py")
    options = parser.parse_args()
    sys.path.insert(0, options.protos)
    import grpc
    pb = Protos()
    E = pb.envelope
    address, token = locate()
    check(len(token) >= 32, "the token was found (section 1)")
    metadata = [("skein-token", token)]
    coordinator = grpc.insecure_channel(address)

    def unary(method, request, reply):
        return coordinator.unary_unary(method, request_serializer=request.SerializeToString, response_deserializer=reply.FromString)(
            request, metadata=metadata, timeout=WAIT)

    # A wrong token is refused, saying nothing more.
    try:
        coordinator.unary_unary("/skein.v1.Membership/ListNodes", request_serializer=pb.cluster.ListNodesRequest.SerializeToString,
                                response_deserializer=pb.cluster.ListNodesReply.FromString)(
            pb.cluster.ListNodesRequest(), metadata=[("skein-token", "0" * 64)], timeout=WAIT)
        fail("a wrong token was accepted")
    except grpc.RpcError as error:
        check(error.code() == grpc.StatusCode.UNAUTHENTICATED, "a wrong token is refused UNAUTHENTICATED (section 2)")

    # Section 3: nodes and services.
    nodes = unary("/skein.v1.Membership/ListNodes", pb.cluster.ListNodesRequest(), pb.cluster.ListNodesReply).nodes
    alive = sorted(n.name for n in nodes if n.state == pb.cluster.NODE_STATE_ALIVE)
    check(alive == ["alpha", "beta"], "ListNodes lists the alive nodes alpha and beta (section 3)")
    services = {s.name: s for s in unary("/skein.v1.Membership/ListServices", pb.cluster.ListServicesRequest(), pb.cluster.ListServicesReply).services}
    check({"echo", "counter", "worker"} <= set(services), "ListServices lists echo, counter and worker")
    echo_host = services["echo"].hosts[0]
    counter_host = sorted(services["counter"].hosts, key=lambda h: h.node_name)[0]  # a singleton: the first by name
    repeat = [m for m in echo_host.info.methods if m.name == "Repeat"][0]
    check(repeat.streaming and list(repeat.parameters) == ["String", "Int32"], "echo.Repeat is listed as a stream of (String, Int32)")

    # Section 9: subscribe, then publish; the first (empty) batch says the subscription is live.
    subscribe = coordinator.unary_stream("/skein.v1.Events/Subscribe", request_serializer=pb.events.SubscribeRequest.SerializeToString,
                                         response_deserializer=pb.events.EventBatch.FromString)
    subscription = subscribe(pb.events.SubscribeRequest(pattern="wire.>"), metadata=metadata)
    batches = queue.Queue()
    threading.Thread(target=lambda: [batches.put(b) for b in subscription], daemon=True).start()
    first = batches.get(timeout=WAIT)
    check(len(first.events) == 0, "a subscription starts with an empty batch (section 9)")
    ack = unary("/skein.v1.Events/Publish", pb.events.PublishBatch(events=[
        pb.events.OutgoingEvent(subject="wire.hello", payload=b'{"from":"python"}'),
        pb.events.OutgoingEvent(subject="wire.bye", payload=b'"bye"', content_type="application/json")]), pb.events.PublishAck)
    check(ack.published == 2 and ack.last_sequence > 0, "Publish acknowledges 2 events with the last one's sequence")
    received = []
    while len(received) < 2:
        received.extend(batches.get(timeout=WAIT).events)
    check([e.subject for e in received] == ["wire.hello", "wire.bye"], "the subscriber receives both events in order")
    check(received[1].sequence == ack.last_sequence, "the ack's last_sequence is the sequence the subscriber sees")
    check(json.loads(received[0].payload) == {"from": "python"} and received[0].content_type in ("", "application/json"),
          "an event without a content type is JSON")
    subscription.cancel()

    # Section 4: a call, answered with the request's id.
    calls = CallStream(grpc, pb, echo_host.address, token)
    sent = calls.request("echo", "Echo", ["hi"])
    reply = calls.next(sent.conversation_id)
    check(reply.kind == E.ENVELOPE_KIND_RESPONSE and reply.status == E.ENVELOPE_STATUS_OK, "echo.Echo answers OK")
    check(json.loads(reply.payload) == "hi" and reply.content_type == "application/json", "the result is the JSON value \"hi\"")
    check(reply.id == sent.id, "the answer carries the request's id")

    # Section 7: an empty content type is JSON; another one is refused.
    plain = calls.next(calls.request("echo", "Echo", ["no type"], content_type="").conversation_id)
    check(plain.status == E.ENVELOPE_STATUS_OK and json.loads(plain.payload) == "no type", "an empty content type is read as JSON (section 7)")
    text = calls.next(calls.request("echo", "Echo", b"hi", content_type="text/plain").conversation_id)
    check(text.error.kind == E.REMOTE_ERROR_KIND_BAD_ARGUMENTS and "text/plain" in text.error.message, "text/plain is refused BAD_ARGUMENTS, naming it")
    wrong = calls.next(calls.request("echo", "Echo", ["a", "b"]).conversation_id)
    check(wrong.error.kind == E.REMOTE_ERROR_KIND_METHOD_NOT_FOUND, "two arguments to a one-argument method is METHOD_NOT_FOUND (section 7)")
    missing = calls.next(calls.request("nothing-here", "Echo", []).conversation_id)
    check(missing.error.kind == E.REMOTE_ERROR_KIND_SERVICE_NOT_FOUND, "an unhosted service is SERVICE_NOT_FOUND (section 8)")

    # Section 4: a stream, items then an empty OK response.
    stream = calls.request("echo", "Repeat", ["la", 3])
    envelopes = calls.until_response(stream.conversation_id)
    items = [json.loads(e.payload) for e in envelopes if e.kind == E.ENVELOPE_KIND_STREAM_ITEM]
    check(items == ["la", "la", "la"] and [e.sequence for e in envelopes[:3]] == [1, 2, 3], "echo.Repeat streams 3 items numbered 1, 2, 3")
    check(envelopes[-1].status == E.ENVELOPE_STATUS_OK and all(e.id == stream.id for e in envelopes), "the stream ends with OK; every envelope has the request's id")

    # Section 6: a flow-controlled stream, with credit every half window.
    window = 4
    flowing = calls.request("echo", "Repeat", ["fc", 20], stream_window=window)
    got = 0
    while True:
        envelope = calls.next(flowing.conversation_id)
        if envelope.kind == E.ENVELOPE_KIND_RESPONSE:
            break
        got += 1
        if envelope.stream_window and got % (window // 2) == 0:
            calls.send(kind=E.ENVELOPE_KIND_CREDIT, conversation_id=flowing.conversation_id, sequence=got)
    check(got == 20 and envelope.status == E.ENVELOPE_STATUS_OK, "a stream with stream_window %d and credits delivers all 20 items (section 6)" % window)

    # Section 5: a reservation keeps one object across calls; release answers OK.
    opening = calls.new_conversation()
    calls.send(id=5, kind=E.ENVELOPE_KIND_OPEN, conversation_id=opening, service="echo")
    opened = calls.next(opening)
    check(opened.status == E.ENVELOPE_STATUS_OK and opened.instance != 0, "OPEN reserves an echo object (section 5)")
    counts = [json.loads(calls.next(calls.request("echo", "Calls", [], instance=opened.instance).conversation_id).payload) for _ in range(2)]
    check(counts == [1, 2], "calls naming the instance share its object")
    unreserved = [json.loads(calls.next(calls.request("echo", "Calls", []).conversation_id).payload) for _ in range(2)]
    check(unreserved == [1, 1], "a call without a reservation gets an object of its own")
    releasing = calls.new_conversation()
    calls.send(kind=E.ENVELOPE_KIND_RELEASE, conversation_id=releasing, service="echo", instance=opened.instance)
    check(calls.next(releasing).status == E.ENVELOPE_STATUS_OK, "RELEASE answers OK")
    calls.close()

    # Section 6: the node ends calls itself, so this client keeps no timer of its own.
    counter = CallStream(grpc, pb, counter_host.address, token)
    late = counter.request("counter", "Wait", [600], timeout_ms=300)
    expired = counter.next(late.conversation_id)
    check(expired.error.kind == E.REMOTE_ERROR_KIND_DEADLINE_EXCEEDED and expired.id == late.id, "a deadline is answered DEADLINE_EXCEEDED by the node (section 6)")
    waiting = counter.request("counter", "Wait", [600])
    counter.send(kind=E.ENVELOPE_KIND_CANCEL, conversation_id=waiting.conversation_id)
    cancelled = counter.until_response(waiting.conversation_id)[-1]
    check(cancelled.error.kind == E.REMOTE_ERROR_KIND_CANCELLED, "a CANCEL is answered CANCELLED (section 6)")
    check(cancelled.error.node == counter_host.node_name and cancelled.error.service == "counter", "the error names node and service (section 8)")
    counter.close()
    coordinator.close()
    print("all checks passed", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
