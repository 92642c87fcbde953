"""What a reviewer looks for in a contract formgen did not write: the ways a management agreement puts
a medical practice under lay control, each a category with its own patterns.

A pattern ties the management company (the "actor") to a controlling verb and a clinical object
("Manager shall establish the clinical protocols"), or states it passively ("protocols ... approved
by MSO", "subject to the approval of Manager"). A match is dropped when the clause negates or
prohibits it, when someone else (the practice) is the subject of the verb, or when the object is
non-clinical. Every pattern is a chain of bounded gaps over one sentence: no nested quantifiers,
so matching time grows linearly with the text (the sentence is capped by the caller).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

FLAGS = re.IGNORECASE

CATEGORIES = (
    "fee_percentage",
    "fee_per_unit",
    "fee_referral",
    "clinical_control",
    "clinician_employment",
    "pricing_control",
    "ownership_control",
    "coding_billing_control",
    "records_control",
    "bank_control",
    "advertising_control",
    "noncompete",
)
FEE_CATEGORIES = ("fee_percentage", "fee_per_unit", "fee_referral")

CAPTIONS = {
    "fee_percentage": "Fee as a percentage of revenue, collections or profits",
    "fee_per_unit": "Fee per patient, procedure, treatment or visit",
    "fee_referral": "Payment for referrals or for patients delivered",
    "clinical_control": "Management company controls clinical decisions",
    "clinician_employment": "Management company employs or directs clinicians",
    "pricing_control": "Management company sets prices of medical services",
    "ownership_control": "Management company controls the practice's ownership or governance",
    "coding_billing_control": "Management company decides coding or billing",
    "records_control": "Management company owns or controls patient records",
    "bank_control": "Management company controls the practice's bank account or receivables",
    "advertising_control": "Management company advertises medical services on its own authority",
    "noncompete": "Non-compete binding the practice's clinicians or owners",
}

# ---------------------------------------------------------------- the parties

_MSO_WORDS = (
    r"MSO|Manager|Management\s+Company|Management\s+Services\s+Organization|Administrator"
    r"|Management\s+Services\s+Company|Service\s+Company|Services\s+Company|Consultant|Operator|Company"
)
_PRACTICE_WORDS = (
    r"Practice|Group|Medical\s+Group|P\.?C\.?|Professional\s+Corporation|Physicians?|Providers?"
    r"|Medical\s+Director|Owners?|Practice\s+Owners?|Shareholders?|Clinicians?|Corporation"
)
_DEFINED = re.compile(r"\((?:the\s+|each\s+a\s+|hereinafter\s+)?[\"“]([A-Z][\w .&-]{1,40}?)[\"”]\s*\)")
_MSO_CUE = re.compile(r"\bmanagement\b|\bMSO\b|services\s+organi[sz]ation|administrative\s+services|\bmanager\b", FLAGS)


@dataclass(frozen=True)
class Parties:
    mso: str  # a regular expression for the management company's names in this document
    practice: str

    @classmethod
    def of(cls, text: str) -> "Parties":
        """The document's names for the parties: the usual ones, plus defined terms ("(the "Company")")
        whose description, since the previous definition, calls the party a management company."""
        mso, practice = [], []
        previous = 0
        for m in _DEFINED.finditer(text[:20_000]):
            described = text[max(previous, m.start() - 300) : m.start()]
            previous = m.end()
            name = m.group(1).strip()
            if name.lower() in ("agreement", "effective date", "party", "parties", "term"):
                continue
            if _MSO_CUE.search(described) and not re.fullmatch(_PRACTICE_WORDS, name, FLAGS):
                mso.append(re.escape(name))
            elif re.search(r"\bmedical\b|\bprofessional\b|\bphysician|\bpractice\b|\bclinic", described, FLAGS):
                practice.append(re.escape(name))
        mso_words = "|".join([_MSO_WORDS, *mso])
        practice_words = "|".join([_PRACTICE_WORDS, *[p for p in practice if p not in mso]])
        # Case-sensitive: "Manager" and "Company" are the defined parties, "a manager" and "a company" are not.
        return cls(rf"(?<![\w-])(?-i:{mso_words})(?![\w-])", rf"(?<![\w-])(?-i:{practice_words})(?![\w-])")


# ---------------------------------------------------------------- vocabulary

_NOT_CLINICAL = r"(?<![-\w])(?<!non )(?<!non-)"
_CLINICAL_OBJECT = (
    _NOT_CLINICAL
    + r"(?:diagnos\w*+(?!\s+codes?)|treatment\s+(?:plans?|protocols?|decisions?|options?)|treatments?\s+(?:of|for|to)\s+patients"
    r"|clinical\s+(?:protocols?|policies|decisions?|judgment|staffing|standards?|outcomes?|care|matters|operations"
    r"|practices?|guidelines|procedures|services|pathways|quality|competenc\w*)"
    r"|medical\s+(?:judgment|decisions?|care|protocols?|treatment|procedures)|standing\s+orders|standards?\s+of\s+care"
    r"|patient\s+care|course\s+of\s+treatment|good[\s-]faith\s+(?:exam\w*|examinations?)|plans?\s+of\s+care"
    r"|(?:which|what)\s+(?:treatments?|procedures|products|devices|injectables?)|dosages?|doses"
    r"|number\s+of\s+patients|patient\s+volumes?|productivity\s+(?:quotas?|targets?|standards?)"
    r"|staffing\s+levels|(?:supervision|oversight)\s+of\s+(?:the\s+)?(?:nurses|injectors|clinicians|clinical))(?![\w-])"
)
_CLINICIANS = (
    _NOT_CLINICAL
    + r"(?:physicians?|doctors?|nurse\s+practitioners?|(?-i:NPs?|PAs?|RNs?)|physician\s+assistants?|registered\s+nurses?"
    r"|nurses|clinicians?|clinical\s+(?:staff|personnel|employees|providers)|Clinical\s+Personnel|providers?"
    r"|injectors?|licensed\s+(?:professionals?|personnel|staff|clinicians|providers)|medical\s+(?:staff|director)"
    r"|aestheticians?|estheticians?|professional\s+staff|health\s+care\s+professionals)(?![\w-])"
)
_PRICES = (
    r"(?:prices?|pricing|fee\s+schedules?|charges?\s+(?:for|to)\s+(?:patients|services|treatments|procedures)"
    r"|rates?\s+charged|amounts?\s+charged\s+(?:to\s+)?patients|discounts?|promotions|package\s+prices|membership\s+prices"
    r"|fees\s+(?:charged|to\s+be\s+charged)\s+(?:to\s+)?patients|patient\s+fees)"
)
_CODES = (
    r"(?:coding|codes?|CPT|ICD[-\s]?\d*|diagnosis\s+codes?|procedure\s+codes?|billing\s+codes?|level\s+of\s+service"
    r"|levels\s+of\s+service|billing\s+(?:decisions?|methods?|choices|practices)|(?:which|what)\s+payers"
    r"|payer\s+(?:contracts?|billing|enrollment)|claims?\s+(?:to|for)\s+(?:submit|payers?))"
)
_RECORDS = r"(?:patient\s+records|medical\s+records|Patient\s+Records|patient\s+charts|clinical\s+records|health\s+records|patient\s+files)"
_EQUITY = (
    r"(?:shares?|stock|equity(?:\s+interests?)?|membership\s+interests?|ownership\s+interests?|capital\s+stock"
    r"|Interests?|securities)"
)

_NEGATION = re.compile(
    r"\b(?:not|never|no|neither|nor|none|nothing|cannot|in\s+no\s+event|under\s+no\s+circumstances|at\s+no\s+time"
    r"|prohibit\w*|forbid\w*|may\s+not|refrain\w*|void|unenforceable)\b|n't\b",
    FLAGS,
)
_NOT_A_NEGATION = re.compile(
    r"\bnot\s+(?:be\s+)?limited\s+to\b|\bwhether\s+or\s+not\b|\bnot\s+less\s+than\b|\bnot\s+(?:to\s+)?exceed\w*"
    r"|\bnot\s+later\s+than\b|\bno\s+(?:later|less|fewer|more)\s+than\b|\bnot\s+only\b|\bif\s+not\b|\bNo\.(?=\s*\d)",
    FLAGS,
)
# A subordinate or another subject between the actor and the verb: "MSO shall ensure that Practice decides".
_OTHER_SUBJECT = re.compile(
    r"\b(?:that|which|who|whom|whose|if|unless|until|when|as|so|to\s+(?:assist|help|support)"
    r"|assist\w*|help\w*|support\w*|advis\w*|recommend\w*|suggest\w*|consult\w*|inform\w*"
    r"|propos\w*|facilitat\w*|implement\w*|administ\w*|coordinat\w*|provid\w*|process\w*)\b",
    FLAGS,
)
_AUXILIARY = re.compile(
    r"\b(?:shall|will|may|must|can|agrees?|is|are|has|have|had|was|were|be|to|hereby|also|alone"
    r"|solely|exclusively|directly|itself)\b",
    FLAGS,
)
# "believes that MSO is directing ...", "if Manager approves ...": not a term that gives MSO the power.
_HYPOTHETICAL = re.compile(
    r"\b(?:that|if|whether|unless|believes?|suspects?|alleges?|claims?|reports?)\s+(?:the\s+)?$", FLAGS
)
_ALONE_PRACTICE = re.compile(
    r"\b(?:alone|solely|exclusively|sole\s+(?:and\s+exclusive\s+)?(?:authority|discretion|responsibility))\b", FLAGS
)


# Every pattern of a category contains one of these words (lower case): a sentence without any is skipped.
_KEYWORDS = {
    "clinical_control": (
        "diagnos",
        "treatment",
        "clinical",
        "medical",
        "standing",
        "standard",
        "patient",
        "good",
        "dosage",
        "dose",
        "product",
        "device",
        "injectable",
        "staffing",
        "supervision",
        "oversight",
    ),
    "clinician_employment": (
        "physician",
        "doctor",
        "nurse",
        "np",
        "pa",
        "rn",
        "clinician",
        "clinical",
        "provider",
        "injector",
        "licensed",
        "medical",
        "aesthetician",
        "esthetician",
        "professional",
    ),
    "pricing_control": ("price", "pricing", "fee", "charge", "rate", "discount", "promotion"),
    "ownership_control": (
        "option",
        "pledg",
        "security",
        "proxy",
        "attorney",
        "voting",
        "vote",
        "consent",
        "approv",
        "veto",
        "designat",
        "nominat",
        "appoint",
        "elect",
        "remov",
        "restrict",
        "control",
        "transfer",
        "stock",
        "succession",
        "continuity",
    ),
    "coding_billing_control": ("cod", "cpt", "icd", "level", "billing", "payer", "claim"),
    "records_control": ("record", "chart", "file"),
    "bank_control": (
        "account",
        "receivable",
        "lockbox",
        "funds",
        "signat",
        "signing",
        "lien",
        "security",
        "pledge",
        "deposit",
    ),
    "advertising_control": ("advertis", "market", "promot", "publish", "itself", "content"),
    "fee_referral": ("referr", "finder"),
    "noncompete": ("compet", "practice", "render", "provide", "own", "operate", "employed", "work", "perform"),
}


@dataclass(frozen=True)
class Hit:
    category: str
    start: int
    end: int
    why: str  # the phrase that matched, normalized


class _Builders:
    """The pieces every pattern is made of, with the document's party names compiled in."""

    def __init__(self, parties: Parties):
        self.A = rf"(?P<actor>(?:the\s+)?{parties.mso})"
        self.A2 = rf"(?P<actor2>(?:the\s+)?{parties.mso})"
        self.A3 = rf"(?P<actor3>(?:the\s+)?{parties.mso})"
        self.P = parties.practice
        self.modal = r"[^.;:]{0,70}?"
        self.gap = r"[^.;:]{0,110}?"

    def active(self, verbs: str, objects: str, reach: str | None = None) -> re.Pattern:
        reach = self.gap if reach is None else reach
        return re.compile(
            rf"{self.A}(?P<mid>{self.modal})\b(?P<verb>{verbs})\b(?P<gap>{reach})(?P<obj>{objects})", FLAGS
        )

    def passive(self, objects: str, participles: str) -> re.Pattern:
        return re.compile(
            rf"(?P<obj>{objects})(?P<gap>{self.gap})\b(?P<verb>{participles})\s+"
            rf"(?:solely\s+|exclusively\s+|only\s+)?by\s+{self.A}",
            FLAGS,
        )

    def approval(self, objects: str) -> re.Pattern:
        A, A2, A3, gap = self.A, self.A2, self.A3, self.gap
        return re.compile(
            rf"(?P<obj3>{objects})(?P<gap3>{gap})\bwithout\s+(?:the\s+)?(?:prior\s+)?(?:written\s+)?(?:approval|consent)\s+of\s+{A3}|"
            rf"(?P<obj>{objects})(?P<gap>{gap})\b(?P<verb>subject\s+to|requir\w+|conditioned\s+(?:up)?on|only\s+with|with)\s+"
            rf"(?:the\s+)?(?:prior\s+)?(?:written\s+)?(?:review\s+and\s+)?(?:approval|consent|direction)\s+of\s+{A}"
            rf"|{A2}['’]s?\s+(?:prior\s+)?(?:written\s+)?(?P<verb2>approval|consent|direction)(?P<gap2>{gap})(?P<obj2>{objects})",
            FLAGS,
        )


