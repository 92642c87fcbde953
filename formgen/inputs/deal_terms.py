"""Deal terms that several documents share: succession of the practice's ownership and drafting posture.

The MSA, the continuity agreement, the practice's governing document and the MSO's operating
agreement all read these values, so a price or a deadline is stated once, in the deal file.
Every field has a default, so deal files written before these sections existed still validate.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, model_validator

from .deal_fields import Address, Money, Name, iso_date
from .deal_fields import Strict as _Strict

Days = Annotated[int, Field(ge=1, le=730)]


class Posture(str, Enum):
    """Whose counsel the draft leans towards; state rules still remove any forbidden term."""

    mso = "mso"
    balanced = "balanced"
    practice = "practice"


class PriceFormula(str, Enum):
    fair_market_value = "fair_market_value"
    book_value = "book_value"
    fixed = "fixed"


class Deadlines(_Strict):
    """Days after each transfer event by which the owner's interest must be sold or redeemed."""

    death: Days = 180
    """Days after the owner's death."""
    disability: Days = 90
    """Days after the owner's Disability is determined."""
    license_loss: Days = 90
    """Days after the owner loses, or has disqualifyingly restricted, the license ownership depends on."""
    exclusion: Days = 30
    """Days after the owner's exclusion from a federal or state health care program."""
    breach: Days = 60
    """Days after a transfer or attempted transfer that breaches the restrictions."""


# The order the documents list the events in, with the words they use for each.
TRANSFER_EVENTS = (
    ("death", "the owner’s death"),
    ("disability", "the date on which the owner’s Disability is determined"),
    (
        "license_loss",
        "the revocation, suspension, surrender or lapse of, or a disqualifying restriction on, any "
        "professional license on which the owner’s eligibility to hold the interest depends",
    ),
    ("exclusion", "the owner’s exclusion, debarment or suspension from any federal or state health care program"),
    (
        "breach",
        "any transfer or attempted transfer of the interest that breaches the restrictions on transfer "
        "that bind the owner",
    ),
)


# The succession timetable: every step counted in days after the transfer event, so that notice,
# naming a successor and agreeing the price always finish by the closing deadline. An appraisal
# that cannot also finish in time closes on an estimate, adjusted (from an escrow) after closing.
NOTICE_DAYS = 5
SUCCESSOR_DAYS = 30  # the most time to name a successor, after the notice
PRICE_DAYS = 30  # the most time to agree the price, after the successor is named
APPRAISAL_DAYS = 45  # what an independent appraisal of a medical practice takes, after price talks fail
OPTION_CLOSING_DAYS = 60  # the MSO option's own closing period, counted from its notice


@dataclass(frozen=True)
class EventTimetable:
    """One transfer event's steps, each in days after the event."""

    key: str
    notice: int
    successor: int
    price: int
    closing: int
    appraisal_fits: bool  # an appraisal started when price talks fail ends before the closing deadline


