"""Text scanner: finds revenue-based and volume-based payment terms in document text.

This is the second line of defence behind the deal-level compliance checks: it
reads rendered text (or a .docx / .txt file) and reports each sentence that ties
a payment to revenue, profits or volume - the shape of illegal fee splitting in
many states.

How a sentence is judged:

1. The text is split into sentences (abbreviation- and decimal-aware).
2. Each sentence is searched for *links*: a rate expression tied to a base,
   e.g. "5% of Net Collections", "a royalty on Net Sales", "share equally all
   revenue", "$50 per patient referred".
3. A link is dropped when its clause negates or prohibits it ("In no event shall
   the fee be based on ... revenue"), when its rate is an audit threshold, a
   liability cap or a discount, when it is a price charged to patients, or when
   it is a distribution to an entity's owners by ownership interest. A cap
   pegged to revenue ("shall not exceed 20% of collections") is still reported.
4. A sentence is reported once per rule that has a surviving link; offsets are
   those of the whole sentence, so ``text[start:end] == matched``.

Only ``re`` and the standard library are imported; ``extract_text`` reads .docx
files with ``zipfile`` and ``xml.etree`` (no python-docx).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path

from ..errors import InputError, Problem
from ..word.ooxml import docx_text

RULE_REVENUE = "fee.percent_of_revenue"
RULE_PROFIT = "fee.profit_share"
RULE_VOLUME = "fee.per_unit_volume"
RULE_ORDER = (RULE_REVENUE, RULE_PROFIT, RULE_VOLUME)
SEVERITIES = ("error", "warning", "info")

_WHY = {
    RULE_REVENUE: "a payment computed from revenue, sales or collections can be illegal fee splitting",
    RULE_PROFIT: "a share of profits or income can be illegal fee splitting",
    RULE_VOLUME: "a payment that varies with the number of patients, procedures or referrals "
    "can be illegal fee splitting or a kickback",
}
_WHAT = {
    RULE_REVENUE: "Revenue-based payment",
    RULE_PROFIT: "Profit or income share",
    RULE_VOLUME: "Volume-based payment",
}


@dataclass(frozen=True)
class ScanMatch:
    rule: str  # RULE_REVENUE, RULE_PROFIT or RULE_VOLUME
    matched: str  # the whole sentence
    start: int  # char offsets into the scanned text: text[start:end] == matched
    end: int
    severity: str  # "error" | "warning" | "info", as passed in
    citation: str  # as passed in
    message: str  # what was found and why it matters

    def to_dict(self) -> dict:
        return asdict(self)


# ---------------------------------------------------------------- vocabulary

_F = re.IGNORECASE

_NUMBER_WORD = (
    r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen"
    r"|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety"
    r"|hundred|half|quarter)"
)
_NUMBER = r"(?:\d[\d,]*(?:\.\d+)?|\.\d+)"
# Redacted figures in filed contracts: [***], *****, [ ** ], [●], ___
_REDACTED = r"(?:\[[^\]\n]{0,20}\]|\*{2,}|_{2,}|[●•])"
# A figure written in words: "ten", "twenty-five", "eighty-two and one-half".
_WORDS_FIGURE = rf"\b{_NUMBER_WORD}(?:[\s-]+(?:and[\s-]+)?(?:one[\s-]+)?{_NUMBER_WORD})*"
_PERCENT = r"(?:%|\bper\s?cent(?:um)?\b|\bpercent\b)"

# A rate: "5%", "2.5 percent", "ten percent (10%)", "[***]%", "a percentage",
# "a share", "a portion", "one-half".
RATE = re.compile(
    rf"(?:(?:{_NUMBER}|{_REDACTED}|{_WORDS_FIGURE})\s*-?\s*{_PERCENT}"
    rf"|\bpercentages?\b|\bpercent\b|%"
    r"|\b(?:share|portion|proportion|fraction)\b"
    r"|\b(?:one|two)[\s-](?:half|third|thirds|quarter)\b|\bhalf\b)"
    r"(?:\s*\([^()\n]{0,60}\))?",  # "ten percent (10%)", "a percentage (as agreed) of"
    _F,
)

# Words that follow "sales" / "income" / "revenue" when the compound is not an
# amount of money: "sales tax", "sales representatives", "income tax".
_NOT_MONEY_AFTER = (
    r"(?!\s+(?:and\s+use\s+)?(?:tax|taxes|representatives?|reps?|force|team|staff|personnel|agents?"
    r"|data|forecasts?|literature|materials?|territor(?:y|ies)|efforts?|channels?|calls?"
    r"|meetings?|training|offices?|tools?|presentations?|cycles?|process|activit(?:y|ies)"
    r"|reports?|records?|rulings?|procedures?|service|code|bonds?|plan|plans|recognition|targets?|goals?"
    r"|quotas?)\b)"
)
_PROFIT_BASE = (
    r"(?<![-\w])(?:net\s+|gross\s+|operating\s+)?(?:profits?|earnings|ebitda|margins?"
    r"|net\s+income|cash\s+flows?|income)\b"
)
_REVENUE_BASE = (
    r"\b(?:revenues?|(?:gross|net|cash)\s+sales|sales|sale\s+price|selling\s+price|receipts|collections"
    r"|billings|proceeds|turnover"
    r"|professional\s+fees|patient\s+fees"
    r"|(?:amounts?|monies|moneys|sums|fees?|charges|payments)\s+(?:actually\s+)?"
    r"(?:collected|received|billed|generated|earned))\b"
)
BASE = re.compile(
    rf"(?:{_PROFIT_BASE}|{_REVENUE_BASE}){_NOT_MONEY_AFTER}",
    _F,
)
# Bases that are not revenue at all, checked against the base and the words just before it.
_NOT_A_BASE = re.compile(
    r"non-?profit|not-for-profit|insurance\s+proceeds|interest\s+income|profit\s+sharing\s+plan"
    r"|(?:internal|department\s+of|commissioner\s+of)\s+revenue",
    _F,
)

# Words that, between a rate and a base, show the rate is of something else:
# "5% of the unpaid Management Fee", "cost plus 10% of ...", "60% of the Membership Interests".
_GAP_BLOCKERS = re.compile(
    r"\b(?:fees?|costs?|expenses?|prices?|interests?|balance|capital|shares|stock|equity|units"
    r"|purchases?|premiums?|liabilit(?:y|ies)|damages|penalt(?:y|ies)|forecasts?|capacity"
    r"|requirements?|information|data|reports?|records?|statements?|details|budget(?:ed)?|tax(?:es)?"
    r"|payments?\s+(?:due|owed))\b",
    _F,
)
# Up to ten words between a rate and its base, never across ";", ":" or a word ending in a comma
# ("1% of the Consideration, or the total amount received" names a second thing).
_GAP = r"(?:[^\s;:]*[^\s;:,]\s+){0,10}?"

# "5% of ... Net Sales", "10% on Gross Revenue", "a 5% commission of the gross sales price".
# A bare redacted figure counts as a rate only right before "of ... base": "*** of all Revenue".
RATE_OF_BASE = re.compile(
    rf"(?P<rate>{RATE.pattern}|{_REDACTED})\s*,?\s*"
    r"(?:(?:royalty|commission|fee|service|share|or|and|annual|monthly|quarterly|weekly)\s+){0,3}"
    r"(?:(?:set\s+forth|specified|stated|shown|listed|identified|described)\s+in\s+(?:\S+\s+){1,4}?)?"
    rf"(?:of|on|upon|in|from|against|multiplied\s+by|times|applied\s+to)\s+(?P<gap>{_GAP})(?P<base>{BASE.pattern})",
    _F,
)
# "a royalty on Net Sales", "fee calculated on gross revenue", "royalties based upon Net Sales".
_PAYMENT_NOUN = r"(?:royalt(?:y|ies)|commissions?|fees?|compensation|remuneration|payments?|rates?)"
_CALCULATED = r"(?:calculated|computed|determined|based|measured)"
PAYMENT_ON_BASE = re.compile(
    rf"\b(?P<noun>{_PAYMENT_NOUN})\b(?:\s+\S+){{0,3}}?\s+"
    rf"(?:(?P<calc>{_CALCULATED})\s+|(?:payable|assessed|levied|applied)\s+)?"
    r"(?P<conn>on|upon|to|by|against|by\s+reference\s+to|with\s+reference\s+to|as\s+a\s+function\s+of|of)\s+"
    rf"(?P<gap>{_GAP})(?P<base>{BASE.pattern})",
    _F,
)
# "determined by multiplying the Laboratory Services Revenue and the applicable royalty rate",
# "Total income of game package * (1 - bad debt rate) * 50%".
MULTIPLY = re.compile(r"\bmultipl(?:y|ied|ying|ication)\b|(?<!\S)[*×](?=\s*[\d(])", _F)
MULTIPLY_REACH = 150  # chars either side of "multiply" in which the base must sit

# Sharing: "share equally all revenue", "Net Revenue will be shared", "revenue share",
# "division of income", "income ... shall be divided proportionately".
_SHARE_VERB = r"(?:shar(?:e|es|ed|ing)|split(?:s|ting)?|divid(?:e|es|ed|ing)|division)"
_ALLOCATE_VERB = r"(?:allocat(?:e|es|ed|ing|ion)|apportion(?:s|ed|ing|ment)?|distribut(?:e|es|ed|ing|ion))"
SHARE_COMPOUND = re.compile(
    r"(?P<base>\b(?:revenue|profit|income|sales|earnings|proceeds)s?)[\s/-]+"
    r"(?:and\s+loss\s+|loss\s+)?shar(?:e|es|ing)\b"
    r"|\bshar(?:e|es)\s+(?:of|in)\s+(?P<gap>" + _GAP + rf")(?P<base2>{BASE.pattern})",
    _F,
)
# The base comes first only as the subject of a passive: "the proceeds ... will be shared".
_SHARED = r"(?:shared|split|divided|allocated|apportioned|distributed)"
SHARE_LINK = re.compile(
    rf"\b(?P<verb>{_SHARE_VERB}|{_ALLOCATE_VERB})\b(?:\s+(?:equally|proportionately|among|between))?"
    rf"(?:\s+(?:in|of))?\s+(?P<gap>(?:[^\s;]*\s+){{0,8}}?)(?P<base>{BASE.pattern})"  # may cross "as follows:"
    rf"|(?P<base2>{BASE.pattern})(?P<gap2>[^;.]{{0,100}}?)\b(?:be|been|being|is|are|was|were)\s+"
    rf"(?:\w+\s+){{0,2}}?(?P<verb2>{_SHARED})\b",  # "shall be owned and shared"
    _F,
)
# Allocate/distribute/divide need a stated proportion; "share"/"split" do not.
PROPORTION = re.compile(
    rf"{RATE.pattern}|\bequally\b|\bfifty[\s-]fifty\b|\bpro\s+rata\b|\bproportionate(?:ly)?\b|\bratio\b"
    r"|\bas\s+follows\b|\b(?:Schedule|Exhibit|Appendix)\b",
    _F,
)

# Volume: "$50 per patient", "a fee for each procedure performed",
# "based on the number of referrals", "per-patient fee".
_VOLUME_UNIT = (
    r"(?:new\s+|referred\s+|additional\s+)?(?:patients?|procedures?|referrals?|treatments?|visits?"
    r"|encounters?|appointments?|consultations?|sessions?|injections?|prescriptions?|clients?"
    r"|leads?|units?\s+of\s+service|billable\s+units?|units?\s+(?:of\s+[\w-]+\s+)?(?:administered|injected))"
    # "one coordinator for each treatment room" counts rooms, not treatments
    r"(?!\s+(?:rooms?|areas?|spaces?|chairs?|beds?|suites?|schedul\w*|records?|charts?|notes?|plans?"
    r"|protocols?|forms?))"
)
_MONEY = (
    r"(?:\$\s?(?:[\d,]+(?:\.\d+)?|\[[^\]]{0,20}\])|\[\$[^\]]{0,20}\]|\b\d[\d,]*(?:\.\d+)?\s+dollars"
    r"|\bdollars?\b|\bUSD\b|€|£)"
)
_PAY_WORD = (
    r"(?:\bpa(?:y|ys|id|ying|yable|yment|yments)\b|\bfees?\b|\bcommissions?\b|\bbonus(?:es)?\b"
    r"|\bcompensat\w*|\bremunerat\w*|\broyalt(?:y|ies)\b|\bremit\w*|\bkickbacks?\b)"
)
VOLUME_LINK = re.compile(
    rf"(?P<pay>{_MONEY}|{_PAY_WORD})[^;.]{{0,80}}?"
    rf"\b(?:per|for\s+each|for\s+every|on\s+each|with\s+respect\s+to\s+each)[\s-]+{_VOLUME_UNIT}\b"
    rf"|\bper[\s-]{_VOLUME_UNIT}(?:\s+basis)?\b[^;.]{{0,40}}?(?P<pay2>{_PAY_WORD}|{_MONEY})"
    rf"|(?P<pay3>{_PAY_WORD})[^;.]{{0,80}}?\b(?:based|calculated|determined|tied|varies|vary|varying"
    r"|conditioned|contingent|dependent)\s+(?:\w+\s+){0,2}?(?:on|upon|to|with|by)\s+(?:the\s+)?"
    rf"(?:number|volume|value|quantity)\s+(?:or\s+value\s+|or\s+volume\s+)?of\s+(?:\w+\s+){{0,2}}?{_VOLUME_UNIT}",
    _F,
)
# Prices charged to patients are not payments between the parties.
PATIENT_PRICE = re.compile(
    r"\bcharge[sd]?\s+(?:to\s+)?(?:the\s+|each\s+|its\s+)?(?:patients?|clients?|customers?)\b"
    r"|\b(?:patients?|clients?)\s+(?:shall|will|must)\s+pay\b|\bprice\s+list\b",
    _F,
)

# A payment must be in view for a rate-of-base link to count.
PAYMENT_CUE = re.compile(
    rf"{_PAY_WORD}|\b(?:consideration|receive[sd]?|receiving|entitled|earn(?:s|ed)?|owe[sd]?|charge[sd]?"
    r"|contribut\w*|distribut\w*|shar(?:e|es|ed|ing)|split|retain\w*|deduct\w*|reimburs\w*"
    r"|credit(?:ed)?|allocat\w*|apportion\w*|donate\w*)\b|\bamount\b[^.;]{0,30}\bequal",
    _F,
)

# Rates that are not payments: audit thresholds, discounts, liability caps.
RATE_IS_THRESHOLD = re.compile(
    r"\b(?:under-?payments?|over-?payments?|discrepanc(?:y|ies)|understate\w*|overstate\w*"
    r"|deficienc(?:y|ies)|shortfall|variance|errors?)\b[^;.]{0,60}$",
    _F,
)
# "The Practice shall retain 100% of its revenue" keeps revenue where it belongs.
RETAINS_ALL = re.compile(
    r"\b(?:retain|retains|keep|keeps)\s+(?:\w+\s+){0,2}?(?:100\s*%|one\s+hundred\s+percent)", _F
)
RATE_IS_CAP = re.compile(
    r"\b(?:(?:more|greater|higher|less|lower|fewer)\s+than|exceed\w*|in\s+excess\s+of)\s+(?:\w+\s+)?$",
    _F,
)
# "a 10% discount", "10% off", "a markup of 8%": price adjustments, not shares of revenue.
DISCOUNT_AFTER_RATE = re.compile(r"^\s*(?:discount|off\b|rebate|mark-?up)", _F)
DISCOUNT_BEFORE_RATE = re.compile(r"\b(?:discount|rebate|mark-?up)\s+(?:of\s+)?$", _F)
LIABILITY_CAP = re.compile(
    r"\b(?:liabilit(?:y|ies)|indemnif\w*|insurance\s+coverage|policy\s+limits?)\b"
    r"[^;]{0,120}\b(?:exceed|limited\s+to|cap(?:ped)?|maximum|greater\s+than)\b",
    _F,
)
# Profits paid to an entity's own owners by ownership interest are distributions, not fee
# splitting: "allocated among the Members in proportion to their Percentage Interests",
# "Dana Ruiz holds 60% of the Membership Interests and is entitled to 60% of the profits",
# "a Member's interest, including its Percentage Interest and its right to share in profits".
_OWNERSHIP = (
    r"(?:percentage\s+interests?|membership\s+interests?|ownership(?:\s+(?:interests?|percentages?))?"
    r"|percentage\s+ownership|units|shares|stock|equity|capital\s+accounts?|sharing\s+ratios?)"
)
OWNER_DISTRIBUTION = re.compile(
    r"\b(?:percentage|membership|ownership|equity)\s+interests?\b|\bcapital\s+accounts?\b"
    r"|\b(?:members?|shareholders?|stockholders?|partners?|owners?|unitholders?)\b[^;.]{0,120}?"
    r"\b(?:in\s+proportion\s+to|pro\s+rata|in\s+accordance\s+with|according\s+to|based\s+on)\s+"
    rf"(?:their|its|his|her|the)\s+(?:respective\s+)?{_OWNERSHIP}"
    r"|\b(?:holds?|holding|owns?|owning)\s+(?:\S+\s+){0,3}?(?:of\s+)?(?:the\s+|its\s+|all\s+)?"
    rf"(?:issued\s+|outstanding\s+)?{_OWNERSHIP}",
    _F,
)

# ---------------------------------------------------------------- negation

# Phrases that look like negation but are caps or comparisons.
_NOT_NEGATION = re.compile(
    r"\b(?:no|not)\s+(?:be\s+)?(?:more|less|fewer|greater|lower|higher|later|earlier|sooner)\b"
    r"|\bnot\s+(?:to\s+)?(?:be\s+)?exceed\w*|\bwhether\s+or\s+not\b|\bnot\s+only\b|\bif\s+not\b"
    r"|\bwithout\s+(?:limit\w*|offset|set-?off|deduction|prejudice|the\s+prior)\b"
    r"|\bavoidance\s+of\s+doubt\b|\bavoid\s+doubt\b|\bNo\.(?=\s*\d)",
    _F,
)
_NEGATOR = (
    r"\b(?:not|never|no|neither|nor|none|nothing|without|cannot|\w+n't|in\s+no\s+event|under\s+no\s+circumstances"
    r"|at\s+no\s+time|prohibit\w*|forbid\w*|illegal|unlawful|impermissible|avoid\w*|refrain\s+from)\b"
)
# What a negator must govern to cancel a payment term.
_CALC_VERB = (
    r"(?:based|calculated|computed|determined|measured|set|tied|linked|related|conditioned|contingent"
    r"|dependent|vary|varies|varying|fluctuate|reflect|reflects|take\s+into\s+account|takes\s+into\s+account"
    r"|taking\s+into\s+account|used|expressed|derived|regard)"
)
_PAY_VERB = (
    r"(?:pay|pays|paid|payable|receive|receives|received|receiving|share|shares|shared|split|divided"
    r"|apportioned|allocated|earn|earns|collect|collects|retain|retains|participate|participates|entitled"
    r"|include|includes|included)"
)
_PAY_THING = r"(?:fees?|payments?|compensation|remuneration|portion|part|percentage|share|right|amount|royalt(?:y|ies))"
NEGATION_BEFORE = re.compile(
    rf"{_NEGATOR}(?:\W+\w+){{0,8}}?\W+(?:{_CALC_VERB}|{_PAY_VERB})\b"
    rf"|\b(?:no|without|nor|neither)\s+(?:\w+\s+){{0,2}}?{_PAY_THING}\b"
    rf"|\b(?:not|no|never|nor)\s+(?:\w+\s+){{0,3}}?{BASE.pattern}"
    # "laws prohibiting the payment of a percentage of revenue"
    r"|\b(?:prohibit\w*|forbid\w*|illegal|unlawful)\b(?:\W+\w+){0,10}?\W+(?:payments?|percent\w*|shar\w*|split\w*|division)\b"
    r"|\b(?:not|never|no)\b(?:\W+\w+){0,3}?\W+(?:a\s+|an\s+|any\s+)?(?:percentage|percent|share|portion)\b",
    _F,
)
# Negation after the term: "A percentage of revenue shall not be used ..." (passive, right
# after it) or "Fee splitting, such as paying a percentage of revenue, is prohibited" (the
# clause's predicate, unless it is only a condition: "unless such payment is prohibited").
NEGATION_AFTER = re.compile(
    rf"^[^,;]{{0,30}}?{_NEGATOR}(?:\W+\w+){{0,3}}?\W+{_CALC_VERB}\b"
    r"|^(?:(?!\b(?:unless|except|extent|if|where|when|provided)\b)[^;])*?"
    r"\b(?:is|are|be|was|were)\s+(?:strictly\s+|generally\s+|often\s+)?"
    r"(?:(?:treated|regarded)\s+as\s+|considered\s+|deemed\s+)?"
    r"(?:prohibited|forbidden|not\s+permitted|not\s+allowed|illegal|unlawful|(?:improper\s+)?fee[\s-]splitting)\b",
    _F,
)
# "regardless of the volume or value of referrals", "independent of the Practice's revenue".
INDEPENDENT_OF = re.compile(
    r"\b(?:regardless|irrespective|independent(?:ly)?|without\s+regard|without\s+reference)\s+(?:of|to)\s+"
    rf"(?:\S+\s+){{0,3}}?(?:volume|value|number|amount|level|{BASE.pattern})",
    _F,
)
NEGATION_WINDOW = 100  # chars before a link that a negator may sit in
# Negation reaches to the end of its clause, not past ";", "provided, however",
# "and shall ...", or the main clause after an introductory "If ..., you must".
CLAUSE_BREAK = re.compile(
    r";|:\s|\bprovided,?\s+(?:however|that|further)\b|\bexcept\s+that\b|,\s+but\b|\bbut\s+rather\b|\bhowever,"
    r"|\band\s+(?:shall|will|must|may)\b|,\s+and\s+(?=(?:the|such|all|any|each|its|their)\b)"
    r"|,\s+(?:then\s+)?(?:you|we|it|they|each\s+party|either\s+party|the\s+\w+|[A-Z]\w+)"
    r"\s+(?:shall|will|must|may|agrees?)\b",
)
# "In no event, the fee shall ..." - the comma does not end the negation.
_ADVERBIAL_NEGATION = re.compile(r"^\W*(?:in\s+no\s+event|under\s+no\s+circumstances|at\s+no\s+time)\W*$", _F)


# ---------------------------------------------------------------- sentences

_ABBREVIATIONS = frozenset(
    "inc corp co ltd llc l.l.c p.c p.a pllc n.a s.a plc lp llp bros assn assoc "
    "sec secs no nos art arts para paras cl ch vol pp p fig ex exh sch "
    "e.g i.e etc viz cf vs v al approx est dept govt "
    "mr mrs ms dr st jr sr prof hon messrs "
    "u.s u.s.a u.k jan feb mar apr jun jul aug sep sept oct nov dec".split()
)
# Suffixes that often end a sentence too ("... paid to Acme, Inc. The fee ..."):
# a new sentence starts after them only if the next word is a usual sentence opener.
_NAME_SUFFIXES = frozenset(
    "inc corp co ltd llc l.l.c p.c p.a pllc n.a s.a plc lp llp m.d d.o ph.d r.n n.p d.d.s esq".split()
)
_SENTENCE_STARTERS = frozenset(
    "the this that these those each any all no neither in if such either upon within during "
    "notwithstanding subject for as it its we you our your".split()
)
_SENTENCE_END = re.compile(r"[.!?]+[\"'’”)\]]*(?=\s)|\n[ \t\r]*\n")
_WORD_BEFORE = re.compile(r"(\S+)$")
_NEXT_WORD = re.compile(r"\s*(\S+)")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence, stripped of surrounding whitespace.

    Blank lines always end a sentence; a single newline is treated as a space
    (wrapped text and table cells read on). Full stops after abbreviations
    ("Inc.", "Sec.", "No.", "U.S."), initials, and numbers that go on ("Section
    5. 3") do not end a sentence; "2.5%" has no space after its point.
    """
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        if m.group().startswith(".") and not _full_stop_ends_sentence(text, m.start(), m.end()):
            continue
        _append_stripped(text, start, m.end(), spans)
        start = m.end()
    _append_stripped(text, start, len(text), spans)
    return spans