def _control_patterns(b: _Builders) -> dict[str, list[re.Pattern]]:
    """Who decides clinical matters, clinicians, prices and codes."""
    A, gap, modal = b.A, b.gap, b.modal
    active, passive, approval = b.active, b.passive, b.approval
    control = (
        r"direct|directs|directing|supervis\w*|approv\w*|determin\w*|control\w*|establish\w*|set|sets|setting|decid\w*|oversee\w*"
        r"|dictat\w*|manag\w*|develop\w*|prescrib\w*|select\w*|overrid\w*|adopt\w*|mandat\w*|specify|specifies"
        r"|have\s+(?:final|sole|ultimate|exclusive)\s+(?:authority|say|responsibility)\s+(?:over|for)|have\s+authority\s+over"
    )
    employ = (
        r"hire\w*|hiring|employ|employs|employing|engag\w*|credential\w*|disciplin\w*|terminat\w*|fire|fires|firing"
        r"|dismiss\w*|discharg\w*|select\w*|(?:set|sets|setting|determin\w*|establish\w*|fix\w*)\s+(?:the\s+)?"
        r"(?:compensation|salar\w*|pay|wages|bonus\w*)\s+(?:of|for)|supervis\w*|direct|directs|directing|evaluat\w*|schedul\w*"
    )
    price = (
        r"set|sets|setting|establish\w*|determin\w*|approv\w*|fix|fixes|fixing|control\w*|decid\w*|change\w*|dictat\w*"
    )
    code = r"determin\w*|select\w*|assign\w*|chang\w*|decid\w*|approv\w*|choos\w*|set|sets|dictat\w*|code|codes|override\w*|modif\w*"
    return {
        "clinical_control": [
            active(control, _CLINICAL_OBJECT),
            passive(
                _CLINICAL_OBJECT,
                r"directed|supervised|approved|determined|controlled|established|set|decided|dictated|overseen|prescribed|selected|made",
            ),
            approval(_CLINICAL_OBJECT),
        ],
        "clinician_employment": [
            active(employ, _CLINICIANS, r"[^.;:]{0,40}?"),
            passive(
                _CLINICIANS,
                r"employed|hired|engaged|credentialed|disciplined|terminated|fired|dismissed|selected|supervised|directed|paid",
            ),
            re.compile(
                rf"(?P<obj>{_CLINICIANS})(?P<gap>{gap})\b(?P<verb>(?:be|are|remain|become)\s+(?:the\s+)?employees)\s+of\s+{A}",
                FLAGS,
            ),
            re.compile(
                rf"{A}(?P<mid>{modal})\b(?P<verb>be\s+the\s+employer)\s+of(?P<gap>[^.;:]{{0,40}}?)(?P<obj>{_CLINICIANS})",
                FLAGS,
            ),
            approval(
                rf"(?:hir\w+|terminat\w+|engag\w+|employ\w+|select\w+)\s+(?:of\s+)?(?:any\s+|all\s+|the\s+)?{_CLINICIANS}"
            ),
        ],
        "pricing_control": [
            active(
                price,
                _PRICES
                + r"(?=[^.;:]{0,80}?(?:medical|clinical|professional|patients?|services|treatments?|procedures))",
                r"[^.;:]{0,40}?",
            ),
            passive(_PRICES, r"set|established|determined|approved|fixed|controlled|decided"),
            approval(_PRICES),
        ],
        "coding_billing_control": [
            active(code, _CODES, r"[^.;:]{0,50}?"),
            passive(_CODES, r"determined|selected|assigned|changed|decided|approved|chosen|set|dictated|made"),
            approval(_CODES),
        ],
    }


