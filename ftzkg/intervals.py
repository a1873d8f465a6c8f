"""Qualified values as intervals, so that two sources' figures can be compared.

A source's figure keeps its qualifier (``ftz:MoreThan`` "over 5,100", ``ftz:Range``
"one to three days", ...). Read as the set of values it allows, each becomes an
interval; two figures agree when their intervals overlap and contradict when they do
not. The rules (the README's *Corroboration* section repeats them):

- ``ftz:Exact`` v: the values that round to v at the precision the source writes it
  with in ``ftz:sourcePhrase`` ("93.16 billion" is 93.155 to 93.165 billion, "5,173"
  is 5,172.5 to 5,173.5); without a written number, v alone.
- ``ftz:MoreThan`` v: above v (open); ``ftz:AtLeast`` v: v or above;
  ``ftz:UpTo`` / ``ftz:AtMost`` v: v or below.
- ``ftz:Approximately`` v: within :data:`APPROXIMATELY_TOLERANCE` (10 %) of v, and at least
  the rounding of an exact figure.
- ``ftz:Range`` min..max: min to max, inclusive.
- ``ftz:Unspecified`` ("some of which"): no number, so it never contradicts anything.
- Any other qualifier (``ftz:BestCase`` "as little as", ...) is not read as an interval:
  the figure is neither corroborated nor contradicted by a number.

Units: figures compare only in the same QUDT unit, or in units with an exact
conversion (:data:`EXACT_CONVERSIONS`: hectares and square kilometres, tonnes and
kilograms, days and hours); currencies never convert (rates change).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

FTZ = "https://w3id.org/ftzkg/ontology#"
UNIT = "http://qudt.org/vocab/unit/"

#: How far an ``ftz:Approximately`` figure may be from the value (a fraction of it).
APPROXIMATELY_TOLERANCE = Decimal("0.10")

#: unit IRI -> (base unit, factor): a value in the unit times factor is the value in the base.
EXACT_CONVERSIONS: dict[str, tuple[str, Decimal]] = {
    UNIT + "M2": ("m2", Decimal(1)),
    UNIT + "HA": ("m2", Decimal(10_000)),
    UNIT + "KiloM2": ("m2", Decimal(1_000_000)),
    UNIT + "KiloGM": ("kg", Decimal(1)),
    UNIT + "TONNE": ("kg", Decimal(1000)),
    UNIT + "TON_Metric": ("kg", Decimal(1000)),
    UNIT + "HR": ("h", Decimal(1)),
    UNIT + "DAY": ("h", Decimal(24)),
    UNIT + "WK": ("h", Decimal(168)),
}

_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")


@dataclass(frozen=True)
class Interval:
    """A set of numbers between two bounds; ``None`` is unbounded."""

    low: Decimal | None
    high: Decimal | None
    low_open: bool = False
    high_open: bool = False

    def overlaps(self, other: Interval) -> bool:
        """True when some number lies in both intervals."""
        return _below(self.low, self.low_open, other.high, other.high_open) and _below(
            other.low, other.low_open, self.high, self.high_open
        )

    def scaled(self, factor: Decimal) -> Interval:
        return Interval(
            None if self.low is None else self.low * factor,
            None if self.high is None else self.high * factor,
            self.low_open,
            self.high_open,
        )

    def __str__(self) -> str:
        low = "-inf" if self.low is None else _plain(self.low)
        high = "inf" if self.high is None else _plain(self.high)
        opening = "(" if self.low_open or self.low is None else "["
        closing = ")" if self.high_open or self.high is None else "]"
        return f"{opening}{low}, {high}{closing}"


def _below(low: Decimal | None, low_open: bool, high: Decimal | None, high_open: bool) -> bool:
    """Whether a lower bound lies below (or, both closed, at) an upper bound."""
    if low is None or high is None:
        return True
    return low < high or (low == high and not low_open and not high_open)


def _plain(number: Decimal) -> str:
    text = format(number.normalize(), "f")
    return text


@dataclass(frozen=True)
class QualifiedValue:
    """One figure as a source states it: qualifier, number(s), unit and the source's words."""

    qualifier: str
    value: Decimal | None = None
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    unit: str | None = None
    phrase: str | None = None

    @property
    def unspecified(self) -> bool:
        return self.qualifier == FTZ + "Unspecified"

    def interval(self) -> Interval | None:
        """The values the figure allows, or ``None`` when it states no comparable number."""
        q = self.qualifier.removeprefix(FTZ)
        v = self.value
        if q == "Range" and self.minimum is not None and self.maximum is not None:
            return Interval(self.minimum, self.maximum)
        if v is None:
            return None
        if q == "Exact":
            r = rounding(v, self.phrase)
            return Interval(v - r, v + r)
        if q == "Approximately":
            r = max(abs(v) * APPROXIMATELY_TOLERANCE, rounding(v, self.phrase))
            return Interval(v - r, v + r)
        if q == "MoreThan":
            return Interval(v, None, low_open=True)
        if q == "AtLeast":
            return Interval(v, None)
        if q in ("UpTo", "AtMost"):
            return Interval(None, v)
        return None

    def describe(self) -> str:
        """The figure in words for messages: the source's phrase, else qualifier and number."""
        if self.phrase:
            return f'"{self.phrase}"'
        q = self.qualifier.removeprefix(FTZ)
        if q == "Range":
            return f"{q} {_plain(self.minimum or Decimal(0))} to {_plain(self.maximum or Decimal(0))}"
        return f"{q} {_plain(self.value)}" if self.value is not None else q


