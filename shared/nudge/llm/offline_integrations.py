"""The offline model's integration commands: notes, Notion, YouTube links, web search,
pending work.

Kept apart from `offline.py`, which calls `understand_integration` for each line and
`describe_integration` for each tool result before its own rules.
"""

from __future__ import annotations

import re

from nudge.integrations.untrusted import unfenced
from nudge.integrations.youtube_links import video_id_from
from nudge.llm.types import FunctionCall, TurnFacts

_NOTE = re.compile(
    r"^\s*(?:note|new note|save (?:a )?note)\s*[:\-]\s*(?P<content>.+)$", re.I | re.S
)
_FIND_NOTE = re.compile(
    r"^\s*(?:find|search|show|look for|get)\s+(?:me\s+)?(?:my\s+|the\s+)?notes?\s+"
    r"(?:about|on|for|with|mentioning)\s+(?P<q>.+?)\s*\??$",
    re.I,
)
# Which note, as said after "to": "my garden note", "my note about the garden", "Garden seeds"
# in quotes (the form our question "which one?" suggests).
_WHICH_NOTE = (
    r"(?:(?:my|the)\s+)?(?:notes?\s+(?:about|on|for|called|titled|named)\s+(?P<about>.+?)"
    r"|[\"“](?P<quoted>[^\"”]+)[\"”](?:\s+notes?)?|(?P<named>.+?)\s+notes?)"
)
# "add to my garden note: buy seeds", "append to my note about the garden - ..."
_APPEND_TO = re.compile(
    r"^\s*(?:please\s+)?(?:add|append|put|write)\s+(?:this\s+)?(?:to|in|into|on)\s+"
    + _WHICH_NOTE
    + r"\s*(?::|\s-|\s–)\s*(?P<text>.+)$",
    re.I | re.S,
)
# "add 'call the plumber' to my house note", "add buy seeds to my garden note"
_APPEND_ITEM = re.compile(
    r"^\s*(?:please\s+)?(?:add|append|put|write)\s+(?:[\"'“‘](?P<q>.+?)[\"'”’]|(?P<text>.+?))"
    r"\s+(?:to|in|into|on)\s+" + _WHICH_NOTE + r"\s*[.!]?\s*$",
    re.I | re.S,
)
_NOTES = re.compile(r"^\s*(?:my\s+)?notes\??\s*$|^\s*(?:list|show)\s+(?:my\s+)?notes\b", re.I)
_SEARCH = re.compile(
    r"^\s*(?:please\s+)?(?:look\s+up|search\s+(?:the\s+web\s+|online\s+)?for|search|google|"
    r"web\s+search)\s*:?\s+(?P<q>.+?)\s*\??$",
    re.I,
)
_NEWS = re.compile(r"^\s*(?:news|latest news)\s+(?:about|on)\s+(?P<q>.+?)\s*\??$", re.I)
_WORKING_ON = re.compile(
    r"^\s*what(?:'s| is| are)?\s+(?:you\s+)?(?:still\s+)?(?:working\s+on|doing for me|"
    r"pending)\b|^\s*(?:any\s+)?(?:pending|background)\s+(?:tasks|work)\??\s*$",
    re.I,
)

_LINK_NOTION = re.compile(
    r"^\s*(?:please\s+)?(?:link|connect|add|set up|hook up)\s+(?:my\s+|to\s+)?notion"
    r"(?:\s+(?:account|workspace))?\s*[.!]?\s*$",
    re.I,
)
_UNLINK_NOTION = re.compile(
    r"^\s*(?:unlink|disconnect|remove)\s+(?:my\s+)?notion(?:\s+(?:account|workspace))?"
    r"\s*[.!]?\s*$",
    re.I,
)
_NOTION_DATABASE = re.compile(
    r"^\s*(?:please\s+)?(?:save|put|keep|send|sync)\s+(?:my\s+)?notes\s+(?:to|in|into)\s+"
    r"(?:my\s+|the\s+)?(?P<a>.+?)(?:\s+(?:database|db|table))?(?:\s+in\s+notion)?\s*[.!]?\s*$"
    r"|^\s*(?:use|pick|choose)\s+(?:my\s+|the\s+)?(?P<b>.+?)\s+(?:database|db|table)"
    r"(?:\s+(?:for|in)\s+(?:my\s+)?(?:notes|notion))?\s*[.!]?\s*$",
    re.I,
)
_NOTION_PICK = re.compile(r"^\s*notion\s+#?(?P<n>\d{1,2})\s*[.!]?\s*$", re.I)
# Answers to the list of databases just texted ("A few databases match: ..."): "2", "the
# second one", "number 2", or one of the names as listed.
_OFFERED = re.compile(r"^A few databases match:\n(?P<list>(?:\d+\. .+\n?)+)", re.M)
_ORDINALS = ("first", "second", "third", "fourth", "fifth")
_NTH = re.compile(
    r"^\s*(?:(?:the|number|no\.?|#)\s*)?(?:(?P<n>\d{1,2})|(?P<word>"
    + "|".join(_ORDINALS)
    + r"))(?:\s+(?:one|database|db))?\s*(?:please)?\s*[.!]?\s*$",
    re.I,
)


