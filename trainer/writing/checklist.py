"""The instant feedback on a piece of writing: which required elements are there (checked against
the case's own facts), tone warnings in both languages, and the length. Pure Python.

It is a checklist, not a grade of style: it finds the amount, the invoice numbers, the dates and
the account, and flags phrases that are known to hurt (threats, insults, defamation, promises a
salesperson may not make). Whether the letter reads well is for the human reviewer.

Results carry codes and values, never sentences, so the pages word them in the reader's language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from trainer.writing.tasks import Task

Span = tuple[int, int]


@dataclass(frozen=True)
class FoundDate:
    start: int
    end: int
    year: int | None
    month: int
    day: int
    value: date | None  # None: not a real date (30 February, month 13)


@dataclass(frozen=True)
class ItemResult:
    id: str
    kind: str
    found: bool
    spans: tuple[Span, ...] = ()
    note: str = ""  # a code: wrong_amount, some_missing, past_deadline, invalid_date
    values: tuple[str, ...] = ()  # what the note is about


@dataclass(frozen=True)
class Warning:
    category: str  # threat, insult, defamation, promise, invalid_date
    start: int
    end: int
    phrase: str


@dataclass(frozen=True)
class Length:
    language: str  # zh (counted in characters) or en (counted in words)
    count: int
    low: int
    high: int

    @property
    def status(self) -> str:
        return "short" if self.count < self.low else ("long" if self.count > self.high else "ok")


@dataclass(frozen=True)
class Feedback:
    items: tuple[ItemResult, ...]
    warnings: tuple[Warning, ...]
    length: Length
    found: int = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "found", sum(1 for item in self.items if item.found))

    @property
    def total(self) -> int:
        return len(self.items)


# ---- amounts -------------------------------------------------------------------------------------
_NUMBER = re.compile(r"(?<![0-9A-Za-z.,/\-])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?![0-9])")
_AFTER = re.compile(r"\s*(万元|万|元|圆|块|yuan|CNY|RMB)", re.IGNORECASE)
_BEFORE = re.compile(r"(¥|￥|CNY|RMB|人民币)\s*$", re.IGNORECASE)
_CAPITAL = re.compile(r"[零壹贰叁肆伍陆柒捌玖拾佰仟万亿]+[元圆](?:[零壹贰叁肆伍陆柒捌玖]角)?(?:[零壹贰叁肆伍陆柒捌玖]分)?整?")
_CAPITAL_DIGITS = {c: i for i, c in enumerate("零壹贰叁肆伍陆柒捌玖")}
_CAPITAL_UNITS = {"拾": 10, "佰": 100, "仟": 1000}


def capital_amount(text: str) -> Decimal | None:
    """The value of an amount in Chinese capital numerals (壹拾贰万捌仟伍佰元整), or None."""
    match = re.fullmatch(r"([零壹贰叁肆伍陆柒捌玖拾佰仟万亿]+)[元圆](?:([零壹贰叁肆伍陆柒捌玖])角)?(?:([零壹贰叁肆伍陆柒捌玖])分)?整?", text)
    if not match:
        return None
    total, section, digit = 0, 0, 0
    for char in match.group(1):
        if char in _CAPITAL_DIGITS:
            digit = _CAPITAL_DIGITS[char]
        elif char in _CAPITAL_UNITS:
            section += (digit or 1) * _CAPITAL_UNITS[char]
            digit = 0
        else:  # 万 or 亿 closes a section
            scale = 10_000 if char == "万" else 100_000_000
            total = (total + section + digit) * scale if scale > 10_000 else total + (section + digit) * scale
            section, digit = 0, 0
    value = Decimal(total + section + digit)
    for index, unit in ((2, Decimal("0.1")), (3, Decimal("0.01"))):
        if match.group(index):
            value += _CAPITAL_DIGITS[match.group(index)] * unit
    return value


def find_amounts(text: str, skip: list[Span]) -> list[tuple[Decimal, Span, bool]]:
    """Every number that may be an amount: ``(value, span, looks_like_money)``. ``skip`` holds the
    spans of dates and of numbers already known to be something else (invoice numbers, accounts)."""
    found: list[tuple[Decimal, Span, bool]] = []
    for match in _NUMBER.finditer(text):
        span = match.span()
        if any(a < span[1] and span[0] < b for a, b in skip):
            continue
        try:
            value = Decimal(match.group(1).replace(",", "") + (match.group(2) or ""))
        except InvalidOperation:
            continue
        after = _AFTER.match(text, span[1])
        end = span[1]
        if after:
            end = after.end()
            if after.group(1).startswith("万"):
                value *= 10_000
        money = bool(after or _BEFORE.search(text[max(0, span[0] - 6):span[0]]) or "," in match.group(1)
                     or (match.group(2) is not None and len(match.group(2)) == 3))
        found.append((value, (span[0], end), money))
    for match in _CAPITAL.finditer(text):
        capital = capital_amount(match.group())
        if capital is not None:
            found.append((capital, match.span(), True))
    return found


# ---- dates ---------------------------------------------------------------------------------------
_MONTHS = {name: number for number, names in enumerate(
    [("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",), ("june", "jun"),
     ("july", "jul"), ("august", "aug"), ("september", "sept", "sep"), ("october", "oct"),
     ("november", "nov"), ("december", "dec")], start=1) for name in names}
_MONTH = "(" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DATE_PATTERNS = (
    (re.compile(r"(?<!\d)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)"), ("y", "m", "d")),
    (re.compile(r"(?:(\d{4})\s*年\s*)?(?<!\d)(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]"), ("y", "m", "d")),
    (re.compile(r"(?<!\d)(\d{1,2})(?:st|nd|rd|th)?\s+" + _MONTH + r"(?:,?\s+(\d{4}))?\b", re.IGNORECASE), ("d", "m", "y")),
    (re.compile(r"\b" + _MONTH + r"\s+(\d{1,2})(?:st|nd|rd|th)?\b(?:,?\s+(\d{4}))?", re.IGNORECASE), ("m", "d", "y")),
)


def _real_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def find_dates(text: str, today: date) -> list[FoundDate]:
    """Dates in the common Chinese and English notations. A date without a year is taken in
    ``today``'s year, or the next one when that would put it more than a month in the past."""
    found: list[FoundDate] = []
    for pattern, order in _DATE_PATTERNS:
        for match in pattern.finditer(text):
            if any(f.start < match.end() and match.start() < f.end for f in found):
                continue
            parts = dict(zip(order, match.groups(), strict=True))
            month_text = parts["m"] or ""
            month = _MONTHS.get(month_text.lower().rstrip("."), 0) if month_text.isalpha() else int(month_text)
            day, year = int(parts["d"] or 0), int(parts["y"]) if parts["y"] else None
            if year is not None:
                value = _real_date(year, month, day)
            else:
                value = _real_date(today.year, month, day) or _real_date(today.year + 1, month, day)
                if value is not None and value < today - timedelta(days=31):
                    value = _real_date(value.year + 1, month, day) or value
            found.append(FoundDate(match.start(), match.end(), year, month, day, value))
    return sorted(found, key=lambda f: f.start)


