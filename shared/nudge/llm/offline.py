"""The offline model: plain commands without an LLM.

When Gemini is unconfigured, over quota or down, people still get a useful answer and nothing
they asked to keep is lost. It speaks the same protocol as Gemini: it answers a user message
with function calls to the same tools, then turns the tool results into a short SMS reply.
"""

from __future__ import annotations

import re

from nudge.llm.offline_integrations import describe_integration, understand_integration
from nudge.llm.types import (
    ChatMessage,
    FunctionCall,
    FunctionResult,
    ModelReply,
    ModelRequest,
    TurnFacts,
)
from nudge.reminders.phrases import quick_reply, split_reminder
from nudge.reminders.timeparse import is_time_phrase
from nudge.sms.keywords import HELP_TEXT
from nudge.timezones import resolve_timezone

_TODO = re.compile(
    r"^(?:todo|to do|to-do|task|add)\s*[:\-]?\s+(?P<title>.+?)"
    r"(?:\s+to (?:my|the) (?:list|todo list))?$",
    re.I,
)
_NEED_TO = re.compile(r"^(?:i need to|i have to|i must|i should|need to)\s+(?P<title>.+)$", re.I)
_LIST = re.compile(
    r"^(?:list|tasks|todos|my list|show (?:me )?my (?:list|tasks)|"
    r"what(?:'s| is) on my (?:list|plate)|what do i (?:have|need) to do)\b",
    re.I,
)
_DONE = re.compile(r"^(?:done|finished|completed|did)\b\s*[:\-]?\s*(?P<title>.*)$", re.I)
_REMEMBER = re.compile(r"^(?:please\s+)?remember\s+(?:that\s+)?(?P<content>.+)$", re.I)
_RECALL = re.compile(
    r"^(?:what do you know about|what do you remember about|do you remember|recall)\s+(?P<q>.+)$",
    re.I,
)
# A question about the past also searches what is no longer true ("where did I use to live?").
_PAST = re.compile(
    r"\b(?:used to|did (?:i|we) (?:ever )?use to|previous(?:ly)?|former(?:ly)?|any ?more)\b",
    re.I,
)
_TIMEZONE = re.compile(
    r"^(?:my )?(?:time ?zone is|tz is|i(?:'m| am) in|i live in|i moved to"
    r"|set (?:my )?time ?zone to)\s+(?P<tz>.+)$",
    re.I,
)
_NAME = re.compile(
    r"^(?:my name is|i(?:'m| am)|call me|it's|this is)\s+(?P<name>[A-Za-z][\w' -]{0,40})$",
    re.I,
)
_REMINDERS = re.compile(
    r"^(?:reminders|my reminders|list (?:my )?reminders|what (?:are my )?reminders"
    r"(?: do i have)?|what reminders do i have)\??$",
    re.I,
)
_CANCEL_REMINDER = re.compile(
    r"^(?:cancel|delete|stop|remove)\s+(?:the\s+|my\s+)?reminder\s*(?:to|about|for)?\s*(?P<what>.*)$",
    re.I,
)
_WHAT_NOW = re.compile(
    r"^(?:what (?:should|can|do) i do(?: now| next| first)?|what now|what next|"
    r"where do i start|help me start|i'?m stuck)\??$",
    re.I,
)
_BREAK_DOWN = re.compile(
    r"^(?:break (?:(?:it|that|this)\s+)?(?:down|up)|split|smaller steps|"
    r"make (?:it|them) smaller|tinier steps|steps for)\s*(?:(?:it|the task|task)\s*)?"
    r"(?:into (?:smaller |tiny )?steps)?\s*(?P<what>.*?)"
    r"(?:\s+into (?:smaller |tiny )?steps)?$",
    re.I,
)
_FORGET = re.compile(r"^(?:please\s+)?forget\s+(?:that\s+|about\s+(?:my\s+)?)?(?P<what>.+)$", re.I)
_DROP = re.compile(
    r"^(?:drop|forget about|never ?mind|remove|delete)\s+(?:task\s+)?(?P<what>.+)$", re.I
)
_GOAL = re.compile(r"^(?:goal|new goal|my goal is)\s*[:\-]?\s+(?P<title>.+)$", re.I)
_GOALS = re.compile(r"^(?:goals|my goals|list (?:my )?goals|what are my goals)\??$", re.I)