def rounding(value: Decimal, phrase: str | None) -> Decimal:
    """Half a unit in the last digit the source writes the number with (0 when it writes none).

    "93.16 billion yuan" for 93,160,000,000 gives 5,000,000; "5,173" gives 0.5.
    """
    if not phrase or value == 0:
        return Decimal(0)
    written = [m.group(0) for m in _NUMBER.finditer(phrase)]
    for token in written:
        try:
            number = Decimal(token.replace(",", ""))
        except InvalidOperation:
            continue
        if number == 0:
            continue
        scale = abs(value) / number
        # the written number times a word scale ("million") gives the value: 10, 1000, 10**6 ...
        if scale >= 1 and scale == scale.to_integral_value():
            decimals = len(token.split(".", 1)[1]) if "." in token else 0
            return Decimal(5) * Decimal(10) ** (-decimals - 1) * scale
    return Decimal(0)


@dataclass(frozen=True)
class Comparison:
    """How two figures relate: ``agree``, ``disagree`` or ``incomparable``, with the intervals."""

    outcome: str
    left: Interval | None = None
    right: Interval | None = None


def compare(left: QualifiedValue, right: QualifiedValue) -> Comparison:
    """Compare two figures of the same measure, subject and period.

    An unspecified figure ("some") agrees with any statement of the same quantity when
    it is the one being checked (``left``), and never contradicts.
    """
    if left.unspecified:
        same_quantity = right.unspecified or common_base(left.unit, right.unit) is not None
        return Comparison("agree" if same_quantity else "incomparable")
    if right.unspecified:
        return Comparison("incomparable")
    factors = common_base(left.unit, right.unit)
    if factors is None:
        return Comparison("incomparable")
    a, b = left.interval(), right.interval()
    if a is None or b is None:
        return Comparison("incomparable")
    a, b = a.scaled(factors[0]), b.scaled(factors[1])
    return Comparison("agree" if a.overlaps(b) else "disagree", a, b)


def common_base(left: str | None, right: str | None) -> tuple[Decimal, Decimal] | None:
    """Factors that bring both units to one base, or ``None`` when they cannot be compared exactly."""
    if left == right:
        return Decimal(1), Decimal(1)
    if left in EXACT_CONVERSIONS and right in EXACT_CONVERSIONS:
        (base_l, f_l), (base_r, f_r) = EXACT_CONVERSIONS[left], EXACT_CONVERSIONS[right]
        if base_l == base_r:
            return f_l, f_r
    return None


def decimal_or_none(text: str | None) -> Decimal | None:
    """A literal's lexical form as a Decimal (``None`` for missing or non-numeric text)."""
    if text is None:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None
