"""Skein for Python: a client for Skein clusters, and the helper that makes a Python script a Skein module.

* :class:`skein.Client` (``skein.client``) calls services, streams, publishes and subscribes to events, lists
  nodes, and meets other participants at barriers to exchange contexts, over gRPC (needs ``grpcio`` and ``protobuf``).
* :mod:`skein.module` turns Python classes into services a node hosts as a module process (standard library only).

The client is imported on first use, so a module process never needs gRPC.
"""

from typing import Any

from ._version import __version__

__all__ = ["__version__", "Client", "RemoteError", "Event", "NodeInfo", "ServiceHost", "ClusterError", "BarrierResult", "BarrierTimeout"]

_CLIENT_NAMES = {"Client", "RemoteError", "Event", "NodeInfo", "ServiceHost", "ClusterError", "Reservation", "Subscription", "BarrierResult",
                 "BarrierTimeout"}


def __getattr__(name: str) -> Any:
    if name in _CLIENT_NAMES:
        from . import client

        return getattr(client, name)
    raise AttributeError("module 'skein' has no attribute %r" % name)
