"""The scanner's vocabulary: rule names, and the regular expressions for rates, bases, volume
terms, payment cues and the negations, thresholds and caps that cancel a link; plus a cheap
keyword test (``may_link``) that every link needs, run before the regular expressions."""

from __future__ import annotations

import re

RULE_REVENUE = "fee.percent_of_revenue"
RULE_PROFIT = "fee.profit_share"
RULE_VOLUME = "fee.per_unit_volume"
RULE_ORDER = (RULE_REVENUE, RULE_PROFIT, RULE_VOLUME)
SEVERITIES = ("error", "warning", "info")

WHY = {
    RULE_REVENUE: "a payment computed from revenue, sales or collections can be illegal fee splitting",
    RULE_PROFIT: "a share of profits or income can be illegal fee splitting",
    RULE_VOLUME: "a payment that varies with the number of patients, procedures or referrals "
    "can be illegal fee splitting or a kickback",
}
WHAT = {
    RULE_REVENUE: "Revenue-based payment",
    RULE_PROFIT: "Profit or income share",
    RULE_VOLUME: "Volume-based payment",
}


class Lazy:
    """A regular expression compiled when first used. ``formgen validate`` scans a few fee-paying
    agreements whose sentences the keyword test (``may_link``) mostly turns away, so most of these
    patterns (tens of milliseconds to compile) are never needed by a run; ``pattern`` is the
    source, for composing larger ones."""

    __slots__ = ("pattern", "flags", "compiled")

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.pattern, self.flags = pattern, flags
        self.compiled: re.Pattern | None = None

    def __getattr__(self, name: str):  # search, finditer, sub...: the compiled pattern's
        compiled = self.compiled
        if compiled is None:
            compiled = self.compiled = re.compile(self.pattern, self.flags)
        return getattr(compiled, name)


# ---------------------------------------------------------------- vocabulary

FLAGS = re.IGNORECASE

_NUMBER_WORD = (
    r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen"
    r"|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety"
    r"|hundred|half|quarter)"
)
_NUMBER = r"(?:\d[\d,]*(?:\.\d+)?|\.\d+)"
# Redacted figures in filed contracts: [***], *****, [ ** ], [●], ___
REDACTED = r"(?:\[[^\]\n]{0,20}\]|\*{2,}|_{2,}|[●•])"
# A figure written in words: "ten", "twenty-five", "eighty-two and one-half".
# At most six words, and each step is unambiguous ("one" is itself a number word), so no backtracking
# blow-up on "one one one ...": the old optional "one-" prefix let every word be read two ways.
_WORDS_FIGURE = rf"\b{_NUMBER_WORD}(?:[\s-]+(?:and[\s-]+)?{_NUMBER_WORD}){{0,6}}\b"
_PERCENT = r"(?:%|\bper\s?cent(?:um)?\b|\bpercent\b)"