def _holding_patterns(b: _Builders) -> dict[str, list[re.Pattern]]:
    """Who holds the practice's shares, records and money."""
    A, A2, P, gap, modal = b.A, b.A2, b.P, b.gap, b.modal
    active, approval = b.active, b.approval
    return {
        "ownership_control": [
            re.compile(
                rf"(?P<verb>option|right)\s+to\s+(?:purchase|acquire|buy|designate)[^.;:]{{0,80}}?(?P<obj>{_EQUITY})"
                rf"\s+(?:of|in)\s+(?:the\s+)?(?:{P})",
                FLAGS,
            ),
            re.compile(
                rf"(?P<verb>pledg\w+|security\s+interest)[^.;:]{{0,80}}?(?P<obj>{_EQUITY})[^.;:]{{0,120}}?"
                rf"(?:to|in\s+favor\s+of|for\s+the\s+benefit\s+of)\s+{A}",
                FLAGS,
            ),
            re.compile(
                rf"(?P<verb>irrevocable\s+proxy|proxy|power\s+of\s+attorney|voting\s+agreement|vote)[^.;:]{{0,120}}?{A}"
                rf"|{A2}[^.;:]{{0,20}}?\b(?:an?\s+)?(?:irrevocable\s+)?(?:proxy|power\s+of\s+attorney)\b",
                FLAGS,
            ),
            re.compile(
                rf"{A}(?P<mid>{modal})\b(?P<verb>consent|approv\w*|veto|designat\w*|nominat\w*|appoint\w*|elect\w*|remov\w*"
                rf"|restrict|restricts|control\w*)\b(?P<gap>[^.;:]{{0,80}}?)(?P<obj>{_EQUITY}|transfer\w*|issuance|directors?|officers?"
                r"|board|transferee|successor\s+owner|nominee|dividends)",
                FLAGS,
            ),
            approval(
                rf"(?:transfer\w*|sell|sale|issu\w*|pledg\w*|encumb\w*)\s+(?:of\s+)?(?:any\s+|all\s+|the\s+)?(?:additional\s+|new\s+)?"
                rf"(?:of\s+)?(?:the\s+)?(?:{P}['’]s\s+)?{_EQUITY}"
            ),
        ],
        "records_control": [
            re.compile(
                rf"(?P<obj>{_RECORDS})(?P<gap>{gap})\b(?P<verb>(?:are|be|is|shall\s+be|will\s+be|remain|become)\s+"
                rf"(?:and\s+remain\s+)?(?:the\s+)?(?:sole\s+|exclusive\s+)?(?:and\s+exclusive\s+)?property)\s+of\s+{A}",
                FLAGS,
            ),
            active(
                r"own|owns|hold\s+title\s+to|retain\s+(?:ownership|title)|withhold\w*|retain\w*|keep\w*|control\w*|determin\w*",
                _RECORDS,
                r"[^.;:]{0,40}?",
            ),
            re.compile(
                rf"(?P<verb>title|ownership)\s+(?:to|of|in)\s+(?:all\s+)?(?P<obj>{_RECORDS})[^.;:]{{0,60}}?"
                rf"\b(?:vest\w*|belong\w*|remain\w*|is|are)\b[^.;:]{{0,20}}?{A}",
                FLAGS,
            ),
        ],
        "bank_control": [
            active(
                r"be\s+(?:a|the|an)\s+(?:sole\s+)?(?:authorized\s+)?signator\w*|have\s+(?:sole\s+|exclusive\s+)?"
                r"(?:signature|signing|signatory)\s+authority|sweep\w*|withdraw\w*|transfer\w*|control\w*|hold\w*|have\s+access",
                r"(?:bank|deposit|operating|Practice|practice['’]s)\s+accounts?|Practice\s+Account|funds\s+(?:in|on\s+deposit)"
                r"|accounts?\s+receivable|receivables|lockbox",
                r"[^.;:]{0,70}?",
            ),
            re.compile(
                rf"(?P<verb>signature\s+authority|signing\s+authority|sole\s+signatory|authorized\s+signatory)"
                rf"(?P<gap>[^.;:]{{0,80}}?)(?P<obj>accounts?)(?=[^.;:]{{0,120}}?{A})",
                FLAGS,
            ),
            re.compile(
                rf"(?P<verb>security\s+interest|lien|pledge|assign\w*)(?P<gap>[^.;:]{{0,60}}?)\b(?:in|on|of)\s+"
                rf"(?:all\s+)?(?:of\s+)?(?:the\s+)?(?:{P}['’]s\s+)?(?P<obj>accounts?\s+receivable|receivables|bank\s+accounts?|deposit\s+accounts?"
                rf"|Practice\s+Account)[^.;:]{{0,120}}?{A}",
                FLAGS,
            ),
            re.compile(
                rf"{A}\s+(?:a\s+)?(?:first[\s-]priority\s+|continuing\s+)?(?P<verb>security\s+interest|lien)\s+(?:in|on)"
                rf"(?P<gap>[^.;:]{{0,40}}?)(?P<obj>accounts?\s+receivable|receivables|bank\s+accounts?|deposit\s+accounts?|Practice\s+Account)",
                FLAGS,
            ),
            re.compile(
                rf"(?P<verb>deposit\w*)(?P<gap>[^.;:]{{0,100}}?)\b(?P<obj>(?:account|lockbox)\s+(?:owned|controlled|held|maintained)"
                rf"\s+(?:solely\s+)?by\s+{A}|{A2}['’]s\s+(?:own\s+)?(?:bank\s+|operating\s+)?account)",
                FLAGS,
            ),
        ],
    }


