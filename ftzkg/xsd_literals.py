"""Is a literal well typed? Lexical forms and value spaces of the XSD datatypes (XML Schema 1.1 Part 2).

RDF parsers accept ``"2025-02-30"^^xsd:date`` or ``"300"^^xsd:byte``; a store
would keep them and every query comparing them would go quietly wrong. Here
each literal of a built-in XSD datatype is checked against its lexical form
and its value space (ranges of the bounded integers, days that exist in their
month and year, hour 24 only as 24:00:00), and an IRI in the XSD namespace
that names no datatype usable in RDF is refused.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

XSD = "http://www.w3.org/2001/XMLSchema#"

_INT = r"[+-]?[0-9]+"
_DEC = r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)"
_FLOAT = r"([+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([Ee][+-]?[0-9]+)?|[+-]?INF|NaN)"
_TZ = r"(?P<tz>Z|[+-]((0[0-9]|1[0-3]):[0-5][0-9]|14:00))?"
_YEAR = r"(?P<year>-?([1-9][0-9]{3,}|0[0-9]{3}))"
_MONTH = r"(?P<month>0[1-9]|1[0-2])"
_DAY = r"(?P<day>0[1-9]|[12][0-9]|3[01])"
_TIME = r"(?P<time>([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?|24:00:00(\.0+)?)"
_SECONDS = r"[0-9]+(\.[0-9]+)?S"
_DAY_TIME = rf"([0-9]+D)?(T([0-9]+H)?([0-9]+M)?({_SECONDS})?)?"
_NAME_START = r"A-Za-z_\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C-\u200D\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD\U00010000-\U000EFFFF"  # noqa: E501
_NAME_CHAR = _NAME_START + r"\-.0-9\u00B7\u0300-\u036F\u203F-\u2040"
_NCNAME = rf"[{_NAME_START}][{_NAME_CHAR}]*"
_B64 = r"[A-Za-z0-9+/] ?"
_BASE64 = (
    rf"(({_B64}){{4}})*((({_B64}){{3}}[A-Za-z0-9+/])"
    rf"|(({_B64}){{2}}[AEIMQUYcgkosw048] ?=)|({_B64}[AQgw] ?= ?=))?"
)

#: Lexical forms (regular expressions), by local name in the XSD namespace.
LEXICAL: dict[str, str] = {
    "string": r"(?s:.)*",
    "normalizedString": r"[^\r\n\t]*",
    "token": r"([^\s]+( [^\s]+)*)?",
    "language": r"[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*",
    "Name": rf"[{_NAME_START}:][{_NAME_CHAR}:]*",
    "NCName": _NCNAME,
    "ID": _NCNAME,
    "IDREF": _NCNAME,
    "ENTITY": _NCNAME,
    "IDREFS": rf"{_NCNAME}( {_NCNAME})*",
    "ENTITIES": rf"{_NCNAME}( {_NCNAME})*",
    "NMTOKEN": rf"[{_NAME_CHAR}:]+",
    "NMTOKENS": rf"[{_NAME_CHAR}:]+( [{_NAME_CHAR}:]+)*",
    "anyURI": r"[^\s<>\"{}|\\^`]*",
    "boolean": r"true|false|1|0",
    "decimal": _DEC,
    "precisionDecimal": _FLOAT,
    "float": _FLOAT,
    "double": _FLOAT,
    "integer": _INT,
    "nonNegativeInteger": _INT,
    "positiveInteger": _INT,
    "nonPositiveInteger": _INT,
    "negativeInteger": _INT,
    "long": _INT,
    "int": _INT,
    "short": _INT,
    "byte": _INT,
    "unsignedLong": _INT,
    "unsignedInt": _INT,
    "unsignedShort": _INT,
    "unsignedByte": _INT,
    "date": _YEAR + "-" + _MONTH + "-" + _DAY + _TZ,
    "dateTime": _YEAR + "-" + _MONTH + "-" + _DAY + "T" + _TIME + _TZ,
    "dateTimeStamp": _YEAR + "-" + _MONTH + "-" + _DAY + "T" + _TIME + _TZ.removesuffix("?"),
    "time": _TIME + _TZ,
    "gYear": _YEAR + _TZ,
    "gYearMonth": _YEAR + "-" + _MONTH + _TZ,
    "gMonth": "--" + _MONTH + _TZ,
    "gMonthDay": "--" + _MONTH + "-" + _DAY + _TZ,
    "gDay": "---" + _DAY + _TZ,
    "duration": rf"-?P([0-9]+Y)?([0-9]+M)?{_DAY_TIME}",
    "yearMonthDuration": r"-?P([0-9]+Y)?([0-9]+M)?",
    "dayTimeDuration": rf"-?P{_DAY_TIME}",
    "hexBinary": r"([0-9a-fA-F]{2})*",
    "base64Binary": _BASE64,
}


@functools.cache
def _compiled(name: str) -> re.Pattern[str]:
    """The lexical form of ``xsd:name``, compiled when first needed: the name classes take
    tens of milliseconds to compile, more than a whole ``ftzkg query`` may spend starting."""
    return re.compile(LEXICAL[name])


#: Inclusive ranges of the bounded integer types (None: unbounded on that side).
RANGES: dict[str, tuple[int | None, int | None]] = {
    "nonNegativeInteger": (0, None),
    "positiveInteger": (1, None),
    "nonPositiveInteger": (None, 0),
    "negativeInteger": (None, -1),
    "long": (-(2**63), 2**63 - 1),
    "int": (-(2**31), 2**31 - 1),
    "short": (-(2**15), 2**15 - 1),
    "byte": (-(2**7), 2**7 - 1),
    "unsignedLong": (0, 2**64 - 1),
    "unsignedInt": (0, 2**32 - 1),
    "unsignedShort": (0, 2**16 - 1),
    "unsignedByte": (0, 2**8 - 1),
}

#: XSD names that are no datatype of RDF (RDF 1.1 Concepts, section 5.1).
NOT_FOR_RDF = {"QName", "NOTATION", "anyType", "anySimpleType", "anyAtomicType"}

_MONTH_NAMES = (
    *("January", "February", "March", "April", "May", "June"),
    *("July", "August", "September", "October", "November", "December"),
)


def _days_in(month: int, year: int | None) -> int:
    if month == 2:
        if year is None:  # gMonthDay: --02-29 exists (in leap years)
            return 29
        return 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def _range_problem(name: str, lexical: str) -> str | None:
    low, high = RANGES[name]
    digits = lexical.lstrip("+-").lstrip("0")
    if len(digits) > 40:  # far outside every bounded range; int() of it would be slow
        value_sign = -1 if lexical.startswith("-") else 1
        out = (value_sign < 0 and low is not None) or (value_sign > 0 and high is not None)
    else:
        value = int(lexical)
        out = (low is not None and value < low) or (high is not None and value > high)
    if not out:
        return None
    if high is None:
        return f"out of range: at least {low}"
    if low is None:
        return f"out of range: at most {high}"
    return f"out of range {low}..{high}"


def _date_problem(match: re.Match[str]) -> str | None:
    groups = match.groupdict()
    if groups.get("day") is None or groups.get("month") is None:
        return None
    year = int(groups["year"]) if groups.get("year") else None
    month, day = int(groups["month"]), int(groups["day"])
    days = _days_in(month, year)
    if day <= days:
        return None
    when = _MONTH_NAMES[month - 1] + (f" {year}" if year is not None else "")
    return f"{when} has {days} days"


def _duration_problem(name: str, lexical: str) -> str | None:
    body = lexical.lstrip("-")[1:]  # after P
    if not body or body.endswith("T"):
        return "a duration needs at least one number and unit (P1D, PT1H, P1Y2M)"
    return None


_VALUE_CHECKS: dict[str, Callable[[str, str, re.Match[str]], str | None]] = {
    **{name: lambda n, lex, m: _range_problem(n, lex) for name in RANGES},
    **{
        name: lambda n, lex, m: _date_problem(m)
        for name in ("date", "dateTime", "dateTimeStamp", "gMonthDay")
    },
    **{
        name: lambda n, lex, m: _duration_problem(n, lex)
        for name in ("duration", "yearMonthDuration", "dayTimeDuration")
    },
}


def literal_problem(lexical: str, datatype: str) -> str | None:
    """What is wrong with ``"lexical"^^datatype`` (said after the quoted literal); None if nothing."""
    if not datatype.startswith(XSD):
        return None
    name = datatype[len(XSD) :]
    if name in NOT_FOR_RDF:
        return f"has datatype xsd:{name}, which RDF cannot use"
    if name not in LEXICAL:
        return f"has datatype xsd:{name}, which is not an XSD datatype"
    match = _compiled(name).fullmatch(lexical)
    if match is None:
        return f"is not a valid xsd:{name} literal"
    check = _VALUE_CHECKS.get(name)
    why = check(name, lexical, match) if check else None
    return f"is not a valid xsd:{name} literal ({why})" if why else None