# A rate: "5%", "2.5 percent", "ten percent (10%)", "[***]%", "a percentage",
# "a share", "a portion", "one-half".
RATE = Lazy(
    rf"(?:(?:{_NUMBER}|{REDACTED}|{_WORDS_FIGURE})\s*-?\s*{_PERCENT}"
    rf"|\bpercentages?\b|\bpercent\b|%"
    r"|\b(?:share|portion|proportion|fraction)\b"
    r"|\b(?:one|two)[\s-](?:half|third|thirds|quarter)\b|\bhalf\b)"
    r"(?:\s*\([^()\n]{0,60}\))?",  # "ten percent (10%)", "a percentage (as agreed) of"
    FLAGS,
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
PROFIT_BASE = (
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
BASE = Lazy(
    rf"(?:{PROFIT_BASE}|{_REVENUE_BASE}){_NOT_MONEY_AFTER}",
    FLAGS,
)
# Bases that are not revenue at all, checked against the base and the words just before it.
NOT_A_BASE = Lazy(
    r"non-?profit|not-for-profit|insurance\s+proceeds|interest\s+income|profit\s+sharing\s+plan"
    r"|(?:internal|department\s+of|commissioner\s+of)\s+revenue",
    FLAGS,
)

# Words that, between a rate and a base, show the rate is of something else:
# "5% of the unpaid Management Fee", "cost plus 10% of ...", "60% of the Membership Interests".
GAP_BLOCKERS = Lazy(
    r"\b(?:fees?|costs?|expenses?|prices?|interests?|balance|capital|shares|stock|equity|units"
    r"|purchases?|premiums?|liabilit(?:y|ies)|damages|penalt(?:y|ies)|forecasts?|capacity"
    r"|requirements?|information|data|reports?|records?|statements?|details|budget(?:ed)?|tax(?:es)?"
    r"|payments?\s+(?:due|owed))\b",
    FLAGS,
)
# Up to ten words between a rate and its base, never across ";", ":" or a word ending in a comma
# ("1% of the Consideration, or the total amount received" names a second thing).
_GAP = r"(?:[^\s;:]*[^\s;:,]\s+){0,10}?"

# "5% of ... Net Sales", "10% on Gross Revenue", "a 5% commission of the gross sales price".
# A bare redacted figure counts as a rate only right before "of ... base": "*** of all Revenue".
RATE_OF_BASE = Lazy(
    rf"(?P<rate>{RATE.pattern}|{REDACTED})\s*,?\s*"
    r"(?:(?:royalty|commission|fee|service|share|or|and|annual|monthly|quarterly|weekly)\s+){0,3}"
    r"(?:(?:set\s+forth|specified|stated|shown|listed|identified|described)\s+in\s+(?:\S+\s+){1,4}?)?"
    rf"(?:of|on|upon|in|from|against|multiplied\s+by|times|applied\s+to)\s+(?P<gap>{_GAP})(?P<base>{BASE.pattern})",
    FLAGS,
)
# "a royalty on Net Sales", "fee calculated on gross revenue", "royalties based upon Net Sales".
PAYMENT_NOUN = r"(?:royalt(?:y|ies)|commissions?|fees?|compensation|remuneration|payments?|rates?)"
_CALCULATED = r"(?:calculated|computed|determined|based|measured)"
PAYMENT_ON_BASE = Lazy(
    rf"\b(?P<noun>{PAYMENT_NOUN})\b(?:\s+\S+){{0,3}}?\s+"
    rf"(?:(?P<calc>{_CALCULATED})\s+|(?:payable|assessed|levied|applied)\s+)?"
    r"(?P<conn>on|upon|to|by|against|by\s+reference\s+to|with\s+reference\s+to|as\s+a\s+function\s+of|of)\s+"
    rf"(?P<gap>{_GAP})(?P<base>{BASE.pattern})",
    FLAGS,
)
# "determined by multiplying the Laboratory Services Revenue and the applicable royalty rate",
# "Total income of game package * (1 - bad debt rate) * 50%".
MULTIPLY = Lazy(r"\bmultipl(?:y|ied|ying|ication)\b|(?<!\S)[*×](?=\s*[\d(])", FLAGS)
MULTIPLY_REACH = 150  # chars either side of "multiply" in which the base must sit

# Sharing: "share equally all revenue", "Net Revenue will be shared", "revenue share",
# "division of income", "income ... shall be divided proportionately".
_SHARE_VERB = r"(?:shar(?:e|es|ed|ing)|split(?:s|ting)?|divid(?:e|es|ed|ing)|division)"
_ALLOCATE_VERB = r"(?:allocat(?:e|es|ed|ing|ion)|apportion(?:s|ed|ing|ment)?|distribut(?:e|es|ed|ing|ion))"
SHARE_COMPOUND = Lazy(
    r"(?P<base>\b(?:revenue|profit|income|sales|earnings|proceeds)s?)[\s/-]+"
    r"(?:and\s+loss\s+|loss\s+)?shar(?:e|es|ing)\b"
    r"|\bshar(?:e|es)\s+(?:of|in)\s+(?P<gap>" + _GAP + rf")(?P<base2>{BASE.pattern})",
    FLAGS,
)
# The base comes first only as the subject of a passive: "the proceeds ... will be shared".
_SHARED = r"(?:shared|split|divided|allocated|apportioned|distributed)"
SHARE_LINK = Lazy(
    rf"\b(?P<verb>{_SHARE_VERB}|{_ALLOCATE_VERB})\b(?:\s+(?:equally|proportionately|among|between))?"
    rf"(?:\s+(?:in|of))?\s+(?P<gap>(?:[^\s;]*\s+){{0,8}}?)(?P<base>{BASE.pattern})"  # may cross "as follows:"
    rf"|(?P<base2>{BASE.pattern})(?P<gap2>[^;.]{{0,100}}?)\b(?:be|been|being|is|are|was|were)\s+"
    rf"(?:\w+\s+){{0,2}}?(?P<verb2>{_SHARED})\b",  # "shall be owned and shared"
    FLAGS,
)
# Allocate/distribute/divide need a stated proportion; "share"/"split" do not.
PROPORTION = Lazy(
    rf"{RATE.pattern}|\bequally\b|\bfifty[\s-]fifty\b|\bpro\s+rata\b|\bproportionate(?:ly)?\b|\bratio\b"
    r"|\bas\s+follows\b|\b(?:Schedule|Exhibit|Appendix)\b",
    FLAGS,
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
VOLUME_LINK = Lazy(
    rf"(?P<pay>{_MONEY}|{_PAY_WORD})[^;.]{{0,80}}?"
    # "for each Botox treatment", "per laser session": up to two words name the kind of unit
    rf"\b(?:per|for\s+each|for\s+every|on\s+each|with\s+respect\s+to\s+each)[\s-]+"
    rf"(?:(?!(?:of|the|a|an|calendar|month|year|week|day|hour)\b)[A-Za-z][\w-]*\s+){{0,3}}?{_VOLUME_UNIT}\b"
    rf"|\bper[\s-]{_VOLUME_UNIT}(?:\s+basis)?\b[^;.]{{0,40}}?(?P<pay2>{_PAY_WORD}|{_MONEY})"
    # "For each laser hair removal session performed, Practice shall pay MSO $40"
    rf"|\bfor\s+(?:each|every)\s+(?:[A-Za-z][\w-]*\s+){{0,3}}?{_VOLUME_UNIT}\b[^;.]{{0,60}}?(?P<pay4>{_PAY_WORD})[^;.]{{0,40}}?{_MONEY}"
    rf"|(?P<pay3>{_PAY_WORD})[^;.]{{0,80}}?\b(?:based|calculated|determined|tied|varies|vary|varying"
    r"|conditioned|contingent|dependent)\s+(?:\w+\s+){0,2}?(?:on|upon|to|with|by)\s+(?:the\s+)?"
    rf"(?:number|volume|value|quantity)\s+(?:or\s+value\s+|or\s+volume\s+)?of\s+(?:\w+\s+){{0,2}}?{_VOLUME_UNIT}",
    FLAGS,
)
# Prices charged to patients are not payments between the parties.
PATIENT_PRICE = Lazy(
    r"\bcharge[sd]?\s+(?:to\s+)?(?:the\s+|each\s+|its\s+)?(?:patients?|clients?|customers?)\b"
    r"|\b(?:patients?|clients?)\s+(?:shall|will|must)\s+pay\b|\bprice\s+list\b",
    FLAGS,
)

# A payment must be in view for a rate-of-base link to count.
PAYMENT_CUE = Lazy(
    rf"{_PAY_WORD}|\b(?:consideration|receive[sd]?|receiving|entitled|earn(?:s|ed)?|owe[sd]?|charge[sd]?"
    r"|contribut\w*|distribut\w*|shar(?:e|es|ed|ing)|split|retain\w*|deduct\w*|reimburs\w*"
    r"|credit(?:ed)?|allocat\w*|apportion\w*|donate\w*)\b|\bamount\b[^.;]{0,30}\bequal",
    FLAGS,
)

# Rates that are not payments: audit thresholds, discounts, liability caps.
RATE_IS_THRESHOLD = Lazy(
    r"\b(?:under-?payments?|over-?payments?|discrepanc(?:y|ies)|understate\w*|overstate\w*"
    r"|deficienc(?:y|ies)|shortfall|variance|errors?)\b[^;.]{0,60}$",
    FLAGS,
)
# "The Practice shall retain 100% of its revenue" keeps revenue where it belongs.
RETAINS_ALL = Lazy(r"\b(?:retain|retains|keep|keeps)\s+(?:\w+\s+){0,2}?(?:100\s*%|one\s+hundred\s+percent)", FLAGS)
RATE_IS_CAP = Lazy(
    r"\b(?:(?:more|greater|higher|less|lower|fewer)\s+than|exceed\w*|in\s+excess\s+of)\s+(?:\w+\s+)?$",
    FLAGS,
)
# "a 10% discount", "10% off", "a markup of 8%": price adjustments, not shares of revenue.
DISCOUNT_AFTER_RATE = Lazy(r"^\s*(?:discount|off\b|rebate|mark-?up)", FLAGS)
DISCOUNT_BEFORE_RATE = Lazy(r"\b(?:discount|rebate|mark-?up)\s+(?:of\s+)?$", FLAGS)
LIABILITY_CAP = Lazy(
    r"\b(?:liabilit(?:y|ies)|indemnif\w*|insurance\s+coverage|policy\s+limits?)\b"
    r"[^;]{0,120}\b(?:exceed|limited\s+to|cap(?:ped)?|maximum|greater\s+than)\b",
    FLAGS,
)
# Profits paid to an entity's own owners by ownership interest are distributions, not fee
# splitting: "allocated among the Members in proportion to their Percentage Interests",
# "Dana Ruiz holds 60% of the Membership Interests and is entitled to 60% of the profits",
# "a Member's interest, including its Percentage Interest and its right to share in profits".
_OWNERSHIP = (
    r"(?:percentage\s+interests?|membership\s+interests?|ownership(?:\s+(?:interests?|percentages?))?"
    r"|percentage\s+ownership|units|shares|stock|equity|capital\s+accounts?|sharing\s+ratios?)"
)
# Tax allocations among an LLC's members (qualified income offset, minimum gain chargeback) are
# neither fees nor distributions to anyone else.
OWNER_DISTRIBUTION = Lazy(
    r"\b(?:percentage|membership|ownership|equity)\s+interests?\b|\bcapital\s+accounts?\b"
    r"|\b(?:partner\s+nonrecourse\s+debt\s+|partnership\s+)?minimum\s+gain\b|\bTreasury\s+Regulations?\b"
    r"|\b(?:members?|shareholders?|stockholders?|partners?|owners?|unitholders?)\b[^;.]{0,120}?"
    r"\b(?:in\s+proportion\s+to|pro\s+rata|in\s+accordance\s+with|according\s+to|based\s+on)\s+"
    rf"(?:their|its|his|her|the)\s+(?:respective\s+)?{_OWNERSHIP}"
    r"|\b(?:holds?|holding|owns?|owning)\s+(?:\S+\s+){0,3}?(?:of\s+)?(?:the\s+|its\s+|all\s+)?"
    rf"(?:issued\s+|outstanding\s+)?{_OWNERSHIP}",
    FLAGS,
)

# ---------------------------------------------------------------- negation

# Phrases that look like negation but are caps or comparisons.
NOT_NEGATION = Lazy(
    r"\b(?:no|not)\s+(?:be\s+)?(?:more|less|fewer|greater|lower|higher|later|earlier|sooner)\b"
    r"|\bnot\s+(?:to\s+)?(?:be\s+)?exceed\w*|\bwhether\s+or\s+not\b|\bnot\s+only\b|\bif\s+not\b"
    r"|\bwithout\s+(?:limit\w*|offset|set-?off|deduction|prejudice|the\s+prior)\b"
    r"|\bavoidance\s+of\s+doubt\b|\bavoid\s+doubt\b|\bNo\.(?=\s*\d)",
    FLAGS,
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
NEGATION_BEFORE = Lazy(
    rf"{_NEGATOR}(?:\W+\w+){{0,8}}?\W+(?:{_CALC_VERB}|{_PAY_VERB})\b"
    rf"|\b(?:no|without|nor|neither)\s+(?:\w+\s+){{0,2}}?{_PAY_THING}\b"
    rf"|\b(?:not|no|never|nor)\s+(?:\w+\s+){{0,3}}?{BASE.pattern}"
    # "laws prohibiting the payment of a percentage of revenue"
    r"|\b(?:prohibit\w*|forbid\w*|illegal|unlawful)\b(?:\W+\w+){0,10}?\W+(?:payments?|percent\w*|shar\w*|split\w*|division)\b"
    r"|\b(?:not|never|no)\b(?:\W+\w+){0,3}?\W+(?:a\s+|an\s+|any\s+)?(?:percentage|percent|share|portion)\b",
    FLAGS,
)
# Negation after the term: "A percentage of revenue shall not be used ..." (passive, right
# after it) or "Fee splitting, such as paying a percentage of revenue, is prohibited" (the
# clause's predicate, unless it is only a condition: "unless such payment is prohibited").
NEGATION_AFTER = Lazy(
    rf"^[^,;]{{0,30}}?{_NEGATOR}(?:\W+\w+){{0,3}}?\W+{_CALC_VERB}\b"
    r"|^(?:(?!\b(?:unless|except|extent|if|where|when|provided)\b)[^;])*?"
    r"\b(?:is|are|be|was|were)\s+(?:strictly\s+|generally\s+|often\s+)?"
    r"(?:(?:treated|regarded)\s+as\s+|considered\s+|deemed\s+)?"
    r"(?:prohibited|forbidden|not\s+permitted|not\s+allowed|illegal|unlawful|(?:improper\s+)?fee[\s-]splitting)\b",
    FLAGS,
)
# "regardless of the volume or value of referrals", "independent of the Practice's revenue".
INDEPENDENT_OF = Lazy(
    r"\b(?:regardless|irrespective|independent(?:ly)?|without\s+regard|without\s+reference)\s+(?:of|to)\s+"
    rf"(?:\S+\s+){{0,3}}?(?:volume|value|number|amount|level|{BASE.pattern})",
    FLAGS,
)
NEGATION_WINDOW = 100  # chars before a link that a negator may sit in
# Negation reaches to the end of its clause, not past ";", "provided, however",
# "and shall ...", or the main clause after an introductory "If ..., you must".
CLAUSE_BREAK = Lazy(
    r";|:\s|\bprovided,?\s+(?:however|that|further)\b|\bexcept\s+that\b|,\s+but\b|\bbut\s+rather\b|\bhowever,"
    r"|\band\s+(?:shall|will|must|may)\b|,\s+and\s+(?=(?:the|such|all|any|each|its|their)\b)"
    r"|,\s+(?:then\s+)?(?:you|we|it|they|each\s+party|either\s+party|the\s+\w+|[A-Z]\w+)"
    r"\s+(?:shall|will|must|may|agrees?)\b",
)
# "In no event, the fee shall ..." - the comma does not end the negation.
ADVERBIAL_NEGATION = Lazy(r"^\W*(?:in\s+no\s+event|under\s+no\s+circumstances|at\s+no\s+time)\W*$", FLAGS)


# Every link needs a BASE or a VOLUME_LINK match; each of those contains some of these words (in
# lower case): a base word ("professional fees" / "patient fees": both words), or a volume unit
# together with a payment or money word. Python's re.IGNORECASE also matches "İ", "ı" (i), "K"
# (Kelvin sign) and "ſ" (long s) to ASCII letters, so those are folded first: the keyword test
# never rejects a sentence the regular expressions would match (tests/test_scanner.py checks).
_BASE_WORDS = (
    "profit",
    "earnings",
    "ebitda",
    "margin",
    "income",
    "cash",
    "revenue",
    "sale",
    "selling",
    "receipts",
    "collections",
    "billings",
    "proceeds",
    "turnover",
    "collected",
    "received",
    "billed",
    "generated",
    "earned",
)
_FEE_OWNERS = ("professional", "patient")
_VOLUME_WORDS = (
    "patient",
    "procedure",
    "referr",
    "treatment",
    "visit",
    "encounter",
    "appointment",
    "consultation",
    "session",
    "injection",
    "prescription",
    "client",
    "lead",
    "unit",
)
_PAY_WORDS = (
    "pay",
    "paid",
    "fee",
    "commission",
    "bonus",
    "compensat",
    "remunerat",
    "royalt",
    "remit",
    "kickback",
    "$",
    "dollar",
    "usd",
    "\u20ac",
    "\u00a3",
)
_FOLD = str.maketrans({"\u0130": "i", "\u0131": "i", "\u212a": "k", "\u017f": "s"})


def may_link(sentence: str) -> bool:
    """False when ``sentence`` cannot hold a BASE or VOLUME_LINK match (it lacks their words)."""
    folded = (sentence if sentence.isascii() else sentence.translate(_FOLD)).lower()
    if any(word in folded for word in _BASE_WORDS):
        return True
    if "fees" in folded and any(word in folded for word in _FEE_OWNERS):
        return True
    return any(word in folded for word in _VOLUME_WORDS) and any(word in folded for word in _PAY_WORDS)
