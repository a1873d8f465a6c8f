"""Qualified numbers in words: the qualifier stays with the number."""

from __future__ import annotations

from decimal import Decimal

from ..namespaces import FTZ
from .site_data import Quantity

_QUALIFIER_WORDS = {
    FTZ + "Exact": "",
    FTZ + "MoreThan": "more than ",
    FTZ + "AtLeast": "at least ",
    FTZ + "Approximately": "approximately ",
    FTZ + "LessThan": "less than ",
    FTZ + "AtMost": "at most ",
    FTZ + "UpTo": "up to ",
    FTZ + "BestCase": "as little as ",
}


def format_number(value: Decimal) -> str:
    """``93160000000.0`` -> ``93,160,000,000``; ``5.70`` -> ``5.7``."""
    text = format(value.normalize(), ",f")
    return text


def quantity_text(quantity: Quantity) -> str:
    """The number with its qualifier in words, without the unit: ``more than 3,100``, ``1 to 3``."""
    if quantity.minimum is not None and quantity.maximum is not None:
        words = "as little as " if quantity.qualifier == FTZ + "BestCase" else ""
        return f"{words}{format_number(quantity.minimum)} to {format_number(quantity.maximum)}"
    if quantity.qualifier == FTZ + "Unspecified" or quantity.numeric is None:
        return "an unspecified positive number"
    words = _QUALIFIER_WORDS.get(quantity.qualifier, "")
    return f"{words}{format_number(quantity.numeric)}"