def _full_stop_ends_sentence(text: str, dot: int, after: int) -> bool:
    word_m = _WORD_BEFORE.search(text, max(0, dot - 40), dot)
    word = word_m.group(1).lstrip("\"'“‘([").lower() if word_m else ""
    next_m = _NEXT_WORD.match(text, after)
    next_word = next_m.group(1) if next_m else ""
    if not next_word:
        return True
    if next_word[0].islower():
        return False  # "U.S. patents", "approx. ten"
    if word in _NAME_SUFFIXES:
        return next_word.lower().strip("\"'“(") in _SENTENCE_STARTERS
    if word in _ABBREVIATIONS or re.fullmatch(r"[a-z]", word):
        return False  # "Sec. 4", "J. Smith"
    if re.fullmatch(r"[\d.]+", word) and next_word[0].isdigit():
        return False  # "Section 5. 3", "5. 2. 1."
    return True


def _append_stripped(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start < end:
        spans.append((start, end))


# ---------------------------------------------------------------- linking


@dataclass(frozen=True)
class _Link:
    rule: str
    start: int  # offsets within the sentence
    end: int
    rate_start: int  # where the rate (or payment word) is, for threshold checks


def _rule_for_base_text(base_text: str) -> str:
    return RULE_PROFIT if re.fullmatch(_PROFIT_BASE, base_text.strip(), _F) else RULE_REVENUE


_RATE_ANCHOR = re.compile(rf"{RATE.pattern}|{_REDACTED}", _F)
_PAYMENT_NOUN_ANCHOR = re.compile(rf"\b{_PAYMENT_NOUN}\b", _F)
_LIST_LEAD = re.compile(r"[\W\d]*(?:\(?[a-z]{1,4}[.)]\s*)?", _F)  # "", "(a) ", "2. ", "- "


def _gap_ok(gap: str | None) -> bool:
    return not gap or not _GAP_BLOCKERS.search(gap)


def _real_base(sentence: str, m: re.Match, group: str | int) -> bool:
    """False for "Internal Revenue Service", "nonprofit", "profit sharing plan" and the like."""
    start, end = m.span(group)
    for other in _NOT_A_BASE.finditer(sentence, max(0, start - 25), min(len(sentence), end + 20)):
        if other.start() < end and other.end() > start:
            return False
    return True


def _find_links(sentence: str) -> list[_Link]:
    links: list[_Link] = []
    has_payment = bool(PAYMENT_CUE.search(sentence))
    has_rate = bool(RATE.search(sentence))

    for m in _overlapping(RATE_OF_BASE, sentence, _RATE_ANCHOR):
        # Without a payment word, only a sentence that *is* the rate counts: "25% of Net Revenue."
        if not (has_payment or _LIST_LEAD.fullmatch(sentence[: m.start()])):
            continue
        if _gap_ok(m.group("gap")) and _real_base(sentence, m, "base"):
            links.append(_Link(_rule_for_base_text(m.group("base")), m.start(), m.end(), m.start()))

    for m in _overlapping(PAYMENT_ON_BASE, sentence, _PAYMENT_NOUN_ANCHOR):
        # Royalties and commissions are rates by nature; "fee calculated on" states a formula.
        inherently_a_rate = bool(re.match(r"royalt|commission", m.group("noun"), _F))
        if m.group("conn").lower() == "of" and not inherently_a_rate:
            continue  # "a fee of $500 ..." is an amount, not a base
        if not (inherently_a_rate or m.group("calc") or has_rate):
            continue
        if _gap_ok(m.group("gap")) and _real_base(sentence, m, "base"):
            links.append(_Link(_rule_for_base_text(m.group("base")), m.start(), m.end(), m.start()))

    for m in SHARE_COMPOUND.finditer(sentence):
        base = "base" if m.group("base") else "base2"
        if _gap_ok(m.group("gap")) and _real_base(sentence, m, base):
            links.append(_Link(_rule_for_base_text(m.group(base)), m.start(), m.end(), m.start()))

    for m in SHARE_LINK.finditer(sentence):
        verb_first = bool(m.group("verb"))
        verb = m.group("verb") if verb_first else m.group("verb2")
        base = "base" if verb_first else "base2"
        gap = m.group("gap") if verb_first else m.group("gap2")
        needs_proportion = not re.match(r"shar|split|divid", verb, _F)  # "division of fees" names a topic
        if needs_proportion and not PROPORTION.search(sentence):
            continue
        if _gap_ok(gap) and _real_base(sentence, m, base):
            links.append(_Link(_rule_for_base_text(m.group(base)), m.start(), m.end(), m.start()))

    if has_payment and has_rate:
        for multiply in MULTIPLY.finditer(sentence):
            window = max(0, multiply.start() - MULTIPLY_REACH)
            base = BASE.search(sentence, window, multiply.end() + MULTIPLY_REACH)
            if base and _real_base(sentence, base, 0):
                start, end = min(base.start(), multiply.start()), max(base.end(), multiply.end())
                links.append(_Link(_rule_for_base_text(base.group()), start, end, start))

    if not PATIENT_PRICE.search(sentence):
        for m in VOLUME_LINK.finditer(sentence):
            links.append(_Link(RULE_VOLUME, m.start(), m.end(), m.start()))
    return links


def _overlapping(pattern: re.Pattern, text: str, anchors: re.Pattern):
    """Matches of ``pattern`` starting at each match of ``anchors``, overlapping ones included."""
    for anchor in anchors.finditer(text):
        m = pattern.match(text, anchor.start())
        if m:
            yield m


def _clause_bounds(sentence: str, start: int, end: int) -> tuple[int, int]:
    clause_start, clause_end = 0, len(sentence)
    for brk in CLAUSE_BREAK.finditer(sentence):
        if _ADVERBIAL_NEGATION.match(sentence[clause_start : brk.start()]):
            continue
        if brk.end() <= start:
            clause_start = brk.end()
        elif brk.start() >= end:
            clause_end = brk.start()
            break
    return clause_start, clause_end


def _suppressed(sentence: str, link: _Link) -> bool:
    """True when the link is negated or is not a payment at all."""
    clause_start, clause_end = _clause_bounds(sentence, link.start, link.end)
    clause = sentence[clause_start:clause_end]
    window_start = max(clause_start, link.start - NEGATION_WINDOW)
    before = _NOT_NEGATION.sub(" ", sentence[window_start : link.end])
    after = _NOT_NEGATION.sub(" ", sentence[link.end : clause_end])
    negated = NEGATION_BEFORE.search(before) or NEGATION_AFTER.search(after) or INDEPENDENT_OF.search(clause)
    # "In no event shall the fee exceed 20% of collections" is a cap that still ties the fee to revenue.
    revenue_cap = link.rule != RULE_VOLUME and RATE_IS_CAP.search(sentence[window_start : link.rate_start])
    if negated and not revenue_cap:
        return True
    if link.rule != RULE_VOLUME:
        head = sentence[clause_start : link.rate_start]
        rate_m = RATE.match(sentence, link.rate_start)
        after_rate = sentence[rate_m.end() : link.end] if rate_m else ""
        if RATE_IS_THRESHOLD.search(head) or DISCOUNT_BEFORE_RATE.search(head):
            return True
        if DISCOUNT_AFTER_RATE.search(after_rate):
            return True
        if LIABILITY_CAP.search(clause) or RETAINS_ALL.search(clause):
            return True
        if link.rule == RULE_PROFIT and OWNER_DISTRIBUTION.search(clause):
            return True
    return False


# ---------------------------------------------------------------- API


# Drafting notes print as "[Drafting note: ...]" paragraphs.
DRAFTING_NOTE = re.compile(r"\[Drafting note:[^\n]*")


def scan_text(text: str, *, severity: str = "error", citation: str = "") -> list[ScanMatch]:
    """Sentences of ``text`` that tie a payment to revenue, profits or volume.

    One match per (sentence, rule), ordered by position then rule.
    """
    if severity not in SEVERITIES:
        raise ValueError(f"severity must be one of {', '.join(SEVERITIES)}, not {severity!r}")
    matches: list[ScanMatch] = []
    notes = [(m.start(), m.end()) for m in DRAFTING_NOTE.finditer(text)]
    for start, end in split_sentences(text):
        sentence = text[start:end]
        if any(a <= start < b for a, b in notes):
            continue  # a drafting note to the attorney, which may name the removed term, is not contract text
        # Every link needs a revenue/profit base or a per-unit volume term: skip the rest cheaply.
        if not (BASE.search(sentence) or VOLUME_LINK.search(sentence)):
            continue
        first_link: dict[str, _Link] = {}
        for link in sorted(_find_links(sentence), key=lambda ln: (ln.start, ln.end)):
            if link.rule not in first_link and not _suppressed(sentence, link):
                first_link[link.rule] = link
        for rule in RULE_ORDER:
            if rule in first_link:
                link = first_link[rule]
                phrase = " ".join(sentence[link.start : link.end].split())
                message = f'{_WHAT[rule]}: "{_shorten(phrase)}"; {_WHY[rule]}.'
                matches.append(ScanMatch(rule, sentence, start, end, severity, citation, message))
    return matches


def _shorten(phrase: str, limit: int = 120) -> str:
    return phrase if len(phrase) <= limit else phrase[: limit - 1].rstrip() + "…"


ALLOWED_SUFFIXES = (".docx", ".txt")


def extract_text(path: Path) -> str:
    """The text of a .docx (one line per paragraph, tables included) or a UTF-8 .txt.

    Raises ``InputError`` for any other suffix and for unreadable or corrupt files.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        kind = f"a '{suffix}'" if suffix else "a suffix-less"
        raise InputError([Problem(str(path), "", f"cannot scan {kind} file; allowed: .docx, .txt")])
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError([Problem(str(path), "", f"cannot read the file: {exc.strerror or exc}")]) from None
    if suffix == ".txt":
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InputError([Problem(str(path), "", f"not UTF-8 text (bad byte at offset {exc.start})")]) from None
    try:
        return docx_text(data)
    except (zipfile.BadZipFile, KeyError, ET.ParseError, EOFError, ValueError, OSError):
        problem = Problem(str(path), "", "not a readable .docx (corrupt zip or no word/document.xml)")
        raise InputError([problem]) from None


def scan_files(paths, *, severity: str = "error", citation: str = "") -> list[dict]:
    """``[{"file": str, "findings": [match dict, ...]}]``, one entry per file in input order.

    Every file is read before anything is scanned; all unreadable files are
    reported together in one ``InputError``.
    """
    texts: list[tuple[str, str]] = []
    problems: list[Problem] = []
    for path in paths:
        try:
            texts.append((str(path), extract_text(Path(path))))
        except InputError as err:
            problems.extend(err.problems)
    if problems:
        raise InputError(problems)
    return [
        {"file": name, "findings": [m.to_dict() for m in scan_text(text, severity=severity, citation=citation)]}
        for name, text in texts
    ]
