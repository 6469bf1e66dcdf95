"""The words of time phrases: spelling variants, numbers in words, zones and holidays.

`normalize` turns what people text ("tmrw @ 7p", "a quarter past three-ish", "2moro morn")
into one spelling the parser reads ("tomorrow at 7pm", "quarter past 3", "tomorrow morning").
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from dateutil.relativedelta import MO, SU, TH, relativedelta

WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august",
          "september", "october", "november", "december"]  # fmt: skip
WEEKDAY_RE = "|".join(WEEKDAYS)
MONTH_RE = "|".join(MONTHS)

# Month names and the abbreviations below, for splitting "dec16" and "14apr".
_MONTH_WORDS = MONTH_RE + "|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"

# Spelling variants, typos and abbreviations people text, one token each.
_TOKENS = {
    **dict.fromkeys(
        ["tmrw", "tmr", "tmrow", "tmro", "tmrrw", "tomoro", "tomorow", "tommorow", "tommorrow",
         "tomorrrow", "2moro", "2morrow", "2mrw", "tmw", "tomm", "tomrw", "tomorro"],
        "tomorrow",
    ),
    **dict.fromkeys(["tonite", "2nite", "tonigh", "tonght"], "tonight"),
    **dict.fromkeys(["2day", "tday"], "today"),
    **dict.fromkeys(["nxt", "nex"], "next"),
    "mon": "monday",
    **dict.fromkeys(["tue", "tues"], "tuesday"),
    **dict.fromkeys(["wed", "weds", "wednes", "wednsday", "wensday", "wednesdy"], "wednesday"),
    **dict.fromkeys(["thu", "thur", "thurs", "thrs", "thursdy", "thrusday"], "thursday"),
    **dict.fromkeys(["fri", "fryday", "firday", "frday"], "friday"),
    **dict.fromkeys(["sat", "saterday", "satuday"], "saturday"),
    **dict.fromkeys(["sun", "sundy"], "sunday"),
    "jan": "january", "feb": "february", "febuary": "february", "mar": "march", "apr": "april",
    "jun": "june", "jul": "july", "aug": "august", "sep": "september", "sept": "september",
    "oct": "october", "nov": "november", "dec": "december",
    **dict.fromkeys(["morn", "mornin", "morng", "mrng", "am's"], "morning"),
    **dict.fromkeys(["arvo", "aft", "afternon", "aftenoon"], "afternoon"),
    **dict.fromkeys(["evenin", "evning", "evng"], "evening"),
    **dict.fromkeys(["mins", "min", "mns", "minuts", "minites", "mintues", "minuets"], "minutes"),
    **dict.fromkeys(["hrs", "hr", "hours", "hors", "hous"], "hours"),
    **dict.fromkeys(["secs", "sec"], "seconds"),
    **dict.fromkeys(["wks", "wk"], "weeks"),
    **dict.fromkeys(["oclock", "o'clock", "oclck"], "oclock"),
    **dict.fromkeys(["every1", "evry", "evey", "evrey"], "every"),
    **dict.fromkeys(["weekdys", "wkdays"], "weekdays"),
    "noonish": "noon", "xmas": "christmas", "nite": "night", "til": "until", "till": "until",
    "untill": "until", "thru": "through", "b4": "before",
}  # fmt: skip

# Words that soften a time without changing it ("at like 5", "around 3ish").
FILLERS = {
    "like", "around", "about", "approx", "approximately", "roughly", "ish", "umm", "um", "uh",
    "please", "pls", "plz", "just", "exactly", "sharp", "precisely", "maybe", "ok", "okay",
    "lol", "ya", "sometime", "again", "also", "later",
}  # fmt: skip
# `later` and `sometime` are only fillers beside a real time ("later today at 5"); alone they
# leave nothing understood, so the phrase becomes a question.

_UNITS_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19,
}  # fmt: skip
_TENS_WORDS = {"twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50}
_ORDINAL_WORDS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13,
    "fourteenth": 14, "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18,
    "nineteenth": 19, "twentieth": 20, "thirtieth": 30,
}  # fmt: skip


def ordinal(n: int) -> str:
    suffix = "th" if 11 <= n % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _numbers_in_words(text: str) -> str:
    """ "twenty five" -> "25", "seven thirty" -> "7 30", "twenty first" -> "21st"."""
    tens = "|".join(_TENS_WORDS)
    units = "|".join(_UNITS_WORDS)
    ords = "|".join(_ORDINAL_WORDS)

    def compound_ordinal(m: re.Match) -> str:
        return ordinal(_TENS_WORDS[m["t"]] + _ORDINAL_WORDS[m["o"]])

    text = re.sub(rf"\b(?P<t>{tens})\s+(?P<o>{ords})\b", compound_ordinal, text)
    text = re.sub(
        rf"\b(?P<t>{tens})\s+(?P<u>one|two|three|four|five|six|seven|eight|nine)\b",
        lambda m: str(_TENS_WORDS[m["t"]] + _UNITS_WORDS[m["u"]]),
        text,
    )
    text = re.sub(rf"\b(?:{tens})\b", lambda m: str(_TENS_WORDS[m[0]]), text)
    text = re.sub(rf"\b(?:{units})\b", lambda m: str(_UNITS_WORDS[m[0]]), text)
    # Ordinal words only where they name a day: "march third", "the first", "first of".
    text = re.sub(
        rf"\b(?P<pre>the|on|{MONTH_RE})\s+(?P<o>{ords})\b",
        lambda m: f"{m['pre']} {ordinal(_ORDINAL_WORDS[m['o']])}",
        text,
    )
    text = re.sub(
        rf"\b(?P<o>{ords})\s+(?P<post>of|{WEEKDAY_RE})\b",
        lambda m: f"{ordinal(_ORDINAL_WORDS[m['o']])} {m['post']}",
        text,
    )
    return text


def _digits(text: str) -> str:
    """Spacing around digits: "7 p.m." -> "7pm", "3ish" -> "3", "20min" -> "20 min"."""
    text = re.sub(r"\b(\d{1,4})\s*([ap])\s*\.?\s*m\b\.?", r"\1\2m", text)  # 7 p.m. -> 7pm
    text = re.sub(rf"\b(\d{{1,2}})\s*-?\s*ish\b{_NOT_AN_HOUR}", r"at \1", text)  # 5ish: at 5
    text = re.sub(r"\b(\d{1,4})\s*-?\s*ish\b", r"\1", text)  # 20ish minutes
    text = re.sub(r"\b(morning|afternoon|evening|noon|lunch|tonight|night)-?ish\b", r"\1", text)
    text = re.sub(rf"\b(\d{{1,2}})(?=(?:{_MONTH_WORDS})\b)", r"\1 ", text)  # 14april
    text = re.sub(rf"\b({_MONTH_WORDS})(?=\d{{1,2}}(?:st|nd|rd|th)?\b)", r"\1 ", text)  # dec16
    text = re.sub(r"\b(\d{4}-\d{1,2}-\d{1,2})t(?=\d{1,2}:\d{2})", r"\1 ", text)  # ISO 8601
    text = re.sub(r"\b(\d{1,2})h(\d{2})(?:m|min|mins)?\b", r"\1 hours \2 minutes", text)  # 1h30
    return re.sub(r"\b(\d+(?:\.\d+)?)(h|hr|hrs|m|min|mins|d|w|s|sec|secs|wk|wks)\b", r"\1 \2", text)


_HOUR_WORDS = "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"
# What can follow a number that is not an hour: units, minutes, ranges, dates.
_NOT_AN_HOUR = (
    r"(?!\s*(?:[:./-]?\d|s\b|m\b|h\b|d\b|w\b|sec|min|hour|hr|day|week|wk|month|mo\b|year|yr|"
    r"fortnight|quarter|half|to\b|or\b|and\b|th\b|st\b|nd\b|rd\b|of\b))"
)
_APPROXIMATE = re.compile(
    rf"\b(?:around|about|abt|bout|like|roughly|approx|approximately)\s+(\d{{1,2}}|{_HOUR_WORDS})\b"
    rf"{_NOT_AN_HOUR}"
)
_UNIT_WORD = re.compile(
    r"\d*(?:seconds?|s|minutes?|m|hours?|h|days?|d|weeks?|w|fortnights?|months?|years?)"
)


def normalize(text: str) -> str:
    text = text.lower().strip()
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("@", " at ")
    text = re.sub(r"[!?;\"()\[\]~*]+", " ", text)
    text = re.sub(r"(?<=[a-z]),|,(?=\s)|,$", " ", text)  # commas between words, not 1,000
    text = re.sub(r"(?<=[a-z])-(?=[a-z])", " ", text)  # forty-five, three-quarters
    text = re.sub(r"\.(?=\s|$)", " ", text)  # full stops, "mon." (not 7.30)
    text = re.sub(r"\bo\s+clock\b", "oclock", _digits(text))
    text = _APPROXIMATE.sub(r"at \1", text)  # "around 5": at 5
    words: list[str] = []
    for word in text.split():
        if word == "sun" and words and words[-1] in ("the", "in"):
            words.append(word)  # "in the sun" is not a Sunday
            continue
        word = _TOKENS.get(word.strip("'"), word.strip("'"))
        if word == "later" and words and _UNIT_WORD.fullmatch(words[-1]):
            words.append(word)  # "2 hours later" is an amount of time, not a filler
        elif word not in FILLERS:
            words.append(word)
    text = re.sub(r"\b(\w+)'s\b", r"\1s", " ".join(words))  # valentine's -> valentines
    text = _digits(_numbers_in_words(text))
    text = re.sub(rf"\b({_UNIT_WORD.pattern})\s+time\b", r"\1", text)  # "in a week's time"
    return re.sub(r"\s+", " ", text).strip()


# A zone named in the text: the instant is read there, then shown in the person's zone.
# Standard-time abbreviations name the region's zone (people say PST in July).
ZONES = {
    "utc": "UTC", "gmt": "UTC", "z": "UTC",
    "est": "America/New_York", "edt": "America/New_York", "et": "America/New_York",
    "eastern": "America/New_York",
    "cst": "America/Chicago", "cdt": "America/Chicago", "ct": "America/Chicago",
    "central": "America/Chicago",
    "mst": "America/Denver", "mdt": "America/Denver", "mt": "America/Denver",
    "mountain": "America/Denver",
    "pst": "America/Los_Angeles", "pdt": "America/Los_Angeles", "pt": "America/Los_Angeles",
    "pacific": "America/Los_Angeles",
    "akst": "America/Anchorage", "hst": "Pacific/Honolulu",
    "bst": "Europe/London", "uk": "Europe/London", "london": "Europe/London",
    "cet": "Europe/Paris", "cest": "Europe/Paris", "eet": "Europe/Athens",
    "eest": "Europe/Athens", "ist": "Asia/Kolkata", "jst": "Asia/Tokyo",
    "aest": "Australia/Sydney", "aedt": "Australia/Sydney",
}  # fmt: skip
ZONE_RE = "|".join(sorted(ZONES, key=len, reverse=True))

# Zones whose people write numeric dates month first (12/5 is December 5).
MONTH_FIRST_ZONES = {
    "America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles",
    "America/Phoenix", "America/Anchorage", "America/Detroit", "America/Boise",
    "Pacific/Honolulu", "America/Adak", "America/Juneau", "America/Sitka", "America/Nome",
    "America/Yakutat", "America/Metlakatla", "America/Menominee", "America/Puerto_Rico",
    "Pacific/Guam", "Asia/Manila", "US/Eastern", "US/Central", "US/Mountain", "US/Pacific",
    "US/Alaska", "US/Hawaii", "US/Arizona", "US/Michigan",
}  # fmt: skip
_MONTH_FIRST_PREFIXES = ("America/Indiana/", "America/Kentucky/", "America/North_Dakota/")
# Canada writes numeric dates both ways: there an ambiguous one (5/6) is a question.
_BOTH_WAYS_PREFIXES = ("Canada/",)
_BOTH_WAYS_ZONES = {
    "America/Toronto", "America/Vancouver", "America/Montreal", "America/Edmonton",
    "America/Winnipeg", "America/Halifax", "America/Regina", "America/St_Johns",
    "America/Moncton", "America/Whitehorse", "America/Yellowknife", "America/Iqaluit",
}  # fmt: skip


def month_first(zone: str) -> bool | None:
    """True where 12/5 is December 5, False where it is 12 May, None where both are written."""
    if zone in _BOTH_WAYS_ZONES or zone.startswith(_BOTH_WAYS_PREFIXES):
        return None
    return zone in MONTH_FIRST_ZONES or zone.startswith(_MONTH_FIRST_PREFIXES)


def _nth_weekday(year: int, month: int, weekday, n: int) -> date:
    return date(year, month, 1) + relativedelta(weekday=weekday(n))


# The holidays people set reminders for: name -> the date in a given year.
HOLIDAYS = {
    "christmas eve": lambda y: date(y, 12, 24),
    "christmas day": lambda y: date(y, 12, 25),
    "christmas": lambda y: date(y, 12, 25),
    "boxing day": lambda y: date(y, 12, 26),
    "new years eve": lambda y: date(y, 12, 31),
    "new yrs eve": lambda y: date(y, 12, 31),
    "new years day": lambda y: date(y, 1, 1),
    "new years": lambda y: date(y, 1, 1),
    "valentines day": lambda y: date(y, 2, 14),
    "valentine day": lambda y: date(y, 2, 14),
    "valentines": lambda y: date(y, 2, 14),
    "halloween": lambda y: date(y, 10, 31),
    "independence day": lambda y: date(y, 7, 4),
    "st patricks day": lambda y: date(y, 3, 17),
    "thanksgiving day": lambda y: _nth_weekday(y, 11, TH, 4),
    "thanksgiving": lambda y: _nth_weekday(y, 11, TH, 4),
    "black friday": lambda y: _nth_weekday(y, 11, TH, 4) + timedelta(days=1),
    "mothers day": lambda y: _nth_weekday(y, 5, SU, 2),
    "fathers day": lambda y: _nth_weekday(y, 6, SU, 3),
    "memorial day": lambda y: date(y, 5, 31) + relativedelta(weekday=MO(-1)),
    "labor day": lambda y: _nth_weekday(y, 9, MO, 1),
    "mlk day": lambda y: _nth_weekday(y, 1, MO, 3),
    "good friday": lambda y: _easter(y) - timedelta(days=2),
    "easter": lambda y: _easter(y),
    "easter sunday": lambda y: _easter(y),
}
HOLIDAY_RE = "|".join(sorted(HOLIDAYS, key=len, reverse=True))


def _easter(year: int) -> date:
    from dateutil.easter import easter

    return easter(year)
