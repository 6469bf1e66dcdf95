"""The offline model reads the Notion commands people text, and nothing else as them."""

from __future__ import annotations

import pytest

from nudge.llm.offline_integrations import describe_integration, understand_integration
from nudge.llm.types import TurnFacts

FACTS = TurnFacts(timezone="Etc/UTC")


@pytest.mark.parametrize(
    ("text", "name", "args"),
    [
        ("link notion", "link_notion", {}),
        ("Connect my Notion account", "link_notion", {}),
        ("unlink notion", "unlink_notion", {}),
        ("save notes to my Inbox database", "choose_notion_database", {"name": "Inbox"}),
        ("put my notes in the Reading list db", "choose_notion_database",
         {"name": "Reading list"}),
        ("use my Journal database for notes", "choose_notion_database", {"name": "Journal"}),
        ("notion 2", "choose_notion_database", {"choice": 2}),
    ],
)  # fmt: skip
def test_notion_commands(text, name, args):
    call = understand_integration(text, FACTS)
    assert (call.name, call.args) == (name, args)


@pytest.mark.parametrize(
    "text", ["I love notion", "note: link notion to the wiki", "save the date", "notion"]
)
def test_other_texts_are_not_notion_commands(text):
    call = understand_integration(text, FACTS)
    assert call is None or call.name == "save_note"


def test_replies_for_the_notion_tools():
    assert (
        describe_integration(
            "link_notion", {"ok": True, "url": "http://x/notion/start?t=a.b", "minutes": 15}
        )
        == "Tap to connect Notion (works once, for 15 minutes): http://x/notion/start?t=a.b"
    )
    assert (
        describe_integration(
            "choose_notion_database", {"ok": True, "database": "Inbox", "notes": 3}
        )
        == 'Done: notes go to "Inbox" in Notion. I\'m copying your 3 notes there now.'
    )
    assert describe_integration("unlink_notion", {"ok": True}).startswith("Notion unlinked")


OFFERED = (
    "A few databases match:\n1. Reading list (work)\n2. Reading list (home)\n"
    'Which one? Text "notion 1" (or 2, ...).'
)


@pytest.mark.parametrize(
    ("text", "args"),
    [
        ("the second one", {"choice": 2}),
        ("2", {"choice": 2}),
        ("number 1", {"choice": 1}),
        ("First one please", {"choice": 1}),
        ("reading list (work)", {"name": "reading list (work)"}),
    ],
)
def test_an_answer_to_the_databases_just_listed_picks_one(text, args):
    call = understand_integration(text, FACTS.model_copy(update={"recent_replies": [OFFERED]}))
    assert (call.name, call.args) == ("choose_notion_database", args)


@pytest.mark.parametrize("text", ["the second one", "2", "Reading list (work)"])
def test_without_that_list_just_sent_they_are_not_database_picks(text):
    earlier = [OFFERED, 'Got it, added "call mom" to your list.']
    for replies in ([], earlier):
        call = understand_integration(text, FACTS.model_copy(update={"recent_replies": replies}))
        assert call is None or call.name != "choose_notion_database"


def test_the_reply_while_the_database_is_looked_for():
    queued = {"ok": True, "queued": "ai_t_1",
              "message": "On it, I'll look for \"Inbox\" in your Notion and text you."}  # fmt: skip
    assert describe_integration("choose_notion_database", queued) == queued["message"]
