"""Reading a text into requests: what each one asks for (an intent) and its details (slots).

A few forms decide by themselves ("remind me ...", "todo: ...", "snooze 10", "my name is ...");
everything else is matched by meaning (`intents.py`) and its slots are read by rules. A request
that matches nothing well enough becomes a short question, never a guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from nudge.reminders.phrases import quick_reply, split_reminder
from nudge.reminders.timeparse import is_time_phrase
from nudge.timezones import resolve_timezone
from nudge.understanding.intents import IntentClassifier, Match
from nudge.understanding.life_admin import read_life_admin, read_recipe
from nudge.understanding.normalize import clean as _clean
from nudge.understanding.normalize import core, fix_spelling, stretch_out
from nudge.understanding.split import TASK_VERBS, list_items, split_requests

# Intents that change something: a wrong one is worse than a question.
ACTIONS = {
    "add_task", "complete_task", "drop_task", "cancel_reminder", "move_reminder",
    "set_reminder", "snooze", "remember", "forget", "set_name", "set_timezone", "set_energy",
    "add_goal", "add_groceries", "got_groceries", "log_expense", "set_budget", "save_place",
    "save_recipe", "plan_meal", "weekly_review_opt",
}  # fmt: skip
# Intents of intents.json that become one of those actions.
_CLASSIFIED_ACTIONS = {"snooze", "energy_bad_day", "energy_low", "energy_better"}


@dataclass
class Reading:
    intent: str  # an intent of intents.json, a rule's, "ask" or "unknown"
    slots: dict = field(default_factory=dict)
    text: str = ""
    score: float = 1.0


# -- slots ------------------------------------------------------------------------------------

_TASK_LEAD = re.compile(
    r"^(?:(?:i|we)\s+)?(?:(?:really|still|also|probably|seriously|just|def(?:initely)?|kinda)\s+)*"
    r"(?:need to|needa|have to|gotta|got to|must|should|ought to|want to|wanna|gonna|"
    r"going to|am supposed to|'m supposed to|i'm supposed to|keep forgetting to|need|"
    r"keep meaning to|been meaning to|meant to|mean to|plan to|hope to|"
    r"(?:totally |completely )?forgot to|still haven'?t)\s+"
    r"(?:(?:really|probably|just|actually|definitely|finally|also)\s+)*",
    re.I,
)
_TASK_PREFIX = re.compile(
    r"^(?:(?:don'?t|do not|dont) (?:let me )?forget\s*[:\-]?\s*"
    r"(?:to |that i (?:need|have) to |i need to )?|"
    r"make sure (?:i |to )?|remember to |"
    r"(?:can you |please )?(?:add|put|stick|jot down|write down|note down)(?: a task)?(?: to)?"
    r"(?: that i (?:need|have) to)?\s*[:\-]?\s*|"
    r"(?:todo|to do|to-do|task|new task|note to self)\s*[:\-]?\s*)",
    re.I,
)
_TASK_SUFFIX = re.compile(
    r"\s+(?:to|on|onto|in) (?:my|the) (?:to ?do |to-do )?(?:list|todos?|tasks)$|"
    r"\s+on (?:there|it)$|"
    r"\s+(?:pls|please|thanks|thx)$",
    re.I,
)


def task_title(text: str) -> str:
    """ "ugh I really need to buy milk" -> "buy milk"; "add taxes to my list" -> "taxes"."""
    title = _clean(text)
    for _ in range(3):
        before = title
        title = _TASK_PREFIX.sub("", title)
        title = _TASK_LEAD.sub("", title)
        title = _TASK_SUFFIX.sub("", title)
        title = _clean(title)
        if title == before:
            break
    return title.strip("'\"") or _clean(text)


_NUMBER_WORDS = {
    "first": 1, "1st": 1, "one": 1, "second": 2, "2nd": 2, "two": 2, "third": 3, "3rd": 3,
    "three": 3, "fourth": 4, "4th": 4, "four": 4, "fifth": 5, "5th": 5, "five": 5,
}  # fmt: skip
_NUMBER_REF = re.compile(
    r"(?:(?:\b(?:number|no\.?|num|task|item)|#)\s*#?\s*(?P<n>\d{1,2})\b|"
    r"\bthe (?P<word>first|second|third|fourth|fifth|1st|2nd|3rd|4th|5th|last)"
    r" (?:one|task|thing)\b|"
    r"^(?:\w+\s+){0,3}(?P<bare>\d{1,2})$)",
    re.I,
)


def list_number(text: str) -> int | None:
    """ "delete number 1" -> 1; "drop the second one" -> 2; "the last one" -> -1."""
    m = _NUMBER_REF.search(_clean(text))
    if m is None:
        return None
    if m["n"] or m["bare"]:
        return int(m["n"] or m["bare"])
    word = m["word"].lower()
    return -1 if word == "last" else _NUMBER_WORDS[word]


_DROP_WORDS = re.compile(
    r"^(?:(?:please\s+)?(?:take|remove|delete|drop|scratch|erase|nix|cross|strike|cut|"
    r"get rid of|never ?mind|forget(?: about)?|i'?m not (?:doing|going to do)|"
    r"i don'?t (?:need|have|want) to (?:do )?)\s+)",
    re.I,
)
_REF_NOISE = re.compile(
    r"\b(?:off|out|from|of|my|the|list|task|tasks|thing|one|item|it|that|anymore|any more|"
    r"remove it|not doing it|please|pls|i'?m|reminders?|remind(?:ing)?|me|about|for|to|"
    r"alarm|stop|cancel|delete|kill|turn|scrap|unset|no|more|don'?t|need|instead|"
    r"can|you|change|move|push|bump|shift|reschedule|make|time|be|at|on|up)\b",
    re.I,
)


def reference(text: str) -> str:
    """The words that name the task or reminder meant: "take milk off my list" -> "milk"."""
    words = _REF_NOISE.sub(" ", _DROP_WORDS.sub("", _clean(text)))
    return _clean(re.sub(r"[,;]", " ", words))


_DONE_LEAD = re.compile(
    r"^(?:(?:i|we)\s+)?(?:(?:just|finally|actually|already|totally)\s+)*"
    r"(?:done with|done|finished with|finished|completed|mark|tick off|check off|cross off|"
    r"did)?\s*",
    re.I,
)
_DONE_TAIL = re.compile(r"\s+(?:as done|done|yay|finally|already|off|is done|are done)$", re.I)


def done_title(text: str) -> str:
    """ "just called mum!!" -> "called mum"; "mark taxes as done" -> "taxes"."""
    title = _DONE_TAIL.sub("", _clean(text))
    title = _clean(_DONE_LEAD.sub("", title))
    if title.lower() in ("it", "that", "this", "that one", "it all", "all", "everything", ""):
        return ""
    return title


_MINUTES = re.compile(r"(?P<n>\d{1,3})\s*(?P<unit>h|hr|hrs|hours?|m|min|mins|minutes?)?\b", re.I)


def snooze_minutes(text: str) -> int:
    if re.search(r"half an? hour|30 ?min", text, re.I):
        return 30
    if re.search(r"\ban? hour\b", text, re.I):
        return 60
    if m := _MINUTES.search(text):
        minutes = int(m["n"])
        if (m["unit"] or "").lower().startswith("h"):
            minutes *= 60
        return max(1, min(minutes, 24 * 60))
    return 10


def time_suffix(text: str) -> tuple[str, str] | None:
    """("bank reminder", "to 5pm") from "move the bank reminder to 5pm": the longest run of
    words at the end that reads as a time (a bare "7" is read as "at 7")."""
    words = _clean(re.sub(r"\s+instead$", "", _clean(text), flags=re.I)).split()
    for start in range(1, len(words)):
        when = " ".join(words[start:])
        if re.fullmatch(r"\d{1,2}(?::\d{2})?", when):
            when = f"at {when}"
        probe = re.sub(r"^(?:to|for|until)\s+", "", when, flags=re.I)
        if is_time_phrase(probe):
            return " ".join(words[:start]), probe
    return None


_REMEMBER = re.compile(
    r"^(?:please\s+)?(?:remember|fyi|note that|keep in mind|for the record|save this|"
    r"don'?t forget that)\b(?:\s+that)?[\s:,-]*(?P<content>.+)$",
    re.I,
)
_REMEMBER_TAIL = re.compile(r"[\s,.-]+(?:remember that|remember it|note that|fyi)$", re.I)


def memory_content(text: str) -> str:
    cleaned = _REMEMBER_TAIL.sub("", _clean(text))
    if m := _REMEMBER.match(cleaned):
        return _clean(m["content"])
    return cleaned


_BREAK_NOISE = re.compile(
    r"\b(?:break|down|up|split|chunk|into|tiny|tinier|smaller|small|steps?|pieces|please|pls|"
    r"help me|can you|how do i|where do i|even|begin|start(?:ing)?|with|feels?|is|too|big|"
    r"huge|much|make|it|that|this|the|first|step|for|what'?s|of|i can'?t|i|do|on|so|"
    r"overwhelming)\b",
    re.I,
)


def breakdown_slots(text: str) -> dict:
    args: dict = {
        "granularity": "smaller"
        if re.search(r"smaller|tinier|too big|too much|huge", text, re.I)
        else "normal"
    }
    title = _clean(re.sub(r"[,;]", " ", _BREAK_NOISE.sub(" ", text)))
    title = re.sub(r"^(?:a|an|my|your)\s+", "", title, flags=re.I)
    if title and title.lower() not in ("it", "that", "this", "them"):
        args["title"] = title
    return args


def energy_level(intent: str, text: str) -> str:
    if intent == "energy_bad_day":
        return "bad_day"
    if intent == "energy_low" or re.search(r"\b(?:no|zero|low|little)\s+energy\b", text, re.I):
        return "low"
    if re.search(r"great|amazing|awesome|energi[sz]ed|full of energy|fantastic", text, re.I):
        return "high"
    return "medium"


_PAST = re.compile(
    r"\b(?:used to|did (?:i|we) (?:ever )?use to|previous(?:ly)?|former(?:ly)?|any ?more)\b",
    re.I,
)


def recall_slots(question: str) -> dict:
    args: dict = {"query": _clean(question)}
    if _PAST.search(question):
        args["include_past"] = True
    return args


# -- decisive forms --------------------------------------------------------------------------

_NAME = re.compile(
    r"^(?:my name(?:'s| is)|name'?s|call me|i'?m|i am|it'?s|this is)\s+"
    r"(?P<name>[A-Za-z][A-Za-z'-]{0,30}(?:\s+[A-Za-z][A-Za-z'-]{0,30})?)$",
    re.I,
)
# Words after "I'm" that say how someone is or where, not who.
_NOT_NAME_WORDS = (
    "why what who how when where which yes yeah yep no nope nah sure maybe idk lol hmm huh "
    "help stop later nothing nobody none thanks thank hi hey hello "
    "a an the so very really just not feeling tired sad ok okay fine good great back home "
    "here there done busy late stuck sick ill bored lost confused exhausted sorry "
    "overwhelmed stressed anxious going trying still almost about ready free up out off in "
    "on at with sure glad happy excited worried scared angry upset nervous hungry awake "
    "asleep doing working leaving struggling drowning behind failing useless hopeless better "
    "worse alright cool new well curious wondering thinking gonna having getting "
)
_NOT_NAMES = set(_NOT_NAME_WORDS.split())
_NAME_THEN = re.compile(
    r"^(?:(?:hi|hey|hello|hiya|yo)[\s,!.]+)?(?:nudge[\s,!.]+)?"
    r"(?:i'?m|i am|my name is|my name's|this is|it'?s)\s+"
    r"(?P<name>[A-Za-z][A-Za-z'-]{1,30})\s*(?:[,.!;-]+|\s+and\b)\s*(?P<rest>.+)$",
    re.I,
)
_PLACE = re.compile(
    r"^(?:my )?(?:time ?zone(?: is)?|tz(?: is)?|i live in|i'?m living in|i moved to|"
    r"we moved to|(?:i |we )?(?:just |recently )?moved to|i'?m based in|based in|i'?m in|"
    r"i am in|i'?m now in|"
    r"set (?:my )?time ?zone to|change (?:my )?time ?zone to|i'?m at)\s+(?P<place>.+)$",
    re.I,
)
_EXPLICIT_PLACE = re.compile(
    r"^(?:my )?(?:time ?zone|tz|i live|i moved|we moved|just moved|set|change)", re.I
)
_ABOUT = re.compile(
    r"^(?:what do you know about|what do you remember about|do you remember|recall|"
    r"what did i (?:tell|say to) you about|tell me what you know about)\s+(?P<q>.+)$",
    re.I,
)
_FORGET = re.compile(r"^(?:please\s+)?forget\s+(?:that\s+|about\s+)?(?P<what>.+)$", re.I)
_GOAL = re.compile(r"^(?:goal|new goal|my goal is|add (?:a )?goal)\s*[:\-]?\s+(?P<title>.+)$", re.I)
_BRAIN_DUMP = re.compile(
    r"^(?:brain ?dump|braindump|mind ?dump|(?:things|stuff) (?:i )?(?:need |have )?to do"
    r"(?: today| this week)?|(?:i )?(?:need|have|gotta) to(?: do)?|to ?do list|today)\s*[:\-]\s*"
    r"(?P<items>.+)$",
    re.I | re.S,
)
_DONE_WORD = re.compile(r"^(?:done|finished|completed|did)\b\s*[:\-]?\s*(?P<title>.*)$", re.I)
_QUESTION = re.compile(r"^(?:when|what|where|who|which|how|is|does|did|do|was|were|am|are)\b", re.I)
# "i need a reminder at 4 to pick up the kids", "set an alarm for 7am to wake up"
_NEED_REMINDER = re.compile(
    r"^(?:(?:i|we)\s+)?(?:need|want|set|get|make|create|add|put in)\s+(?:me\s+)?(?:a|an)\s+"
    r"(?:reminder|alarm)\s+(?P<rest>.+)$",
    re.I,
)
# "i couldn't do the taxes", "didn't get to it": not done, and not to be dropped either.
_NOT_DONE = re.compile(
    r"^(?:(?:i|we)\s+)?(?:just\s+|still\s+|really\s+)?(?:couldn'?t|could not|didn'?t|did not|"
    r"wasn'?t able to|haven'?t|have not|failed to|never got to)\b",
    re.I,
)
# "starting on the dishes", "ok i'm going to start the essay now": cheer, change nothing.
_STARTING = re.compile(
    r"^(?:(?:i'?m|i am|we'?re)\s+)?(?:(?:going to|gonna|about to|now)\s+)?"
    r"(?:start(?:ing)?|begin(?:ning)?|working on|doing|tackling|getting (?:on|started))\b"
    r"(?!.*\b(?:steps|break|smaller|help)\b)"
    r"(?!\s+(?:much |so much |a lot |way )?"
    r"(?:better|well|good|ok|okay|great|fine|alright|bad|badly))",
    re.I,
)
_AVOIDING = re.compile(
    r"^(?:(?:i'?ve been|i'?m|i am|i keep|i)\s+)?(?:(?:still|kind of|kinda|totally)\s+)?"
    r"(?:avoiding|putting off|dreading|procrastinating on)\s+(?P<what>.+)$",
    re.I,
)
_CLEAR_ALL = re.compile(
    r"^(?:clear|empty|wipe|delete|remove|drop|erase)\s+(?:out\s+)?(?:all|everything|"
    r"(?:my|the) (?:whole |entire )?(?:list|tasks|todos?)|"
    r"all (?:of )?(?:my|the) (?:tasks|todos?|stuff))",
    re.I,
)
# Words that must be there before a text is read as done or dropped by meaning alone.
_DONE_CUE = re.compile(
    r"\b(?:done|did|finished|finally|complete|completed|ticked|off|sorted|handled|\w+ed)\b", re.I
)
_DROP_CUE = re.compile(
    r"\b(?:remove|delete|drop|off|scratch|never ?mind|forget|cancel|don'?t need|not doing|"
    r"anymore|any more|get rid|cross|nix|erase|skip|no longer)\b",
    re.I,
)
_GREETING_ONLY = re.compile(
    r"^(?:hi+|hey+|hello|hiya|yo|howdy|morning|evening|good (?:morning|afternoon|evening)|"
    r"what'?s up|sup)(?:\s+(?:there|nudge|again|friend|you))*[\s!.]*$",
    re.I,
)
YES = re.compile(r"^(?:yes|yep|yeah|yup|ya|sure|ok|okay|please|yes please|do it|go ahead|y)$", re.I)
_PAST_TENSE = re.compile(r"^(?:(?:i|we)\s+)?(?:just\s+|finally\s+|already\s+)?\w+ed\b", re.I)
_MORE = re.compile(r"\b(?:and|also|then|,)\s*(?:what|where)\b.*\b(?:do|start)\b", re.I)


_IRREGULAR_PAST_WORDS = (
    "did paid sent bought took went made got wrote rang gave ate drank ran read put told "
    "found left brought caught fed swept hung spoke met sold kept "
)
_IRREGULAR_PAST = set(_IRREGULAR_PAST_WORDS.split())
_CANCEL_VERBS = re.compile(
    r"\b(?:cancel|stop|delete|remove|turn off|kill|scrap|unset|get rid of|drop|don'?t need|"
    r"no more|clear)\b",
    re.I,
)
_MOVE_VERBS = re.compile(
    r"\b(?:move|push|change|reschedule|bump|shift|postpone|delay|make|set)\b", re.I
)
_REMINDER_WORD = re.compile(r"\b(?:reminders?|reminding|alarms?)\b", re.I)
_DROP_START = re.compile(
    r"^(?:(?:please\s+)?(?:take\s.+\s(?:off|out)\b|remove|delete|drop|scratch|erase|nix|"
    r"cross\s.+\soff|strike|get rid of|never ?mind|forget about the|i'?m not (?:doing|going to do))"
    r"\b)",
    re.I,
)
_MARK_DONE = re.compile(
    r"^(?:mark|tick off|check off|cross off|tick)\b.*|"
    r".*\b(?:as done|as complete|is done|are done)$",
    re.I,
)
_TOOK_MEDS = re.compile(
    r"^(?:(?:i |just |already )*(?:took|taken|had) (?:it|them|my (?:meds|pills|medication|"
    r"medicine|vitamins|tablets|dose)))$",
    re.I,
)
_BREAK_START = re.compile(r"^(?:break|split|chunk)\b.*\b(?:down|up|into|steps|pieces)\b", re.I)
_TOO_BIG = re.compile(
    r"^(?P<what>.+?)\s+(?:feels?|seems?|is|looks?|'s)\s+(?:so |too |really )?"
    r"(?:huge|big|massive|impossible|overwhelming|too much)$",
    re.I,
)
_DAY_QUESTION = re.compile(
    r"^(?:how'?s|how is|what'?s|what does) (?:my|the) (?:day|today|schedule)"
    r"(?: look(?:ing)?(?: like)?)?[?!. ]*$",
    re.I,
)
_LIST_QUESTION = re.compile(
    r"^(?:what|what'?s|whats|show|list|read|send|give|tell|can i see|do i have|have i got|any)\b"
    r".*\b(?:list|to ?dos?|to-dos?|tasks|need to do|have to do|got to do|plate|left|"
    r"reminders?(?: set| coming| today)?)\b[?!. ]*$",
    re.I,
)
_MARK_WORDS = re.compile(r"^(?:mark|tick off|check off|cross off|tick)\s+", re.I)
_WHAT_TO_DO = re.compile(
    r"\bwhat (?:should|can|do|shall) i (?:do|work on|start(?: with)?|tackle|focus on)\b(?! with\b)"
    r"|\bwhat(?:'s| is) next\b|\bwhat now\b|\bplan (?:my|the) day\b",
    re.I,
)
_START_WITH = re.compile(
    r"^(?:(?:where|how) (?:do|can|should) i (?:even )?(?:start|begin)(?: with| on)?|"
    r"i'?m (?:so )?stuck (?:on|with)|i can'?t (?:even )?(?:start|begin)|"
    r"help me (?:get )?(?:start(?:ed)?|begin)(?: on| with)?)\s*(?P<what>.*)$",
    re.I,
)
_FEELING_WORDS = re.compile(
    r"\b(?:failure|overwhelm\w*|stressed|anxious|panick?\w*|useless|hopeless|hate myself|"
    r"too much|drowning|can'?t cope|falling apart|worthless|such a mess|sorry this is a lot|"
    r"so much to do|can'?t get anything done|hate that i|never get anything done|"
    r"can'?t do this|messed up|screwed up|ruined|tired of|sick of|can'?t focus|"
    r"can'?t do anything right|"
    r"can'?t concentrate|brain fog|"
    r"feel(?:ing)? (?:so |really |pretty )?(?:terrible|awful|horrible|bad|low|down|sad|"
    r"hopeless|like crap|like shit|like garbage))\b",
    re.I,
)


def _tense(lower: str) -> str | None:
    """ "task" for "I need to..."/"call mom", "done" for "called mum"/"I paid it"."""
    if _TASK_PREFIX.match(lower) or _TASK_LEAD.match(lower):
        return "task"
    words = re.sub(
        r"^(?:(?:i|we|just|finally|already|actually|totally|all)\s+)+", "", lower
    ).split()
    if not words:
        return None
    first = words[0]
    if first in _IRREGULAR_PAST or (first.endswith("ed") and len(first) > 4):
        return "done"
    if first in TASK_VERBS and len(words) >= 2:
        return "task"
    return None


_NAME_FILLERS = re.compile(r"[\s,.!]+(?:btw|lol|haha|thanks|thx|pls|please|:\)|:d)[\s.!]*$", re.I)


def name_as_written(name: str) -> str:
    """ "sam" -> "Sam"; "AJ" and "McKenzie" stay as typed."""
    return name if any(c.isupper() for c in name) else name.title()


def looks_like_a_name(words: str) -> bool:
    parts = words.split()
    return (
        1 <= len(parts) <= 2
        and all(p.replace("'", "").replace("-", "").isalpha() for p in parts)
        and not any(p.lower() in _NOT_NAMES for p in parts)  # "qs good" is no name
    )


# What a "need to ..." text still means when its meaning is clearly something else.
_TASK_OVERRIDES = {
    "feeling_overwhelmed", "feeling_low", "energy_bad_day", "energy_low", "what_now",
    "break_down", "cancel_reminder", "move_reminder",
}  # fmt: skip


# What a past-tense text ("took my meds", "messed up today") still means when its meaning is
# clearly one of these rather than a finished task.
_DONE_OVERRIDES = {
    "acknowledge", "feeling_overwhelmed", "feeling_low", "energy_bad_day", "energy_low",
    "energy_better", "remember",
}  # fmt: skip


_DECLINE = re.compile(
    r"^(?:no|nah|nope|no thanks|no thank you|not really|cancel that|scrap that|forget it|"
    r"forget that|never ?mind|nvm|undo|ignore that|ignore me|wrong|that'?s wrong)[!. ]*$",
    re.I,
)
_TIME_NOW = re.compile(
    r"^(?:what time is it|what'?s the time|what day is it)(?: now| there)?[?!. ]*$", re.I
)
_MY_NAME = re.compile(r"^(?:what'?s my name|who am i|do you know my name)[?!. ]*$", re.I)


class Reader:
    def __init__(self, classifier: IntentClassifier | None) -> None:
        self.classifier = classifier

    def read(self, text: str, *, user_name: str | None = None) -> list[Reading]:
        """Every request in a text, in order."""
        readings: list[Reading] = []
        text = fix_spelling(stretch_out(text.strip()))
        if (recipe := read_recipe(text)) is not None:
            return [Reading(*recipe, text)]
        if m := _BRAIN_DUMP.match(text.strip()):
            items = [i for part in re.split(r"[\n;]+", m["items"]) for i in list_items(part)]
            return [Reading("add_task", {"title": task_title(i)}, i) for i in items if _clean(i)]
        for line in (part.strip() for part in text.splitlines()):
            if not line:
                continue
            if (m := _NAME_THEN.match(line)) and looks_like_a_name(m["name"]):
                readings.append(Reading("set_name", {"name": m["name"].title()}, line))
                line = m["rest"]
            request = core(line)
            parts = split_requests(request)
            if len(parts) > 1 and (feeling := self._feeling(request)) is not None:
                readings.append(feeling)
                continue
            if len(parts) == 1:
                readings.append(self.read_one(request, user_name=user_name))
                continue
            for part in parts:
                readings.append(self.read_one(core(part), user_name=user_name))
        return readings

    def read_one(self, text: str, *, user_name: str | None = None) -> Reading:
        text = _clean(text) or text
        lower = text.lower()
        if (decided := self._decisive(text, lower, user_name)) is not None:
            decided.text = text
            return decided
        match = self._classify(text)
        tense = _tense(lower)
        if tense is not None and (text.endswith("?") or _QUESTION.match(text)):
            tense = None
        if tense == "task" and not (
            match is not None and match.score >= 0.75 and match.intent in _TASK_OVERRIDES
        ):
            return Reading("add_task", {"title": task_title(text)}, text)
        if tense == "done" and _FEELING_WORDS.search(text):
            tense = None
        if (
            match is not None
            and match.confident
            and tense == "done"
            and match.intent in _DONE_OVERRIDES
        ):
            return self._slots(match.intent, text, lower, match.score)
        if tense == "done":
            title = done_title(text)
            return Reading("complete_task", {"title": title} if title else {}, text)
        feeling = match is not None and match.confident and match.intent.startswith("feeling")
        if (
            _FEELING_WORDS.search(text)
            and not feeling
            and (
                match is None
                or not match.confident
                or match.ambiguous
                or match.intent.startswith("energy")
            )
        ):
            return self._unsure(text, lower, match)  # read by its words
        if match is None or not match.confident:
            return self._unsure(text, lower, match)
        intent = match.intent
        if _is_action(intent) and (text.endswith("?") or _QUESTION.match(text)):
            # A question never changes anything: "did I finish the essay?" gets the list.
            if intent in ("add_task", "complete_task", "drop_task"):
                return Reading("list_tasks", {}, text, match.score)
            return Reading("ask", {"question": _question_for(text)}, text, match.score)
        if intent == "recall" and not (text.endswith("?") or _QUESTION.match(text)):
            return Reading("ask", {"question": _question_for(text)}, text, match.score)
        if match.ambiguous and _is_action(intent) != _is_action(match.runner_up or ""):
            return Reading("ask", {"question": _question_for(text)}, text, match.score)
        if intent == "complete_task" and tense != "done" and not _DONE_CUE.search(text):
            question = f'Is "{done_title(text)}" done? Reply "done" if so.'
            return Reading("ask", {"question": question}, text, match.score)
        if intent == "drop_task" and not _DROP_CUE.search(text) and list_number(text) is None:
            question = "Should I take that off your list?"
            return Reading("ask", {"question": question}, text, match.score)
        return self._slots(intent, text, lower, match.score)

    def _feeling(self, text: str) -> Reading | None:
        """A long text about how they feel is one feeling, not a list of requests."""
        match = self._classify(text)
        if match is not None and match.intent.startswith("feeling") and match.confident:
            return Reading(match.intent, {}, text, match.score)
        if _FEELING_WORDS.search(text) and len(text.split()) > 12:
            low = re.search(r"failure|useless|hate myself|worthless|sorry", text, re.I)
            return Reading("feeling_low" if low else "feeling_overwhelmed", {}, text)
        return None

    # --

    def _classify(self, text: str) -> Match | None:
        if self.classifier is None:
            return None
        return self.classifier.classify(text)

    def _decisive(self, text: str, lower: str, user_name: str | None) -> Reading | None:
        if (admin := read_life_admin(text)) is not None:
            return Reading(*admin)
        if _DECLINE.match(text):
            return Reading("decline")
        if _CLEAR_ALL.match(text):
            question = (
                'Drop everything on your list? I\'d rather check: text "list" and drop by number.'
            )
            return Reading("ask", {"question": question})
        if m := _AVOIDING.match(text):
            return Reading("break_down", breakdown_slots(m["what"]))
        if _NOT_DONE.match(text) and not _REMINDER_WORD.search(lower):
            return Reading("not_done")
        if _STARTING.match(text) and not _REMINDER_WORD.search(lower):
            return Reading("starting")
        if _TIME_NOW.match(text):
            return Reading("time_now")
        if _MY_NAME.match(text):
            return Reading("about_me")
        if (quick := quick_reply(text)) is not None and quick[0] == "snooze":
            return Reading("snooze", {"minutes": quick[1]})
        if re.match(r"^remind me (?:what|of what|about what)\b", lower):
            return Reading("list_tasks")
        if (reminder := split_reminder(text)) is not None:
            what, when = reminder
            return Reading("set_reminder", {"text": what or "your reminder", "when": when})
        if (m := _NEED_REMINDER.match(text)) and (
            found := split_reminder(f"remind me {m['rest']}")
        ):
            what, when = found
            return Reading("set_reminder", {"text": what or "your reminder", "when": when})
        if m := _GOAL.match(text):
            return Reading("add_goal", {"title": _clean(m["title"])})
        if re.match(r"^(?:todo|to do|to-do|new task|note to self)\b", lower):
            return Reading("add_task", {"title": task_title(text)})
        if m := _ABOUT.match(text):
            q = _clean(m["q"])
            if q.lower() in ("me", "myself", "me so far"):
                return Reading("about_me")
            return Reading("recall", recall_slots(q))
        if re.match(r"^forget (?:about )?the\b", lower):
            ref = reference(re.sub(r",.*$", "", text))
            return Reading("drop_task", {"title": ref} if ref else {})
        if m := _FORGET.match(text):
            match = self._classify(text)
            if match is None or match.intent != "drop_task" or not match.confident:
                return Reading("forget", {"query": _clean(m["what"])})
        if _REMEMBER.match(text) and not lower.startswith(
            ("remember to ", "don't forget", "dont forget")
        ):
            return Reading("remember", {"content": memory_content(text)})
        if m := _PLACE.match(text):
            place = _clean(m["place"])
            words = place.split()
            for cut in range(len(words), 0, -1):  # "london last week" -> "london"
                if resolve_timezone(" ".join(words[:cut])):
                    place = " ".join(words[:cut])
                    break
            if _EXPLICIT_PLACE.match(lower) or resolve_timezone(place):
                return Reading("set_timezone", {"place": place})
        if m := _NAME.match(_NAME_FILLERS.sub("", text)):
            name = _clean(m["name"])
            explicit = re.match(r"^(?:my name|name'?s|call me)", lower)
            if looks_like_a_name(name) and (explicit or not user_name):
                return Reading("set_name", {"name": name_as_written(name)})
        if _REMINDER_WORD.search(lower) and not lower.startswith(("what", "when", "any", "show")):
            if _CANCEL_VERBS.search(lower):
                ref = reference(text)
                return Reading("cancel_reminder", {"text": ref} if ref else {})
            if _MOVE_VERBS.search(lower) and (found := time_suffix(text)) is not None:
                return Reading("move_reminder", {"text": reference(found[0]), "when": found[1]})
        if _DROP_START.match(text):
            number = list_number(text)
            if number is not None:
                return Reading("drop_task", {"number": number})
            ref = reference(text)
            return Reading("drop_task", {"title": ref} if ref else {})
        if _MARK_DONE.match(text):
            title = done_title(_MARK_WORDS.sub("", text))
            number = list_number(title) if title else None
            if number is not None:
                return Reading("complete_task", {"number": number})
            return Reading("complete_task", {"title": title} if title else {})
        if m := _START_WITH.match(text):
            what = _clean(m["what"])
            if what and what.lower() not in ("it", "this", "that", "today", "now", "first"):
                return Reading("break_down", breakdown_slots(what))
            return Reading("what_now")
        if _WHAT_TO_DO.search(text) and not _FEELING_WORDS.search(text):
            return Reading("what_now")
        if _GREETING_ONLY.match(text):
            return Reading("greeting")
        if _TOOK_MEDS.match(text):
            return Reading("acknowledge")
        if _BREAK_START.match(text) or (m := _TOO_BIG.match(text)):
            return Reading("break_down", breakdown_slots(m["what"] if m else text))
        if _LIST_QUESTION.match(text) or _DAY_QUESTION.match(text):
            if _REMINDER_WORD.search(lower):
                return Reading("list_reminders")
            return Reading("list_tasks")
        if (m := _DONE_WORD.match(text)) and not re.match(r"^did (?:i|you|we)\b", lower):
            title = done_title(m["title"])
            number = list_number(title) if title else None
            if number is not None:
                return Reading("complete_task", {"number": number})
            return Reading("complete_task", {"title": title} if title else {})
        return None

    def _slots(self, intent: str, text: str, lower: str, score: float) -> Reading:
        def reading(name: str, slots: dict | None = None) -> Reading:
            return Reading(name, slots or {}, text, score)

        match intent:
            case "add_task":
                return reading("add_task", {"title": task_title(text)})
            case "complete_task":
                number = list_number(text)
                if number is not None:
                    return reading("complete_task", {"number": number})
                title = done_title(text)
                return reading("complete_task", {"title": title} if title else {})
            case "drop_task":
                number = list_number(text)
                if number is not None:
                    return reading("drop_task", {"number": number})
                ref = reference(text)
                return reading("drop_task", {"title": ref} if ref else {})
            case "cancel_reminder":
                ref = reference(text)
                return reading("cancel_reminder", {"text": ref} if ref else {})
            case "move_reminder":
                found = time_suffix(text)
                if found is None:
                    return reading("ask", {"question": "What time should it move to?"})
                what, when = found
                ref = reference(what)
                return reading("move_reminder", {"text": ref, "when": when})
            case "snooze":
                return reading("snooze", {"minutes": snooze_minutes(text)})
            case "set_reminder":
                # A reminder the rules missed ("remmind me 5 to call mom", "alert me at 6"):
                # read as "remind me ..." by the reminder phrases, the first word replaced.
                body = re.sub(r"^\S+\s+(?:me\s+)?", "", text)
                found = split_reminder(f"remind me {body}")
                if found is None:
                    return reading("ask", {"question": "What should I remind you about, and when?"})
                what, when = found
                return reading("set_reminder", {"text": what or "your reminder", "when": when})
            case "break_down":
                return reading("break_down", breakdown_slots(text))
            case "energy_bad_day" | "energy_low" | "energy_better":
                return reading("set_energy", {"level": energy_level(intent, text)})
            case "remember":
                return reading("remember", {"content": memory_content(text)})
            case "recall":
                return reading("recall", recall_slots(text))
            case "feeling_overwhelmed" | "feeling_low":
                slots = {"what_now": True} if _MORE.search(lower) else {}
                return reading(intent, slots)
            case _:
                return reading(intent)

    def _unsure(self, text: str, lower: str, match: Match | None) -> Reading:
        score = match.score if match else 0.0
        words = lower.split()
        if _FEELING_WORDS.search(text):
            low = re.search(
                r"failure|useless|hate|worthless|never|anything done|terrible|awful|horrible|"
                r"\bbad\b|\blow\b|\bdown\b|\bsad\b|crap|garbage|tired of|sick of|anything right",
                text,
                re.I,
            )
            return Reading("feeling_low" if low else "feeling_overwhelmed", {}, text, score)
        if text.endswith("?") or _QUESTION.match(text):
            return Reading("recall", recall_slots(text), text, score)
        if words and words[0] in TASK_VERBS and not _PAST_TENSE.match(lower) and len(words) >= 2:
            # An imperative: most likely something to do.
            return Reading("add_task", {"title": task_title(text)}, text, score)
        if YES.match(text):
            return Reading("yes", {}, text, score)
        if len(words) >= 2:
            return Reading("ask", {"question": _question_for(text)}, text, score)
        return Reading("unknown", {}, text, score)


def _is_action(intent: str) -> bool:
    return intent in ACTIONS or intent in _CLASSIFIED_ACTIONS


def _question_for(text: str) -> str:
    """One short question: an offer to add it when it reads like a thing to do, else which
    kind of thing it is."""
    title = task_title(text)
    if re.match(r"^(?:i|i'm|i've|i'd|it|it's|my|we|we're|you|that|this|there)\b", title, re.I):
        return "Sorry, I didn't follow. Is that something to do, or something to remember?"
    return f'Should I add "{title}" to your list?'