def _conduct_patterns(b: _Builders) -> dict[str, list[re.Pattern]]:
    """Advertising, referral payments and covenants not to compete."""
    A, modal = b.A, b.modal
    return {
        "advertising_control": [
            re.compile(
                rf"{A}(?P<mid>{modal})\b(?P<verb>advertis\w*|market\w*|promot\w*|publish\w*)(?P<gap>[^.;:]{{0,120}}?)"
                rf"(?P<obj>without\s+(?:the\s+)?(?:prior\s+)?(?:written\s+)?(?:(?:physician|medical|Practice|the\s+Practice['’]s|physician['’]s)\s+)?"
                rf"(?:review|approval|consent)|in\s+its\s+(?:sole\s+)?discretion"
                rf"|under\s+its\s+own\s+name|in\s+(?:its|the\s+MSO['’]s|Manager['’]s)\s+own\s+name)",
                FLAGS,
            ),
            re.compile(
                rf"{A}(?P<mid>{modal})\b(?P<verb>hold\w*\s+itself\s+out|represent\w*\s+(?:itself|that\s+it\s+is)|present\w*\s+itself)"
                rf"(?P<gap>[^.;:]{{0,40}}?)(?P<obj>(?:as\s+)?(?:a|the)\s+(?:provider|medical|clinic|practice|source))",
                FLAGS,
            ),
            re.compile(
                rf"{A}(?P<mid>{modal})\b(?P<verb>have\s+(?:sole|exclusive|final)\s+(?:authority|control|discretion|responsibility)|determin\w*|decid\w*|control\w*)"
                rf"(?P<gap>[^.;:]{{0,40}}?)(?P<obj>(?:content|advertising|marketing)[^.;:]{{0,40}}?(?:medical|clinical|treatments?|services))",
                FLAGS,
            ),
        ],
        "fee_referral": [
            re.compile(
                r"(?P<verb>referral\s+fees?|finder['’]s\s+fees?|fees?\s+for\s+(?:each\s+|every\s+|any\s+)?referrals?"
                r"|(?:pa(?:y|id|yment)|compensat\w*|remunerat\w*|bonus\w*)[^.;:]{0,60}?\b(?:for|in\s+exchange\s+for|in\s+return\s+for)\s+"
                r"(?:each\s+|every\s+|any\s+|the\s+)?(?:referrals?|patients?\s+referred|referred\s+patients?))",
                FLAGS,
            ),
        ],
        "noncompete": [
            re.compile(
                r"(?P<verb>shall\s+not|will\s+not|may\s+not|agrees?\s+not\s+to|covenants?\s+not\s+to"
                r"|\bno\s+(?:Physician|Owner|Practice\s+Owner|Shareholder|Provider|Clinician|Medical\s+Director)\s+(?:shall|will|may))(?P<gap>[^.;:]{0,80}?)"
                r"\b(?P<obj>compete|practice\s+(?:[\w-]+\s+)?medicine|engage\s+in\s+the\s+practice|render\s+[^.;:]{0,30}?services"
                r"|provide\s+[^.;:]{0,40}?(?:services|treatments)|own,?\s+(?:manage|operate|invest)|own\s+(?:any|an)\s+interest|operate\s+(?:a|any)"
                r"|be\s+employed|work\s+for|perform\s+[^.;:]{0,30}?services)"
                r"(?=[^.;:]{0,200}?(?:within\s+[^.;:]{0,30}?(?:miles|kilometers|radius)|miles|radius|kilometers|the\s+Territory|restricted\s+area"
                r"|county|city\s+of|for\s+a\s+period\s+of|for\s+(?:\w+\s+){0,2}\(?\d+\)?\s+(?:years?|months)|following\s+(?:the\s+)?"
                r"(?:termination|expiration)|after\s+(?:the\s+)?(?:termination|expiration)))",
                FLAGS,
            ),
            re.compile(
                r"(?P<verb>non-?compet\w*\s+(?:covenant|agreement|clause|obligation|restriction)s?|covenants?\s+not\s+to\s+compete)"
                r"(?P<gap>[^.;:]{0,80}?)(?P<obj>\b(?:bind\w*|appl\w*|survive\w*|enforce\w*|restrict\w*|continue\w*|shall|will|in\s+effect))",
                FLAGS,
            ),
        ],
    }


