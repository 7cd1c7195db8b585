#!/usr/bin/python3
# skein: description: a remote exception arrives with real line breaks, its node, type, message and remote stack
# skein: tags: [REQ-services-errors]
import _framework as fw
import skein


def body():
    with fw.client() as c:
        try:
            c.call("fw-fail", "Fail", "first line", "second line")
        except skein.RemoteError as error:
            text = str(error)
            print("str(error):", text)
            print("stack trace:", error.stack_trace)
            fw.check("kind", error.kind == "application", "kind is %r" % error.kind)
            fw.check("node", error.node.startswith("node-"), "node is %r" % error.node)
            fw.check("type", "FrameworkFailure" in error.type, "type is %r" % error.type)
            fw.check("message", error.message == "first line\nsecond line", "message is %r" % error.message)
            fw.check("real-line-breaks", "\n" in text and "\\n" not in text and "\\n" not in error.stack_trace,
                     "escaped or missing line breaks: %r" % text)
            fw.check("described-with-node-and-type", error.node in text and "FrameworkFailure" in text and "first line" in text,
                     "the description lacks the node, type or message: %r" % text)
            fw.check("remote-stack", "_raise_from_a_nested_frame" in error.stack_trace and error.stack_trace.count("\n") >= 2,
                     "the remote stack trace lacks the raising frame or its lines: %r" % error.stack_trace)
        else:
            raise fw.Failed("fw-fail Fail returned instead of raising")


fw.run(body)
