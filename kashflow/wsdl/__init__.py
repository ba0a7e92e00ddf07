"""Tillroll's own description of KashFlow's SOAP API: spec, rendered WSDL and XML codec."""

from .render import DEFAULT_ADDRESS, render_wsdl
from .spec import NAMESPACE, OPERATIONS, WRITES

__all__ = ["DEFAULT_ADDRESS", "NAMESPACE", "OPERATIONS", "WRITES", "render_wsdl"]