class Detector:
    """The category patterns of one document (its parties' names compiled in)."""

    def __init__(self, parties: Parties):
        self.parties = parties
        self.actor = re.compile(parties.mso, FLAGS)
        builders = _Builders(parties)
        self.patterns = {**_control_patterns(builders), **_holding_patterns(builders), **_conduct_patterns(builders)}

    def hits(self, sentence: str) -> list[Hit]:
        out: list[Hit] = []
        folded = sentence.lower()
        has_actor = bool(self.actor.search(sentence))
        for category, patterns in self.patterns.items():
            # Cheap tests first: every pattern of the category needs one of its words (and most the actor).
            if category != "noncompete" and not has_actor:
                continue
            if not any(word in folded for word in _KEYWORDS[category]):
                continue
            for pattern in patterns:
                found = next((m for m in pattern.finditer(sentence) if self._counts(category, sentence, m)), None)
                if found:
                    out.append(Hit(category, found.start(), found.end(), " ".join(found.group().split())))
                    break
        return out

    def _counts(self, category: str, sentence: str, m: re.Match) -> bool:
        groups = m.groupdict()
        mid = groups.get("mid") or ""
        if groups.get("actor") is not None and _HYPOTHETICAL.search(
            sentence, max(0, m.start("actor") - 40), m.start("actor")
        ):
            return False
        # The actor is the subject of the verb only if nothing else stands between them.
        if mid and (_OTHER_SUBJECT.search(mid) or re.search(self.parties.practice, mid, FLAGS)):
            return False
        if mid.strip() and not _AUXILIARY.search(mid):
            return False  # "the MSO, the Responsibility Schedule and ..." lists names; it states no act
        start_of_clause = clause_start(sentence, m.start())
        before = sentence[max(start_of_clause, m.start() - 250) : m.start()]
        span = sentence[m.start() : m.end()]
        after = sentence[m.end() : clause_end(sentence, m.end())]
        if category == "noncompete":
            return not self._noncompete_released(sentence, m, before, after)
        if category == "clinical_control" and re.search(
            r"advertis|marketing|promot|billing|coding", groups.get("gap") or "", FLAGS
        ):
            return False  # "the content of advertising for medical treatments" is about advertising
        if groups.get("obj3") is not None:
            # "Practice shall not hire ... without MSO's consent" needs the consent; "Practice may hire
            # ... without MSO's consent" does not.
            head = sentence[max(start_of_clause, m.start() - 90) : m.start("gap3") + len(groups["gap3"])]
            return negated(head)
        if category == "advertising_control" and re.search(r"without", span, FLAGS):
            span = re.sub(r"without\s+[^.;:]{0,40}?(?:review|approval|consent)", " ", span, flags=FLAGS)
        if negated(before) or negated(span) or _negated_after(after):
            return False
        return True

    def _noncompete_released(self, sentence: str, m: re.Match, before: str, after: str) -> bool:
        """A covenant that binds the management company, or that releases the clinicians, is no finding."""
        subject = sentence[max(0, clause_start(sentence, m.start())) : m.start()]
        if re.search(self.parties.mso + r"[^.;:]{0,40}$", subject, FLAGS) and not re.search(
            self.parties.practice, subject, FLAGS
        ):
            return True
        gap = m.groupdict().get("gap") or ""
        text = before + " " + m.group() + " " + after
        if re.search(
            r"\b(?:is|are|be)\s+not\s+(?:restricted|bound|subject)|\bnothing\b|\bno\s+(?:non-?compet|covenant|restriction)"
            r"|\bvoid\b|\bunenforceable\b|\bshall\s+not\s+(?:restrict|prevent|prohibit|limit|be\s+construed)"
            r"|\bnot\s+(?:restrict|prevent|prohibit|limit)|\bfree\s+to\b|\bis\s+removed\b",
            text,
            FLAGS,
        ):
            return True
        return bool(re.search(r"\b(?:solicit|disclose|use\s+(?:any\s+)?(?:confidential|trade))", gap, FLAGS))


def negated(text: str) -> bool:
    return bool(_NEGATION.search(_NOT_A_NEGATION.sub(" ", text)))


def _negated_after(after: str) -> bool:
    """ "... approved by MSO is prohibited", "... shall not be made by Manager"."""
    return bool(
        re.match(
            r"^[^,;]{0,20}?\b(?:is|are|be|shall\s+be)\s+(?:strictly\s+)?(?:prohibited|forbidden|void|not\s+permitted)",
            after,
            FLAGS,
        )
    )


_BREAK = re.compile(
    r";|:\s|\bprovided,?\s+(?:however|that)\b|\bexcept\s+that\b|,\s+but\b|\bbut\b|\bhowever,|\band\s+(?:shall|will|must|may)\b",
    FLAGS,
)


def clause_start(sentence: str, at: int) -> int:
    start = 0
    for brk in _BREAK.finditer(sentence, 0, at):
        if brk.end() <= at:
            start = brk.end()
    return start


def clause_end(sentence: str, at: int) -> int:
    brk = _BREAK.search(sentence, at)
    return brk.start() if brk else len(sentence)
