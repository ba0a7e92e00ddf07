"""A stand-in KashFlow server for the demo and the tests: see ``server.py``."""

from .faults import KINDS as FAULT_KINDS
from .faults import Faults
from .server import Sandbox
from .state import SandboxState

__all__ = ["FAULT_KINDS", "Faults", "Sandbox", "SandboxState"]
