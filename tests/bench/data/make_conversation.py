"""Writes conversation.jsonl and questions.jsonl: one person's texts over three months.

Facts are stated once, in passing, among everyday turns; each question names the turn that
answers it. Some questions reuse a rare word from the fact (lexical search shines), some only
paraphrase it (vector search shines). Deterministic: run it again, get the same files.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).parent

# (fact as the person texted it, question asked later)
FACTS = [
    ("my sister Anna's birthday is June 3, don't let me forget", "when is Anna's birthday?"),
    ("I take my Vyvanse at 8am, it wears off around 4", "what time do I take my medication?"),
    ("Dr. Okafor is my dentist, the office is on King Street", "who is my dentist?"),
    ("my landlord is Mr. Brzezinski, rent is due on the 1st", "what's my landlord's name?"),
    ("I moved into the new flat on Elm Road in February", "where do I live now?"),
    ("the wifi password at home is on the fridge magnet", "where did I put the wifi password?"),
    (
        "my therapist Jo said to try body doubling for boring tasks",
        "what did Jo suggest for boring tasks?",
    ),
    ("I'm allergic to penicillin", "am I allergic to any antibiotics?"),
    (
        "my manager is called Priya and our 1:1 is on Thursdays",
        "when is my one-on-one with my boss?",
    ),
    ("I parked the car on level 3 of the Grove garage", "where did I leave the car?"),
    ("the spare key is with my neighbour Tomasz", "who has my spare key?"),
    ("my passport expires in September 2027", "when does my passport run out?"),
    ("I promised Leo I'd help him move on the 14th", "what did I promise Leo?"),
    ("my gym membership renews on the 20th each month", "when does the gym charge me?"),
    ("I hate phone calls, texting is so much easier for me", "how do I prefer to communicate?"),
    (
        "my favourite takeaway is the pho place on Queen Street",
        "where do I like to order food from?",
    ),
    ("I'm trying to read 20 pages a night before bed", "what's my reading goal?"),
    ("the plumber's number is in my email from Hydroflow", "how do I reach the plumber?"),
    ("my mum's flight lands Friday at 6:40pm, terminal 2", "when does mom arrive?"),
    ("I put the tax documents in the blue folder in the hallway", "where are my tax papers?"),
    ("walks in the morning really help me focus", "what helps me concentrate?"),
    ("I owe Sam 40 dollars for the concert tickets", "how much money do I owe Sam?"),
    ("my bike lock code is the same as my old locker", "what's my bike lock combination?"),
    ("the cat's vet is Dr. Ramirez at Paws Clinic", "who is Miso's vet?"),
    ("my cat is called Miso and she's 4", "what's my cat's name?"),
    ("I switched to oat milk because dairy upsets my stomach", "why don't I drink regular milk?"),
    ("the book club is reading Piranesi this month", "which book is the book club reading?"),
    ("I want to be in bed by 11 on weeknights", "what time do I want to go to sleep?"),
    ("my car insurance is with Aviva, renewal in March", "who insures my car?"),
    ("I told Maya I'd send the slides by Wednesday", "when are the slides due for Maya?"),
    ("my bank card PIN reminder is in the password manager", "where can I find my card PIN hint?"),
    ("the library books are due back on the 9th", "when do the library books go back?"),
    (
        "I get overwhelmed in big supermarkets, small shops are better",
        "what kind of shops work better for me?",
    ),
    ("my brother Felix is getting married in Lisbon in August", "where is Felix's wedding?"),
    ("the recycling goes out on Tuesday nights", "which night is recycling?"),
    ("I started learning Spanish on Duolingo, 15 minutes a day", "which language am I learning?"),
    (
        "my doctor wants bloodwork before the next appointment",
        "what do I need before seeing the doctor?",
    ),
    ("the car needs an MOT before the end of May", "when is the car's inspection due?"),
    ("I'm saving for a trip to Japan next spring", "what am I saving money for?"),
    ("coffee after 2pm wrecks my sleep", "why shouldn't I drink coffee in the afternoon?"),
    # Identifiers people text once and later ask about by the code itself.
    ("the Ikea order is 4471-2290, delivery window is Saturday", "any news on order 4471-2290?"),
    ("mum is on flight BA117, it's on time so far", "is BA117 the flight I'm tracking?"),
    ("my NHS number is in the green notebook, page 12", "which page had the NHS number?"),
    ("council tax reference CT-88213 needs paying by the 15th", "what's CT-88213 for?"),
    ("the locker at the gym is 214, combination on my phone", "what's in locker 214?"),
    ("repair ticket #55902 for the laptop screen", "status of ticket 55902?"),
]

# People also search by a name or a rare word they remember (fact index, question).
BY_NAME = [
    (10, "what did I say about Tomasz?"),
    (17, "Hydroflow?"),
    (2, "remind me about Okafor"),
    (1, "Vyvanse timing?"),
    (26, "what's the Piranesi thing?"),
    (28, "anything about Aviva?"),
    (33, "Lisbon plans?"),
    (35, "Duolingo stuff"),
    (23, "what's at Paws Clinic?"),
    (9, "Grove garage?"),
]

FILLER = [
    "ugh, so tired today",
    "ok done with the dishes",
    "what's on my list?",
    "remind me later",
    "todo: reply to emails",
    "I keep getting distracted",
    "had a good morning actually",
    "can you give me one small thing to do",
    "done",
    "snooze 15",
    "not today",
    "thanks!",
    "I forgot to eat lunch again",
    "todo: call the bank",
    "back from the walk",
    "feeling a bit overwhelmed",
    "ok let's do this",
    "break it down please",
    "lol yes",
    "that worked, thanks",
    "todo: buy stamps",
    "I procrastinated all afternoon",
    "meh",
    "finished the report!!",
    "what should I do now?",
    "sorry I went quiet",
    "good night",
    "morning",
    "todo: water the plants",
    "skip",
    "I did 10 minutes of the thing",
    "hmm",
    "can we plan tomorrow",
    "I'm on the bus",
    "too many tabs open in my brain",
    "ok",
]


def main() -> None:
    rng = random.Random(20261123)
    start = datetime(2026, 8, 1, 9, 0, tzinfo=UTC)
    turns = [("filler", rng.choice(FILLER)) for _ in range(360)]
    slots = sorted(rng.sample(range(len(turns)), len(FACTS)))
    for slot, (index, (fact, _)) in zip(slots, enumerate(FACTS), strict=True):
        turns[slot] = (f"fact{index}", fact)
    lines, answers = [], {}
    moment = start
    for number, (kind, text) in enumerate(turns):
        moment += timedelta(minutes=rng.randint(20, 600))
        turn_id = f"t{number:04d}"
        if kind.startswith("fact"):
            answers[int(kind[4:])] = turn_id
        lines.append(
            {"id": turn_id, "text": text, "timestamp": moment.isoformat(), "speaker": None}
        )
    with open(HERE / "conversation.jsonl", "w") as out:
        for line in lines:
            out.write(json.dumps({k: v for k, v in line.items() if v is not None}) + "\n")
    with open(HERE / "questions.jsonl", "w") as out:
        for index, (_, question) in enumerate(FACTS):
            out.write(json.dumps({"question": question, "evidence": [answers[index]]}) + "\n")
        for index, question in BY_NAME:
            out.write(json.dumps({"question": question, "evidence": [answers[index]]}) + "\n")


if __name__ == "__main__":
    main()
