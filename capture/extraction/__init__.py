"""Field extraction: OCR words in, supplier, dates, amounts and lines out, each with evidence."""

from .core import extract
from .model import Box, Check, Extraction, Field, KnownSupplier, LineItem

__all__ = ["Box", "Check", "Extraction", "Field", "KnownSupplier", "LineItem", "extract"]
