"""Writes the memory benchmark's sets: one person's texts over three months, and questions.

Facts are stated once, in passing, among everyday turns; each question names the turn that
answers it. Some questions reuse a rare word from the fact (lexical search shines), some only
paraphrase it (vector search shines). Two haystacks around the same facts:

- `conversation.jsonl` / `questions.jsonl` (480 turns): besides small talk, near-miss texts on
  the same topics that do not answer the questions ("the dentist appointment got moved", "mum
  called about Christmas"), as real months of texting have. This is the set quoted.
- `conversation_filler.jsonl` / `questions_filler.jsonl` (360 turns): small talk only, the
  first set written; kept because it shows what an easy haystack hides.

Deterministic: run it again, get the same files.
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
    # Identifiers people text once and later ask about by the code itself (FIRST_CODE_FACT on).
    ("the Ikea order is 4471-2290, delivery window is Saturday", "any news on order 4471-2290?"),
    ("mum is on flight BA117, it's on time so far", "is BA117 the flight I'm tracking?"),
    ("my NHS number is in the green notebook, page 12", "which page had the NHS number?"),
    ("council tax reference CT-88213 needs paying by the 15th", "what's CT-88213 for?"),
    ("the locker at the gym is 214, combination on my phone", "what's in locker 214?"),
    ("repair ticket #55902 for the laptop screen", "status of ticket 55902?"),
]
FIRST_CODE_FACT = 40

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

# And by a name or code together with other words than the fact's (fact index, question): one
# for every fact that holds a name or a code, the way people ask about someone or something.
NAME_IN_OTHER_WORDS = [
    (0, "is there a date I need to keep in mind for Anna?"),
    (1, "when does the Vyvanse stop working?"),
    (2, "where is Okafor's practice?"),
    (3, "when does Brzezinski expect the money?"),
    (4, "when did I get to Elm Road?"),
    (6, "what trick did Jo give me?"),
    (7, "can I be given penicillin?"),
    (8, "which day do I meet Priya?"),
    (9, "which floor at Grove?"),
    (10, "what is Tomasz holding onto for me?"),
    (12, "what day am I helping Leo?"),
    (15, "what's on Queen Street that I like?"),
    (17, "is Hydroflow the plumbing company?"),
    (21, "what's the debt with Sam about?"),
    (23, "where does Ramirez work?"),
    (24, "how old is Miso?"),
    (25, "why did I go for oat milk?"),
    (28, "when is Aviva renewing?"),
    (29, "what does Maya need from me?"),
    (33, "when is Felix's big day?"),
    (35, "how long do I practise on Duolingo?"),
    (36, "why do I need bloodwork?"),
    (37, "when's the MOT deadline?"),
    (38, "when is the Japan trip?"),
    (40, "when is the Ikea stuff arriving?"),
    (41, "what's the status of BA117?"),
    (42, "where's my NHS number written down?"),
    (43, "when is CT-88213 due?"),
    (44, "where's the code for locker 214?"),
    (45, "what's #55902 about?"),
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


# Near-miss turns: the same topics as the facts, answering none of the questions (and naming
# none of the names or codes people search by).
TOPICAL = [
    "Anna called, she's stressed about work",
    "need to buy a birthday card for someone at work",
    "forgot my meds this morning, feel scattered",
    "pharmacy says the prescription is ready",
    "the dentist appointment got moved to next week ugh",
    "my tooth has been aching since Sunday",
    "rent went up again, great",
    "the boiler is broken and nobody has come to fix it",
    "still unpacking boxes, the kitchen is chaos",
    "the new neighbours are loud tonight",
    "the wifi keeps dropping, so annoying",
    "a friend asked for the wifi and I blanked",
    "therapy was hard today but good",
    "I can't start boring tasks, they just sit there",
    "got a rash after dinner, probably nothing",
    "the doctor gave me something for the sinus infection",
    "work meeting ran over again",
    "my boss liked the report apparently",
    "can't find my car keys anywhere",
    "parking in town is a nightmare",
    "locked myself out for five minutes lol",
    "the neighbour's dog barked all night",
    "need to book flights for the summer",
    "where did I put my driving licence",
    "Leo wants to get drinks on Friday",
    "helping people move is the worst, my back hurts",
    "skipped the gym again",
    "went to the gym, my legs are dead",
    "missed a call from an unknown number",
    "I'll answer the group chat later",
    "ordered pizza again, no energy to cook",
    "trying to eat more vegetables this week",
    "finished my book!",
    "stayed up too late scrolling",
    "the kitchen tap is dripping again",
    "my inbox is a disaster",
    "mum called about Christmas plans",
    "need to clean the flat before the visit",
    "the tax deadline is coming up, panicking a bit",
    "the hallway is full of shoes and bags",
    "couldn't focus at all this afternoon",
    "the morning was a total write-off",
    "the concert was amazing",
    "Sam says hi",
    "my bike has a flat tyre",
    "rode to work today!",
    "the vet clinic called but I missed it",
    "the cat knocked my coffee over",
    "cat food is so expensive now",
    "stomach ache again today",
    "finally bought groceries",
    "book club was fun tonight",
    "haven't started the reading for next week",
    "went to bed at 2am oops",
    "slept badly, so tired",
    "the insurance letter came, haven't opened it",
    "the car is making a weird noise",
    "Maya asked how the project is going",
    "working on the presentation, it's slow",
    "locked out of my banking app",
    "I need to change all my passwords",
    "went to the library to get some work done",
    "lost a book somewhere in the flat",
    "the supermarket was packed, I left without half the list",
    "I feel so overwhelmed in crowds",
    "need to find something to wear for the wedding",
    "Felix sent the save the date",
    "forgot to put the bins out again",
    "my Spanish is still terrible",
    "practised on a language app for 5 minutes on the bus",
    "blood tests make me so nervous",
    "booked a doctor's appointment finally",
    "the car wouldn't start this morning",
    "the garage says the car needs new tyres",
    "looked at flights to Tokyo just for fun",
    "trying to spend less on takeaways",
    "third coffee today, probably a mistake",
    "the delivery didn't come today",
    "the furniture is still in boxes",
    "mum's trip is stressing me out",
    "the airport is so far away",
    "need to register with a new GP",
    "found an old notebook full of lists",
    "a letter from the council arrived",
    "paid the electricity bill",
    "someone took my usual locker at the gym",
    "the gym changing room was packed",
    "the laptop screen is flickering again",
    "the repair shop hasn't called back",
]


def write(turn_count: int, near_misses: list[str], suffix: str) -> None:
    rng = random.Random(20261123)
    start = datetime(2026, 8, 1, 9, 0, tzinfo=UTC)
    turns = [("filler", rng.choice(FILLER)) for _ in range(turn_count)]
    slots = sorted(rng.sample(range(len(turns)), len(FACTS)))
    for slot, (index, (fact, _)) in zip(slots, enumerate(FACTS), strict=True):
        turns[slot] = (f"fact{index}", fact)
    if near_misses:
        free = [n for n in range(len(turns)) if n not in set(slots)]
        for slot, text in zip(rng.sample(free, len(near_misses)), near_misses, strict=True):
            turns[slot] = ("near-miss", text)
    lines, answers = [], {}
    moment = start
    for number, (kind, text) in enumerate(turns):
        moment += timedelta(minutes=rng.randint(20, 600 * 360 // turn_count))
        turn_id = f"t{number:04d}"
        if kind.startswith("fact"):
            answers[int(kind[4:])] = turn_id
        lines.append(
            {"id": turn_id, "text": text, "timestamp": moment.isoformat(), "speaker": None}
        )
    with open(HERE / f"conversation{suffix}.jsonl", "w") as out:
        for line in lines:
            out.write(json.dumps({k: v for k, v in line.items() if v is not None}) + "\n")
    with open(HERE / f"questions{suffix}.jsonl", "w") as out:
        for index, (_, question) in enumerate(FACTS):
            kind = "by_code" if index >= FIRST_CODE_FACT else "as_people_ask"
            line = {"question": question, "evidence": [answers[index]], "kind": kind}
            out.write(json.dumps(line) + "\n")
        for kind, asked in (("by_name", BY_NAME), ("name_in_other_words", NAME_IN_OTHER_WORDS)):
            for index, question in asked:
                line = {"question": question, "evidence": [answers[index]], "kind": kind}
                out.write(json.dumps(line) + "\n")


def main() -> None:
    write(480, TOPICAL, "")
    write(360, [], "_filler")


if __name__ == "__main__":
    main()