def notice_days(deadlines: "Deadlines") -> int:
    """One notice period for every event, short enough for the shortest closing deadline."""
    shortest: int = min(getattr(deadlines, key) for key, _ in TRANSFER_EVENTS)
    return min(NOTICE_DAYS, max(1, shortest // 4))


def succession_timetable(deadlines: "Deadlines") -> list[EventTimetable]:
    """Each event's notice, successor, price and closing days: notice <= successor <= price <= closing."""
    notice = notice_days(deadlines)
    table = []
    for key, _ in TRANSFER_EVENTS:
        closing = getattr(deadlines, key)
        successor = notice + min(SUCCESSOR_DAYS, (closing - notice) // 3)
        price = successor + min(PRICE_DAYS, (closing - successor) // 2)
        table.append(EventTimetable(key, notice, successor, price, closing, price + APPRAISAL_DAYS <= closing))
    return table


class Succession(_Strict):
    designated_by: Literal["mso", "owners"] = "mso"
    """Who designates a successor owner: mso (where the state allows it; otherwise the owners decide) or owners."""
    approval: Literal["majority", "unanimous"] = "majority"
    """How the other owners approve a transferee (with one owner, the documents name who acts instead)."""
    price: PriceFormula = PriceFormula.fair_market_value
    """The price of a departing owner's interest: fair_market_value, book_value or fixed."""
    fixed_price: Annotated[Decimal, Field(ge=0, le=Decimal("1000000000"), decimal_places=2)] | None = None
    """With price fixed: the total price for all of an owner's interest."""
    deadlines: Deadlines = Deadlines()
    """Days after each transfer event by which the interest must be sold."""

    @model_validator(mode="after")
    def _fixed_price_needs_amount(self) -> "Succession":
        if self.price is PriceFormula.fixed and self.fixed_price is None:
            raise ValueError(
                "succession.fixed_price is required when succession.price is 'fixed' "
                "(the total price for all of an owner's interest, e.g. 1000.00)"
            )
        if self.price is not PriceFormula.fixed and self.fixed_price is not None:
            raise ValueError(
                "succession.fixed_price is set but succession.price is "
                f"'{self.price.value}'; use it only with price 'fixed' (or leave it out)"
            )
        return self


class Financing(_Strict):
    """The working-capital loan from the MSO to the practice (MSO posture): one rate for the MSA, note and security."""

    loan_limit: Annotated[Decimal, Field(gt=0, le=Decimal("1000000000"), decimal_places=2)] | None = None
    """The most principal that may be outstanding; left blank in the note when not given."""
    rate_margin_percent: Annotated[Decimal, Field(ge=0, le=20, decimal_places=4)] = Decimal(2)
    """Interest: the prime rate plus this many percentage points a year."""


class Premises(_Strict):
    """Whether the practice occupies the MSO's space and equipment under a separate sublease at a fixed rent."""

    sublease: bool = False
    """True: the practice subleases the MSO's space and equipment (sublease.docx) instead of paying for them in the fee."""
    monthly_rent: Annotated[Decimal, Field(ge=0, le=Decimal("1000000000"), decimal_places=2)] | None = None
    """The sublease's fixed monthly rent; left blank in the sublease when not given."""


# ---- Facts for the filing and organizational documents (issue 23: every blank is asked for).
# Each is optional: one left out prints a highlighted blank, and `formgen validate` and the memo's
# "Still to Complete" section list it per document.


class EntityFiling(_Strict):
    """The filing facts of one entity (the practice or the MSO)."""

    registered_agent: Name | None = None
    """The registered agent (in California, the agent for service of process) named in the charter."""
    registered_office: Address | None = None
    """The registered agent's street address in the state of formation."""
    organizer: Name | None = None
    """The incorporator or organizer who signs and files the charter."""
    filing_date: Annotated[dt.date | None, BeforeValidator(iso_date)] = None
    """The date the charter was filed, YYYY-MM-DD (the organizational consent recites it)."""
    bank: Name | None = None
    """The bank at which the entity opens its accounts."""
    county: Name | None = None
    """The county of the entity's office in the state (a New York certificate states it)."""


class Formation(_Strict):
    """Facts the charters, consents and governing documents print; each left out is a blank."""

    practice: EntityFiling = EntityFiling()
    """The practice's filing facts."""
    mso: EntityFiling = EntityFiling()
    """The MSO's filing facts."""
    authorized_shares: Annotated[int, Field(ge=1000, le=1_000_000_000)] | None = None
    """A professional corporation's authorized common shares (at least 1,000; 1,000 are issued)."""
    par_value: Annotated[Decimal, Field(ge=0, le=1000, decimal_places=4)] | None = None
    """The par value per share in US dollars (0 for no par value)."""
    borrowing_threshold: Money | None = None
    """The MSO borrowing, guarantee or lien above which the members must approve, in US dollars."""
    proceedings_threshold: Money | None = None
    """The lawsuit or proceeding above which the MSO's members must approve, in US dollars."""
    malpractice_per_claim: Money | None = None
    """The practice's professional liability limit per claim, in US dollars."""
    malpractice_aggregate: Money | None = None
    """The practice's professional liability annual aggregate limit, in US dollars."""
    medical_director_fee: Money | None = None
    """The medical director's fixed monthly fee, supported by a fair-market-value opinion, in US dollars."""
