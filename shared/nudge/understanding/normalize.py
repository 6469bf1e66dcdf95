"""The core of a text: lead-ins, fillers and texting spellings out, apostrophes back in.

"ugh can u snooze 10" -> "snooze 10"; "lol no. remind me at 5" -> "remind me at 5";
"whats on my list" -> "what's on my list"."""

from __future__ import annotations

import re

_APOSTROPHES = {
    "whats": "what's", "im": "i'm", "dont": "don't", "cant": "can't", "wont": "won't",
    "didnt": "didn't", "doesnt": "doesn't", "isnt": "isn't", "ive": "i've",
    "id": "i'd", "thats": "that's", "theres": "there's", "wheres": "where's", "hows": "how's",
    "lets": "let's", "youre": "you're", "its": "it's", "couldnt": "couldn't",
    "shouldnt": "shouldn't", "wasnt": "wasn't", "havent": "haven't", "arent": "aren't",
    "u": "you", "ur": "your", "r": "are", "plz": "please", "thx": "thanks",
    "ty": "thanks", "tmrw": "tomorrow", "2moro": "tomorrow", "b4": "before", "abt": "about",
    "w/": "with", "em": "them", "smth": "something", "rly": "really", "realy": "really",
    "bc": "because", "cuz": "because", "rn": "right now", "idk": "i don't know",
    "tomorow": "tomorrow", "tommorow": "tomorrow", "tommorrow": "tomorrow", "tmr": "tomorrow",
    "tmrow": "tomorrow", "tonite": "tonight", "lsit": "list", "remidn": "remind",
    "remnd": "remind", "remid": "remind", "reminde": "remind", "remeber": "remember",
    "rember": "remember", "remmber": "remember", "shoping": "shopping", "wat": "what",
    "wut": "what", "grocerys": "groceries", "thnx": "thanks", "thanx": "thanks",
    "pls": "please",
    "gonna": "going to", "gotta": "have to", "wanna": "want to", "lemme": "let me",
}  # fmt: skip

# Lead-ins people put before what they want; removed only from the start of a text. Words
# that can begin a request themselves ("no more reminders", "right now") only with a comma,
# full stop or the like after them.
_LEAD_IN = re.compile(
    r"^(?:(?:(?:ugh+|argh+|ok(?:ay)?|k+|so|also|and|oh+|ah+|hmm+|um+|uh+|lol|lmao|hey+|hi+|"
    r"hello|yo|please|actually|oops|btw|quick one|one more thing|oh and|and also|"
    r"ok so|oh wait|oh also|by the way|omg|god|jeez|ahh+|welp|basically|honestly|literally|"
    r"anyway|anyways|so basically|ok basically)[\s,.!:;-]+)|"
    r"(?:(?:no|nah|nope|yes|yeah|yep|wait|well|right|alright|sorry|hmm|nudge)\s*[,.!:;-]+\s*))+",
    re.I,
)
_LEADING_SYMBOLS = re.compile(r"^[^\w\s\"'(#$£€]+\s+(?=\w)")
_POLITE = re.compile(
    r"^(?:can you|could you|would you|will you|can you please|could you please|please)\s+", re.I
)


# "need 2 call" -> "need to call": a 2 between words is "to".
_TWO = re.compile(
    r"\b(need|have|got|want|going|how|time|go|try|wait|able|like|love|ready|due|back) 2 "
    r"(?=[a-z]{2,})",
    re.I,
)


def fix_spelling(text: str) -> str:
    def swap(match: re.Match) -> str:
        word = match[0]
        fixed = _APOSTROPHES.get(word.lower())
        if fixed is None:
            return word
        return fixed.capitalize() if word[0].isupper() and word.lower() != "i" else fixed

    return re.sub(r"[A-Za-z0-9/]+", swap, _TWO.sub(r"\1 to ", text))


def stretch_out(text: str) -> str:
    """ "thank youuu", "sooo tired" -> "thank you", "so tired" (three or more of a letter)."""
    return re.sub(r"([a-z])\1{2,}", r"\1", text, flags=re.I)


def core(text: str) -> str:
    """The request inside a text, in plain spelling."""
    text = fix_spelling(stretch_out(text.strip()))
    text = re.sub(r"\s+", " ", text)
    text = _LEADING_SYMBOLS.sub("", text) or text  # "🥲 thanks" -> "thanks"
    stripped = _LEAD_IN.sub("", text).strip()
    stripped = _POLITE.sub("", stripped).strip()
    return stripped.strip(" .!") or text.strip(" .!")


_SYMBOLS_AT_END = re.compile(r"(?:\s*[^\w\s'\"()#$£€%&+/-])+$")


def clean(text: str) -> str:
    """Spaces folded; punctuation and emoji off the ends ("essay done ✅" -> "essay done")."""
    text = _SYMBOLS_AT_END.sub("", re.sub(r"\s+", " ", text).strip())
    return text.strip().strip(" .!?,;:").strip()
