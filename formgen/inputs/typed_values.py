"""Values as people type them, read the way they meant: a state by its code or its name, a date
in a form other than YYYY-MM-DD (to suggest the ISO form)."""

from __future__ import annotations

import datetime as dt
import difflib

JURISDICTIONS = {
    "AL": "Alabama",
    "AK": "Alaska",
    "AZ": "Arizona",
    "AR": "Arkansas",
    "CA": "California",
    "CO": "Colorado",
    "CT": "Connecticut",
    "DE": "Delaware",
    "DC": "District of Columbia",
    "FL": "Florida",
    "GA": "Georgia",
    "HI": "Hawaii",
    "ID": "Idaho",
    "IL": "Illinois",
    "IN": "Indiana",
    "IA": "Iowa",
    "KS": "Kansas",
    "KY": "Kentucky",
    "LA": "Louisiana",
    "ME": "Maine",
    "MD": "Maryland",
    "MA": "Massachusetts",
    "MI": "Michigan",
    "MN": "Minnesota",
    "MS": "Mississippi",
    "MO": "Missouri",
    "MT": "Montana",
    "NE": "Nebraska",
    "NV": "Nevada",
    "NH": "New Hampshire",
    "NJ": "New Jersey",
    "NM": "New Mexico",
    "NY": "New York",
    "NC": "North Carolina",
    "ND": "North Dakota",
    "OH": "Ohio",
    "OK": "Oklahoma",
    "OR": "Oregon",
    "PA": "Pennsylvania",
    "RI": "Rhode Island",
    "SC": "South Carolina",
    "SD": "South Dakota",
    "TN": "Tennessee",
    "TX": "Texas",
    "UT": "Utah",
    "VT": "Vermont",
    "VA": "Virginia",
    "WA": "Washington",
    "WV": "West Virginia",
    "WI": "Wisconsin",
    "WY": "Wyoming",
}

_CODE_OF_NAME = {name.casefold(): code for code, name in JURISDICTIONS.items()}
_CODE_OF_NAME["washington dc"] = _CODE_OF_NAME["washington d.c."] = "DC"


def state_code_of(value: str) -> str | None:
    """A state's two-letter code from its code or its name in any letter case ("Texas", "tx" -> TX)."""
    text = " ".join(value.split())
    code = text.upper()
    return code if code in JURISDICTIONS else _CODE_OF_NAME.get(text.casefold())


def not_a_state(value: str) -> str:
    """What to say about a text that names no state, with the nearest state's name if one is close."""
    close = difflib.get_close_matches(value.strip().casefold(), list(_CODE_OF_NAME), n=1, cutoff=0.7)
    hint = f"; did you mean {_CODE_OF_NAME[close[0]]} ({JURISDICTIONS[_CODE_OF_NAME[close[0]]]})?" if close else ""
    return f"'{value}' is not a US state or DC; use a two-letter postal code such as CA, TX, NY or DC{hint}"


# Dates as people type them, read the US way (03/01/2027 is March 1), to suggest the ISO form.
_OTHER_DATE_FORMATS = (
    "%m/%d/%Y",
    "%m-%d-%Y",
    "%m.%d.%Y",
    "%Y/%m/%d",
    "%Y.%m.%d",
    "%B %d, %Y",
    "%B %d %Y",
    "%b %d, %Y",
    "%b %d %Y",
    "%d %B %Y",
    "%d %b %Y",
)


def as_iso_date(text: str) -> str | None:
    """The ISO form of a date typed another way ("03/01/2027" -> "2027-03-01"), or None."""
    for form in _OTHER_DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, form).date().isoformat()
        except ValueError:
            continue
    return None