def _same_day(found: FoundDate, fact: date) -> bool:
    return found.value is not None and (found.month, found.day) == (fact.month, fact.day) and (
        found.year is None or found.year == fact.year)


# ---- tone ----------------------------------------------------------------------------------------
TONE: dict[str, tuple[str, ...]] = {
    "threat": (
        r"后果自负", r"走着瞧", r"让你们?好看", r"找人上门", r"上门堵", r"曝光", r"公之于众", r"别怪我们不客气",
        r"不客气了", r"吃不了兜着走", r"or else", r"you will regret", r"you'll regret", r"we know where",
        r"make you pay", r"expose you", r"name and shame", r"go public", r"teach you a lesson",
    ),
    "insult": (
        r"骗子", r"无赖", r"老赖", r"不要脸", r"混蛋", r"不讲信用的人", r"丢人", r"\bliars?\b", r"\bcheats?\b",
        r"\bcrooks?\b", r"scammers?", r"deadbeats?", r"\bidiots?\b", r"incompetent", r"shameless", r"disgrace",
    ),
    "defamation": (
        r"诈骗", r"欺诈", r"快倒闭", r"要破产", r"已经破产", r"告诉你们的(客户|供应商|同行)", r"通知你们的(客户|供应商|同行)",
        r"\bfraud", r"swindl", r"going bankrupt", r"about to go under", r"tell your (customers|clients|suppliers)",
        r"inform your (customers|clients|suppliers)",
    ),
    "waiver": (
        r"免除(全部|所有)?违约金", r"违约金(就)?(不要了|不收了|免了|可以免)", r"免收(违约金|利息)", r"不收(取)?违约金",
        r"不计违约金", r"(打|给).{0,4}折", r"waive (the |all |any )?(late fee|late-payment|interest|penalt)",
        r"forget (about )?the (late fee|interest)", r"no late fees?", r"(give|offer) you a discount",
    ),
    "extension": (
        r"延长账期", r"账期(延长|放宽)", r"(可以|能)(再)?(宽限|延期|延后)", r"晚点付也(行|可以|没关系)", r"不着急",
        r"extend (your |the )?(payment )?terms", r"(give|grant) you (more time|an extension)",
        r"pay (whenever|when) (you can|convenient)", r"no rush", r"no hurry",
    ),
}
PROMISE_KINDS = ("waiver", "extension")
_TONE_RE = {category: re.compile("|".join(patterns), re.IGNORECASE) for category, patterns in TONE.items()}
_NEGATION_ZH = re.compile(r"(不|无法|不能|不会|没有|未)\S{0,3}$")
_NEGATION_EN = re.compile(r"\b(not|cannot|can't|unable to|won't|no authority to|never)\b[\w\s]{0,12}$", re.IGNORECASE)