def _answers_offered_databases(line: str, facts: TurnFacts) -> FunctionCall | None:
    offered = _OFFERED.search(facts.recent_replies[-1]) if facts.recent_replies else None
    if offered is None:
        return None
    names = [item.split(". ", 1)[1] for item in offered["list"].splitlines() if ". " in item]
    if m := _NTH.match(line):
        number = int(m["n"]) if m["n"] else _ORDINALS.index(m["word"].lower()) + 1
        return FunctionCall(name="choose_notion_database", args={"choice": number})
    said = " ".join(line.strip(" .!?\"'").casefold().split())
    if said in {n.casefold() for n in names}:
        return FunctionCall(name="choose_notion_database", args={"name": line.strip(" .!?\"'")})
    return None


def understand_integration(line: str, facts: TurnFacts) -> FunctionCall | None:
    if _LINK_NOTION.match(line):
        return FunctionCall(name="link_notion", args={})
    if _UNLINK_NOTION.match(line):
        return FunctionCall(name="unlink_notion", args={})
    if (answer := _answers_offered_databases(line, facts)) is not None:
        return answer
    if m := _NOTION_PICK.match(line):
        return FunctionCall(name="choose_notion_database", args={"choice": int(m["n"])})
    if m := _NOTION_DATABASE.match(line):
        name = (m["a"] or m["b"]).strip(" .!?\"'")
        return FunctionCall(name="choose_notion_database", args={"name": name})
    if m := _NOTE.match(line):
        return FunctionCall(name="save_note", args={"content": m["content"].strip()})
    if (m := _APPEND_TO.match(line) or _APPEND_ITEM.match(line)) is not None:
        which = (m["about"] or m["quoted"] or m["named"]).strip(" .!?\"'")
        text = (m.groupdict().get("q") or m["text"]).strip()
        return FunctionCall(name="append_to_note", args={"note": which, "text": text})
    if m := _FIND_NOTE.match(line):
        return FunctionCall(name="find_notes", args={"query": m["q"].strip(" .!?\"'")})
    if _NOTES.match(line):
        return FunctionCall(name="find_notes", args={"query": ""})
    if video_id_from(line) is not None and not line.lower().startswith(("remind", "note")):
        return FunctionCall(name="summarize_video", args={"url": line.strip()})
    if m := _NEWS.match(line):
        return FunctionCall(name="web_search", args={"query": m["q"], "news": True})
    if m := _SEARCH.match(line):
        return FunctionCall(name="web_search", args={"query": m["q"].strip(" .!?\"'")})
    if _WORKING_ON.match(line):
        return FunctionCall(name="working_on", args={})
    return None


def describe_integration(name: str, result: dict) -> str | None:
    """The offline reply for one of these tools' results; None for any other tool."""
    match name:
        case "link_notion" | "unlink_notion" | "choose_notion_database":
            return _describe_notion(name, result)
        case "summarize_video" | "web_search":
            return result.get("message") or "On it."
        case "working_on":
            pending = result.get("pending", [])
            if not pending:
                return "Nothing in the background right now."
            shown = "\n".join(f"- {p['what']}" for p in pending[:6])
            return f"Still working on:\n{shown}\nI'll text you each one when it's ready."
        case "save_note":
            title = result.get("title", "")
            linked = result.get("linked", [])
            also = f" Linked to: {', '.join(linked[:3])}." if linked else ""
            return f'Note saved: "{title}".{also}'
        case "append_to_note":
            return _describe_append(result)
        case "find_notes":
            notes = result.get("notes", [])
            if not notes:
                return 'No notes like that yet. Text "note: ..." to save one.'
            best = notes[0]
            snippet = unfenced(best["snippet"])
            same_start = snippet.casefold().startswith(best["title"].casefold())
            text = snippet if same_start else f"{best['title']}: {snippet}"
            others = [n["title"] for n in notes[1:3]]
            if others:
                text += "\nAlso: " + "; ".join(others)
            return text
    return None


def _describe_append(result: dict) -> str:
    if result.get("ask"):
        listed = "\n".join(f"{i}. {t}" for i, t in enumerate(result["choices"], 1))
        first, text = result["choices"][0], result.get("text", "...")
        return f'A few notes match:\n{listed}\nWhich one? Text e.g. add to "{first}": {text}'
    if not result.get("ok"):
        return result.get("message") or result.get("error") or "I couldn't add that to a note."
    linked = result.get("linked", [])
    also = f" Linked to: {', '.join(linked[:3])}." if linked else ""
    if result.get("created"):
        return f'You had no "{result["title"]}" note, so I started one with that in it.{also}'
    return f'Added to your "{result["title"]}" note.{also}'


def _describe_notion(name: str, result: dict) -> str:
    if name == "unlink_notion":
        if not result.get("ok"):
            return result.get("message") or "Notion isn't linked."
        return "Notion unlinked: I forgot its access. Your notes stay here, and in Notion."
    if name == "link_notion":
        if not result.get("ok"):
            return result.get("message") or "Notion linking isn't set up here."
        if result.get("url"):
            return (
                f"Tap to connect Notion (works once, for {result['minutes']} minutes): "
                f"{result['url']}"
            )
        if result.get("data_source"):
            return f"Notion is linked. Notes go to {result['data_source']}; syncing them now."
        return (
            'Notion is linked. Which database should notes go to? Text e.g. "save notes to '
            'my Inbox database".'
        )
    if result.get("queued"):
        return result["message"]
    if result.get("ok"):
        from nudge.integrations.notion.choose import chosen_text

        return chosen_text(result["database"], result.get("notes", 0))
    return result.get("message") or "I couldn't pick that database."