def _energy(line: str) -> str | None:
    text = line.lower()
    if re.search(r"\bbad day\b|\brough day\b|\bcan'?t (?:do|handle) (?:anything|much)", text):
        return "bad_day"
    if re.search(r"\b(?:low energy|tired|exhausted|drained)\b", text):
        return "low"
    if re.search(r"\b(?:high energy|feeling great|energized|full of energy)\b", text):
        return "high"
    return None


_GREETING = re.compile(r"^(?:hi|hello|hey|yo|good (?:morning|afternoon|evening))\b", re.I)
_QUESTION_WORDS = re.compile(r"^(?:when|what|where|who|which|how|is|does|did|do)\b", re.I)


# Without an LLM to judge relevance, only close memories are offered as answers (cosine
# distance; measured with WordLlama: related questions 0.17-0.61, unrelated 0.83+).
RECALL_MAX_DISTANCE = 0.75


def _clean(text: str) -> str:
    return text.strip().strip(" .!").strip()


def _recall_args(question: str) -> dict:
    args: dict = {"query": _clean(question)}
    if _PAST.search(question):
        args["include_past"] = True
    return args


class OfflineModel:
    name = "offline"

    def generate(self, request: ModelRequest) -> ModelReply:
        last = request.messages[-1]
        if last.role == "tool":
            return ModelReply(model=self.name, text=self._compose(request))
        calls = self._plan(last.text or "", request.facts)
        if calls:
            return ModelReply(model=self.name, function_calls=calls)
        return ModelReply(model=self.name, text=self._chat(last.text or "", request.facts))

    # -- understanding ---------------------------------------------------------------------

    def _plan(self, text: str, facts: TurnFacts) -> list[FunctionCall]:
        calls: list[FunctionCall] = []
        for line in (part.strip() for part in text.splitlines()):
            if line:
                call = self._understand(line, facts)
                if call is not None:
                    calls.append(call)
        return calls

    def _understand(self, line: str, facts: TurnFacts) -> FunctionCall | None:
        if facts.pending_reminder and self._answers_pending(line, facts):
            return FunctionCall(
                name="set_reminder", args={"text": facts.pending_reminder, "when": line}
            )
        if (reminder := split_reminder(line)) is not None:
            text, when = reminder
            return FunctionCall(
                name="set_reminder", args={"text": text or "your reminder", "when": when}
            )
        if (call := understand_integration(line, facts)) is not None:
            return call
        if _REMINDERS.match(line):
            return FunctionCall(name="list_reminders", args={})
        if m := _CANCEL_REMINDER.match(line):
            return FunctionCall(name="cancel_reminder", args={"text": _clean(m["what"])})
        if (quick := quick_reply(line)) is not None and quick[0] == "snooze":
            return FunctionCall(name="snooze_reminder", args={"minutes": quick[1]})
        if m := _DROP.match(line):
            title = _clean(m["what"])
            return FunctionCall(
                name="drop_task",
                args={"title": title} if title and title.lower() not in ("it", "that") else {},
            )
        if _WHAT_NOW.match(line):
            return FunctionCall(name="what_now", args={})
        if m := _BREAK_DOWN.match(line):
            smaller = bool(re.search(r"smaller|tinier|too big", line, re.I))
            args = {"granularity": "smaller" if smaller else "normal"}
            if (title := _clean(m["what"] or "")) and title.lower() not in ("it", "that", "this"):
                args["title"] = title
            return FunctionCall(name="break_down_task", args=args)
        if (level := _energy(line)) is not None:
            return FunctionCall(name="set_energy", args={"level": level})
        if m := _GOAL.match(line):
            return FunctionCall(name="add_goal", args={"title": _clean(m["title"])})
        if _GOALS.match(line):
            return FunctionCall(name="list_goals", args={})
        if m := _FORGET.match(line):
            return FunctionCall(name="forget", args={"query": _clean(m["what"])})
        if m := _REMEMBER.match(line):
            return FunctionCall(name="remember", args={"content": _clean(m["content"])})
        if m := _TODO.match(line):
            return FunctionCall(name="add_task", args={"title": _clean(m["title"])})
        if _LIST.match(line):
            return FunctionCall(name="list_tasks", args={})
        if m := _DONE.match(line):
            title = _clean(m["title"])
            return FunctionCall(name="complete_task", args={"title": title} if title else {})
        if m := _TIMEZONE.match(line):
            return FunctionCall(name="set_timezone", args={"timezone": _clean(m["tz"])})
        if m := _RECALL.match(line):
            return FunctionCall(name="recall", args=_recall_args(m["q"]))
        if m := _NEED_TO.match(line):
            return FunctionCall(name="add_task", args={"title": _clean(m["title"])})
        explicit_name = line.lower().startswith(("my name is", "call me"))
        if (m := _NAME.match(line)) and (not facts.user_name or explicit_name):
            return FunctionCall(name="set_name", args={"name": _clean(m["name"]).title()})
        if line.endswith("?") or _QUESTION_WORDS.match(line):
            return FunctionCall(name="recall", args=_recall_args(line.rstrip("?")))
        if facts.awaiting == "timezone" and resolve_timezone(line):
            return FunctionCall(name="set_timezone", args={"timezone": _clean(line)})
        if facts.awaiting == "name" and resolve_timezone(line):
            # "Toronto" answers where they are, even before their name: rarely a name.
            return FunctionCall(name="set_timezone", args={"timezone": _clean(line)})
        if facts.awaiting == "name" and self._looks_like_a_name(line):
            return FunctionCall(name="set_name", args={"name": _clean(line).title()})
        return None

    @staticmethod
    def _answers_pending(line: str, facts: TurnFacts) -> bool:
        """ "5pm" after "What time today?": the time for the reminder just asked about."""
        if split_reminder(line) is not None:
            return False
        answer = _clean(line)
        return is_time_phrase(answer) or is_time_phrase(f"{facts.pending_when} {answer}")

    @staticmethod
    def _looks_like_a_name(line: str) -> bool:
        words = _clean(line).split()
        return (
            1 <= len(words) <= 2 and all(w.isalpha() for w in words) and not _GREETING.match(line)
        )

    # -- answering -------------------------------------------------------------------------

    def _chat(self, text: str, facts: TurnFacts) -> str:
        greeting = f"Hi {facts.user_name}! " if facts.user_name else "Hi! "
        if _GREETING.match(text):
            reply = greeting + "What's one thing on your mind? Text \"todo: ...\" and I'll hold it."
        else:
            reply = "I'm in simple mode right now, so I understand plain commands. " + HELP_TEXT
        return self._with_onboarding(reply, facts)

    def _compose(self, request: ModelRequest) -> str:
        results: list[tuple[FunctionCall, FunctionResult]] = []
        # The tool results of this turn: everything after the last user message.
        tail: list[ChatMessage] = []
        for message in reversed(request.messages):
            if message.role == "user":
                break
            tail.append(message)
        pending: list[FunctionCall] = []
        for message in reversed(tail):
            if message.role == "model":
                pending = list(message.function_calls)
            elif message.role == "tool":
                for index, result in enumerate(message.function_results):
                    call = (
                        pending[index] if index < len(pending) else FunctionCall(name=result.name)
                    )
                    results.append((call, result))
        lines = [self._describe(call, result.response) for call, result in results]
        facts = request.facts
        for _, result in results:  # what this turn just learned
            if result.name == "set_name" and result.response.get("ok"):
                facts = facts.model_copy(update={"user_name": result.response["name"]})
            if result.name == "set_timezone" and result.response.get("ok"):
                facts = facts.model_copy(update={"timezone_known": True})
        return self._with_onboarding(" ".join(line for line in lines if line), facts)

    def _describe(self, call: FunctionCall, result: dict) -> str:
        if result.get("error"):
            return f"Hmm, that didn't work: {result['error']}"
        if result.get("question"):
            return result["question"]
        if (text := describe_integration(call.name, result)) is not None:
            return text
        match call.name:
            case "set_reminder":
                return f"Okay! I'll remind you to {result['text']} {result['when']}."
            case "list_reminders":
                items = result.get("reminders", [])
                if not items:
                    return 'No reminders coming up. Text "remind me at 5 to ..." to add one.'
                return "Coming up:\n" + "\n".join(f"- {r['when']}: {r['text']}" for r in items)
            case "cancel_reminder":
                return "Cancelled." if result.get("ok") else result.get("message", "")
            case "snooze_reminder":
                if not result.get("ok"):
                    return result.get("message", "")
                return f"Snoozed. I'll remind you to {result['text']} {result['when']}."
            case "break_down_task":
                steps = "\n".join(
                    f"{i}. {step['title']} ({step['minutes']} min)"
                    for i, step in enumerate(result["steps"], 1)
                )
                return f'Tiny steps for "{result["task"]}":\n{steps}\nJust start with 1.'
            case "what_now":
                if not result.get("pick"):
                    return result.get("message", "Nothing on your list.")
                minutes = f" (about {result['minutes']} min)" if result.get("minutes") else ""
                return f"Do this now: {result['pick']}{minutes}. Text done when it's done."
            case "set_energy":
                if result["level"] == "bad_day":
                    return ("Okay, bad day mode: tiny steps only, no pressure. "
                            "Text \"what now\" if you want one small thing.")  # fmt: skip
                return f"Got it, {result['level']} energy today. I'll match that."
            case "add_goal":
                return f"Goal saved: {result['title']}. Want to add a first task for it?"
            case "list_goals":
                goals = result.get("goals", [])
                if not goals:
                    return 'No goals yet. Text "goal: ..." to add one.'
                return "Your goals:\n" + "\n".join(
                    f"- {g['title']} ({g['progress']}%)" for g in goals
                )
            case "forget":
                if not result.get("ok"):
                    return result.get("message", "I couldn't find that.")
                return f'Forgotten: "{result["forgot"]}". It\'s gone from my memory.'
            case "drop_task":
                return f'Dropped "{result["dropped"]}". One less thing.'
            case "reminder_done":
                return "Nice, marked done!" if result.get("ok") else "Nothing to mark done."
            case "add_task":
                return f'Got it, added "{result["title"]}" to your list.'
            case "list_tasks":
                tasks = result.get("tasks", [])
                if not tasks:
                    return 'Your list is empty. Nice! Text "todo: ..." to add something.'
                shown = "\n".join(f"{i}. {t['title']}" for i, t in enumerate(tasks[:8], 1))
                more = f"\n(+{len(tasks) - 8} more)" if len(tasks) > 8 else ""
                return f"Your list:\n{shown}{more}\nPick one small thing to start."
            case "complete_task":
                if result.get("completed"):
                    return f'Done: "{result["completed"]}". Well done!'
                return result.get("message", "I couldn't find that task.")
            case "remember":
                return "Saved. I'll remember that."
            case "recall":
                memories = [
                    m
                    for m in result.get("memories", [])
                    if m.get("distance", 0) <= RECALL_MAX_DISTANCE
                ]
                if not memories:
                    return 'I don\'t have anything on that yet. Tell me with "remember ...".'
                past = [m for m in memories if "no_longer_true_since" in m]
                best = past[0] if past and call.args.get("include_past") else memories[0]
                if "no_longer_true_since" in best:
                    since = best["no_longer_true_since"]
                    return (
                        f"You told me ({best['date']}, no longer true since {since}): "
                        + (best["content"])
                    )
                return f"From what you told me ({best['date']}): {best['content']}"
            case "set_timezone":
                return (
                    f"Timezone set to {result['timezone']}. Your time now: {result['local_time']}."
                )
            case "set_name":
                return f"Nice to meet you, {result['name']}!"
            case "set_preferences":
                return "Preferences saved."
            case _:
                return "Done."

    @staticmethod
    def _with_onboarding(reply: str, facts: TurnFacts) -> str:
        if not facts.user_name:
            return f"{reply}\nBy the way, I'm Nudge. What should I call you?"
        if not facts.timezone_known:
            return (
                f"{reply}\nWhat city or timezone are you in? So reminders land at the right time."
            )
        return reply
