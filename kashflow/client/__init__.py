"""The KashFlow SOAP client: ``KashFlowClient`` and the plain types it hands back.

See ``kashflow.client.api`` for the operations, ``kashflow.client.transport`` for the choke point
every call goes through, ``kashflow.types`` for the dataclasses and ``kashflow.errors`` for what
can go wrong.
"""

from kashflow.errors import (
    ApiNotEnabled,
    AuthenticationFailed,
    IPNotAllowed,
    KashFlowError,
    KashFlowUnavailable,
    OutcomeUnknown,
    RequestRejected,
    ValidationRefused,
)

from .api import KashFlowClient

__all__ = [
    "ApiNotEnabled",
    "AuthenticationFailed",
    "IPNotAllowed",
    "KashFlowClient",
    "KashFlowError",
    "KashFlowUnavailable",
    "OutcomeUnknown",
    "RequestRejected",
    "ValidationRefused",
]
