"""A stand-in KashFlow server for the demo and the tests.

Python::

    from kashflow.sandbox import Sandbox
    sb = Sandbox.start(port=0, username="demo", password="demo", autoauth_key=None,
                       suppliers=25, customers=25, state_file=None)
    sb.url                      # http://127.0.0.1:PORT/api/service.asmx (WSDL: sb.wsdl_url)
    sb.state.receipts           # {number: Invoice record}; also invoices, suppliers, customers,
                                # payments, attachments, account (ip_restricted, allowed_ips…)
    sb.faults.add("http_500", operation="GetSuppliers", times=2)   # see faults.KINDS
    sb.calls                    # operation names received, in order
    sb.stop()

Command line: ``python manage.py kashflow_sandbox --port 8765 [--state FILE] [--fault KIND…]``.
Over HTTP: ``POST /_sandbox/faults`` with a JSON rule, ``DELETE /_sandbox/faults``,
``GET /_sandbox/state``. In tests: the ``kashflow_sandbox`` fixture (tests/kashflow_fixtures.py).
"""

from .faults import KINDS as FAULT_KINDS
from .faults import Faults
from .server import Sandbox
from .state import SandboxState

__all__ = ["FAULT_KINDS", "Faults", "Sandbox", "SandboxState"]