def tone_warnings(text: str, allow: tuple[str, ...] = ()) -> list[Warning]:
    """Phrases that hurt a collection letter. A promise after a negation ("不能免除违约金",
    "we cannot waive the late fee") is the right thing to write and is not flagged."""
    warnings: list[Warning] = []
    for category, pattern in _TONE_RE.items():
        if category in allow:
            continue
        for match in pattern.finditer(text):
            before = text[max(0, match.start() - 24):match.start()]
            if category in PROMISE_KINDS and (_NEGATION_ZH.search(before) or _NEGATION_EN.search(before)):
                continue
            shown = "promise" if category in PROMISE_KINDS else category
            warnings.append(Warning(shown, match.start(), match.end(), match.group()))
    return sorted(warnings, key=lambda w: w.start)


# ---- length --------------------------------------------------------------------------------------
_CJK = re.compile(r"[\u3400-\u9fff]")
_WORD = re.compile(r"[A-Za-z]+(?:['’-][A-Za-z]+)*")


def measure(text: str, task: Task) -> Length:
    """Chinese is counted in characters, English in words; the language is the one most used."""
    chinese = len(_CJK.findall(text))
    words = len(_WORD.findall(text))
    language = "zh" if chinese >= words else "en"
    low, high = task.length[language]
    return Length(language, chinese if language == "zh" else words, low, high)


# ---- the checklist -------------------------------------------------------------------------------
def _phrase_spans(text: str, phrases: tuple[str, ...]) -> list[Span]:
    lower = text.lower()
    spans: list[Span] = []
    for phrase in phrases:
        needle = phrase.lower()
        if not needle:
            continue
        start = lower.find(needle)
        while start >= 0:
            spans.append((start, start + len(needle)))
            start = lower.find(needle, start + len(needle))
    return spans


def _code_spans(text: str, code: str) -> list[Span]:
    """A number or code as a whole token (04418821 is not found inside 104418821)."""
    pattern = re.compile(r"(?<![0-9A-Za-z])" + r"[\s-]?".join(re.escape(c) for c in code.replace(" ", "")) + r"(?![0-9A-Za-z])",
                         re.IGNORECASE)
    return [m.span() for m in pattern.finditer(text)]


@dataclass
class _Scan:
    text: str
    task: Task
    today: date
    dates: list[FoundDate]
    codes: list[Span] = field(default_factory=list)


def _amount(scan: _Scan) -> ItemResult:
    expected = scan.task.amount
    amounts = find_amounts(scan.text, [(d.start, d.end) for d in scan.dates] + scan.codes)
    spans = tuple(span for value, span, _ in amounts if abs(value - expected) < Decimal("0.005"))
    if spans:
        return ItemResult("amount", "amount", True, spans)
    wrong = tuple(f"{value:,.2f}" for value, _, money in amounts if money)
    return ItemResult("amount", "amount", False, (), "wrong_amount" if wrong else "", wrong[:5] + (f"{expected:,.2f}",))


def _invoices(scan: _Scan) -> ItemResult:
    spans: list[Span] = []
    missing: list[str] = []
    for invoice in scan.task.invoices:
        found = _code_spans(scan.text, invoice.number)
        spans.extend(found)
        if not found:
            missing.append(invoice.number)
    ok = not missing
    note = "" if ok or len(missing) == len(scan.task.invoices) else "some_missing"
    return ItemResult("invoices", "invoices", ok, tuple(spans), note, tuple(missing))


def _on_dates(scan: _Scan, kind: str, facts: list[date]) -> ItemResult:
    spans = [(d.start, d.end) for d in scan.dates if any(_same_day(d, fact) for fact in facts)]
    missing = [fact.isoformat() for fact in facts if not any(_same_day(d, fact) for d in scan.dates)]
    note = "" if not missing or len(missing) == len(facts) else "some_missing"
    return ItemResult(kind, kind, not missing, tuple(spans), note, tuple(missing))


def _deadline(scan: _Scan) -> ItemResult:
    facts = [scan.task.case.due_date] + [i.date for i in scan.task.case.invoices]
    future = [(d.start, d.end) for d in scan.dates if d.value is not None and d.value > scan.today]
    if future:
        return ItemResult("reply_deadline", "reply_deadline", True, tuple(future))
    invalid = [scan.text[d.start:d.end] for d in scan.dates if d.value is None]
    if invalid:
        return ItemResult("reply_deadline", "reply_deadline", False, (), "invalid_date", tuple(invalid))
    past = [scan.text[d.start:d.end] for d in scan.dates
            if d.value is not None and not any(_same_day(d, fact) for fact in facts)]
    return ItemResult("reply_deadline", "reply_deadline", False, (), "past_deadline" if past else "", tuple(past))


def _fact(scan: _Scan, kind: str) -> ItemResult:
    case, text = scan.task.case, scan.text
    if kind == "customer":
        spans = _phrase_spans(text, (case.customer["zh"], case.customer["en"], *case.short_names))
        return ItemResult(kind, kind, bool(spans), tuple(spans))
    if kind in ("contract", "account"):
        spans = _code_spans(text, case.contract_number if kind == "contract" else case.account_number)
        return ItemResult(kind, kind, bool(spans), tuple(spans))
    if kind == "amount":
        return _amount(scan)
    if kind == "invoices":
        return _invoices(scan)
    if kind == "invoice_dates":
        return _on_dates(scan, kind, [i.date for i in scan.task.invoices])
    if kind == "due_date":
        return _on_dates(scan, kind, [case.due_date])
    return _deadline(scan)


def check(task: Task, text: str, today: date) -> Feedback:
    """The checklist of ``task`` on ``text``, with dates judged against ``today``."""
    scan = _Scan(text, task, today, find_dates(text, today))
    case = task.case
    for code in [case.contract_number, case.account_number] + [i.number for i in case.invoices]:
        scan.codes.extend(_code_spans(text, code))
    items: list[ItemResult] = []
    for item in task.checklist:
        if item.kind == "words":
            spans = _phrase_spans(text, item.words)
            items.append(ItemResult(item.id, "words", bool(spans), tuple(spans)))
        else:
            items.append(_fact(scan, item.kind))
    warnings = tone_warnings(text, task.tone_allow)
    warnings += [Warning("invalid_date", d.start, d.end, text[d.start:d.end]) for d in scan.dates if d.value is None]
    return Feedback(tuple(items), tuple(sorted(warnings, key=lambda w: w.start)), measure(text, task))


def segments(text: str, marks: list[tuple[Span, str]]) -> list[tuple[str, tuple[str, ...]]]:
    """``text`` cut at every mark's edges: each piece with the marks (ids) that cover it, so a page
    can highlight the part that satisfied each checklist item. Pieces are plain text (escaped by the
    template)."""
    cuts = {0, len(text)}
    for (start, end), _ in marks:
        cuts.update((max(0, min(start, len(text))), max(0, min(end, len(text)))))
    edges = sorted(cuts)
    pieces: list[tuple[str, tuple[str, ...]]] = []
    for start, end in zip(edges, edges[1:], strict=False):
        if start == end:
            continue
        covering = tuple(dict.fromkeys(mark for (a, b), mark in marks if a <= start and end <= b))
        pieces.append((text[start:end], covering))
    return pieces


_BLANK_LINES = re.compile(r"\n\s*\n")


def paragraphs(text: str) -> list[Span]:
    """The ``(start, end)`` of each paragraph (text between blank lines), in order."""
    spans: list[Span] = []
    position = 0
    for match in _BLANK_LINES.finditer(text):
        if text[position:match.start()].strip():
            spans.append((position, match.start()))
        position = match.end()
    if text[position:].strip():
        spans.append((position, len(text)))
    return spans
