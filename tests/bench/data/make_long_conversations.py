"""Writes the long-conversation benchmark: two people chatting over many dated sessions.

In the shape of the public long-conversation benchmarks (LoCoMo): each conversation is two
named friends texting over 24-34 sessions a week or two apart, 300-700 turns; each turn is
ingested as a memory "Name: text" with the session's date as its timestamp. Questions name the
turns that answer them (ids `c{n}-s{session}-t{turn}`), of four kinds:

- single_hop: one fact, said once by one of them ("What does Melanie say running has been
  great for?"), half of them in other words than the fact's ("How does Melanie clear their
  head when stressed?"); the fact often answers the other's lead-in question ("How's the
  running going, Melanie?"), a turn that names the topic and the speaker but says nothing;
- multi_hop: two facts from two sessions, both needed (the dog she adopted, then what it did);
- temporal: "when did ...", and questions naming a month ("What did Jon bake in May 2023?")
  where the same kind of thing was said in other months too;
- adversarial: a fact one of them said, asked about the other, who never said it (the
  evidence is the turn that shows who did, as the public benchmark marks it).

The haystack is what makes it hard: greetings and thanks that name the other person ("Hey
Melanie! Just wanted to say hi!") in a large share of turns, small talk, and near-miss turns on
the same topics that do not answer ("Are you still running, Melanie?", "I need new running
shoes"), said by either speaker. Conversations 1-4 are the test set quoted in the README;
5-6 are the development set the fusion weights were chosen on.

Deterministic (seeded): run it again, get the same file, `long_conversations.jsonl` (turns)
and `long_questions.jsonl`.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).parent

# (fact, question, near misses, temporal question or None). "{O}" is the other speaker.
TOPICS = [
    (
        "I've been running farther to de-stress, which has been great for my headspace.",
        "What does {S} say running has been great for?",
        [
            "Are you still running, {O}?",
            "I need new running shoes, mine are falling apart.",
            "Sorry, I'm running late today!",
        ],
        "When did {S} say running was helping with stress?",
    ),
    (
        "I signed up for a pottery class at the community center, my first bowl came out wonky!",
        "Where is {S} taking a pottery class?",
        ["My aunt collects pottery, her house is full of it.", "Have you seen that pottery show?"],
        "When did {S} make a first bowl in pottery class?",
    ),
    (
        "We finally adopted a rescue cat, her name is Pepper and she loves the windowsill.",
        "What is the name of the cat {S} adopted?",
        ["My neighbour's cat keeps coming over, {O}.", "I'm more of a dog person honestly."],
        "When did {S} adopt a rescue cat?",
    ),
    (
        "I started volunteering at the food bank on Saturday mornings.",
        "Where does {S} volunteer on weekends?",
        ["Saturday mornings are my lazy time.", "Do you know anyone who volunteers, {O}?"],
        "When did {S} start volunteering?",
    ),
    (
        "My sister is getting married in Lisbon next spring, I'm the maid of honour!",
        "Where is {S}'s sister getting married?",
        ["Weddings always make me cry, {O}.", "My sister called me for an hour last night."],
        "When did {S} find out about being maid of honour?",
    ),
    (
        "I got promoted to team lead at the design studio!",
        "What position was {S} promoted to?",
        ["Work at the studio has been hectic.", "How's your team at work, {O}?"],
        "When did {S} get promoted?",
    ),
    (
        "I've been learning the guitar, I can finally play Wonderwall all the way through.",
        "Which song can {S} play on the guitar?",
        ["My dad used to play the guitar.", "Do you play any instruments, {O}?"],
        "When did {S} learn to play a whole song on guitar?",
    ),
    (
        "We went camping at Lake Tahoe and saw the Milky Way for the first time.",
        "What did {S} see while camping?",
        ["Camping is not my thing, too many bugs.", "We should plan a trip sometime, {O}."],
        "When did {S} go camping at Lake Tahoe?",
    ),
    (
        "I'm reading The Night Circus right now and I can't put it down.",
        "What book can't {S} put down?",
        ["I haven't read a book in ages.", "Any book recommendations, {O}?"],
        None,
    ),
    (
        "My grandma taught me her recipe for plum dumplings over the weekend.",
        "What recipe did {S}'s grandma teach?",
        ["I burned dinner again last night.", "My grandma lives far away now."],
        "When did {S} learn the dumpling recipe?",
    ),
    (
        "I ran my first half marathon in Portland, finished in just under two hours!",
        "How long did {S}'s first half marathon take?",
        ["Portland is so rainy this time of year.", "I could never run that far, {O}."],
        "When did {S} run a half marathon?",
    ),
    (
        "The kids and I painted a mural of sunflowers on the garage door.",
        "What did {S} paint with the kids?",
        ["The kids have been so loud this week.", "Our garage is a total mess, {O}."],
        "When did {S} paint the garage mural?",
    ),
    (
        "I joined a support group for new parents and it helped me feel less alone.",
        "How did the support group make {S} feel?",
        ["Being a parent is exhausting, {O}.", "A friend of mine runs a book group."],
        "When did {S} join the support group?",
    ),
    (
        "I bought a used kayak and took it out on the river, it was so peaceful.",
        "What did {S} buy to take out on the river?",
        ["The river flooded last spring.", "I've always wanted to try paddleboarding."],
        "When did {S} first take the kayak out?",
    ),
    (
        "My doctor told me I'm allergic to shellfish, so no more shrimp for me.",
        "What is {S} allergic to?",
        ["I had a check-up with my doctor.", "Shrimp tacos sound amazing right now, {O}."],
        "When did {S} find out about the allergy?",
    ),
    (
        "I'm applying to a master's program in marine biology.",
        "What is {S} applying to study?",
        ["School feels like forever ago.", "My cousin studies biology, {O}."],
        "When did {S} start applying to a master's program?",
    ),
    (
        "We're renovating the kitchen, going with dark green cabinets.",
        "What colour are {S}'s new kitchen cabinets?",
        ["Our kitchen is tiny, {O}.", "I love the colour green in general."],
        "When did {S} start the kitchen renovation?",
    ),
    (
        "I took up birdwatching and spotted a great blue heron by the pond.",
        "Which bird did {S} spot by the pond?",
        ["There are so many birds outside my window in the morning.", "The pond froze over."],
        "When did {S} spot the heron?",
    ),
    (
        "My son scored the winning goal at his soccer game, I screamed so loud.",
        "What did {S}'s son do at his soccer game?",
        ["Soccer practice is every Tuesday.", "Do your kids play any sports, {O}?"],
        "When did {S}'s son score the winning goal?",
    ),
    (
        "I've been doing yoga every morning, it really helps with my back pain.",
        "What does yoga help {S} with?",
        ["My back is killing me after moving boxes.", "I tried a yoga video once, {O}."],
        None,
    ),
    (
        "I performed at an open mic night and read one of my own poems.",
        "What did {S} do at the open mic night?",
        ["Open mic nights are so nerve-wracking.", "I wrote poems as a teenager, {O}."],
        "When did {S} perform at an open mic?",
    ),
    (
        "We visited my parents in Vermont and went apple picking.",
        "What did {S} do in Vermont?",
        ["Vermont is beautiful in the fall.", "I need to call my parents more, {O}."],
        "When did {S} visit family in Vermont?",
    ),
    (
        "I finally fixed up my grandpa's old bike and rode it to work.",
        "Whose old bike did {S} fix up?",
        ["I got a flat tire last week.", "Riding to work sounds so nice, {O}."],
        "When did {S} ride the fixed-up bike to work?",
    ),
    (
        "I started a vegetable garden, the tomatoes are coming in great.",
        "What is growing well in {S}'s garden?",
        ["Gardening takes so much patience.", "I killed another houseplant, {O}."],
        "When did {S} start the vegetable garden?",
    ),
    (
        "I adopted a puppy named Biscuit, he's a beagle mix.",
        "What breed is {S}'s puppy?",
        ["Puppies are so much work.", "My neighbour's dog barks all night, {O}."],
        "When did {S} adopt the puppy?",
    ),
    (
        "I went to a concert by The Lumineers and cried during Ho Hey.",
        "Which band's concert did {S} go to?",
        ["Concert tickets are so expensive now.", "What music are you into lately, {O}?"],
        "When did {S} go to the concert?",
    ),
    (
        "My best friend from college, Priya, moved to Seattle for a job at a hospital.",
        "Where did {S}'s college friend move?",
        ["College feels like a lifetime ago, {O}.", "I've never been to the west coast."],
        None,
    ),
    (
        "I've been baking sourdough bread, my starter is called Doughy McDoughface.",
        "What is the name of {S}'s sourdough starter?",
        ["I can't bake to save my life.", "The bakery near me closed, {O}."],
        None,
    ),
    (
        "I got my first tattoo, a small wave on my wrist for my love of the ocean.",
        "What tattoo did {S} get?",
        ["My mom hates tattoos.", "I love the ocean too, {O}."],
        "When did {S} get a tattoo?",
    ),
    (
        "I'm training for a charity swim across the bay to raise money for the animal shelter.",
        "What is {S}'s charity swim raising money for?",
        ["The pool at my gym is always crowded.", "I donated to a shelter last year, {O}."],
        "When did {S} start training for the charity swim?",
    ),
]

# Per topic: the question in other words, and the lead-in the other speaker asks first
# (which names the topic and the speaker: a near miss the answer follows).
ASKED_OTHERWISE = [
    ("How does {S} clear their head when stressed?", "How's the running going, {S}?"),
    ("What is {S} making with clay these days?", "{S}, did you end up trying that class?"),
    ("What did {S} name the new pet?", "Any news on the shelter, {S}?"),
    ("How does {S} spend Saturday mornings?", "What are you up to on weekends now, {S}?"),
    ("Which city is {S}'s sister's wedding in?", "How's your sister doing, {S}?"),
    ("What new job does {S} have at the studio?", "How's work going, {S}?"),
    ("What can {S} play all the way through now?", "Still practising that instrument, {S}?"),
    ("What did {S} see in the night sky on the trip?", "How was the lake trip, {S}?"),
    ("Which novel is {S} hooked on?", "Reading anything good, {S}?"),
    ("What did {S} learn to cook from their grandmother?", "What did you do this weekend, {S}?"),
    ("What was {S}'s finishing time in Portland?", "How did the race go, {S}?"),
    ("What flowers are on {S}'s garage?", "What did you and the kids get up to, {S}?"),
    (
        "What did {S} get out of meeting other new parents?",
        "How are you coping with the baby, {S}?",
    ),
    ("What boat did {S} get?", "Did you get out on the water, {S}?"),
    ("Which food can {S} not eat anymore?", "What did the doctor say, {S}?"),
    (
        "What subject does {S} want a graduate degree in?",
        "Thinking about going back to school, {S}?",
    ),
    ("What did {S} pick for the cabinets?", "How's the renovation, {S}?"),
    ("What did {S} see on a birding walk?", "Seen anything cool outside lately, {S}?"),
    ("How did {S}'s boy win the match?", "How was the game, {S}?"),
    ("Why does {S} stretch every morning?", "How's your back, {S}?"),
    ("What did {S} share on stage?", "How was your night out, {S}?"),
    ("What did {S} pick with their parents?", "How was the visit home, {S}?"),
    ("What did {S} repair and ride to work?", "How are you getting to work these days, {S}?"),
    ("Which vegetables are doing well for {S}?", "How's the backyard project, {S}?"),
    ("What kind of dog did {S} get?", "How's the new family member, {S}?"),
    ("Which song made {S} cry at the show?", "How was the show, {S}?"),
    ("Which city did {S}'s friend Priya move to?", "Heard from your college friends lately, {S}?"),
    ("What did {S} call the bread starter?", "Still baking, {S}?"),
    ("What design did {S} get inked?", "You said you had news, {S}?"),
    ("Who benefits from {S}'s swim across the bay?", "How's the training going, {S}?"),
]

# (fact in an early session, fact in a later one, question needing both)
PAIRS = [
    (
        "We're adopting a golden retriever from the shelter this weekend!",
        "Our golden retriever chewed through my favourite pair of sandals.",
        "What did the dog {S} adopted from the shelter chew up?",
    ),
    (
        "I started taking Spanish lessons at the library.",
        "Practising Spanish finally paid off, I ordered dinner in Mexico City without English.",
        "Where did {S} get to use the language from the library lessons?",
    ),
    (
        "My brother Marco opened a little bakery downtown.",
        "Marco's croissants sold out before noon on Saturday!",
        "What sold out at {S}'s brother's bakery?",
    ),
    (
        "I've been painting landscapes in watercolour on Sunday afternoons.",
        "A gallery on Fifth Street is showing two of my lake paintings next month.",
        "Where will {S}'s watercolour landscapes be shown?",
    ),
    (
        "My daughter Lily has been obsessed with dinosaurs lately.",
        "We took Lily to the natural history museum and she wouldn't leave the fossil hall.",
        "Which part of the museum did {S}'s dinosaur-loving daughter not want to leave?",
    ),
    (
        "I'm saving up for a trip to Japan in the autumn.",
        "Kyoto was magical, the temples in the rain were unreal.",
        "Which city did {S} love on the trip they saved for?",
    ),
    (
        "I joined a hiking club that meets on the first Sunday of the month.",
        "The hiking club did the Eagle Peak trail and I made it to the top!",
        "Which trail did {S}'s club climb?",
    ),
    (
        "My mom had knee surgery and I've been helping her at home.",
        "Mom's walking without the cane now, physical therapy worked wonders.",
        "How is {S}'s mother doing after her operation?",
    ),
]

# The same kind of thing in two months: asked by month. (thing, two facts, question, months)
DATED = [
    (
        "bake",
        "I baked a lemon tart for the neighbours.",
        "I baked cinnamon rolls for the office.",
        "What did {S} bake in {month}?",
    ),
    (
        "read",
        "Just finished reading Circe, what a story.",
        "Now I'm reading Project Hail Mary.",
        "Which book was {S} reading in {month}?",
    ),
    (
        "trip",
        "We took a weekend trip to the coast, the beach was freezing.",
        "We spent a weekend in the mountains at a little cabin.",
        "Where did {S} go for a weekend in {month}?",
    ),
    (
        "class",
        "I tried a salsa dancing class with my partner.",
        "I took a knife skills cooking class downtown.",
        "What class did {S} take in {month}?",
    ),
]

GREETINGS = [
    "Hey {O}! Just wanted to say hi!",
    "Hi {O}, how's it going?",
    "Hey {O}! Long time no chat, how have you been?",
    "Good morning {O}! Hope your week is going well.",
    "Hey {O}, I was just thinking about you!",
    "Hi {O}! Sorry it took me a while to reply.",
]
REPLIES = [
    "Hey {O}! So good to hear from you.",
    "Hi {O}! I'm doing well, thanks for asking.",
    "{O}! I was hoping you'd text, it's been a crazy week.",
    "Hey {O}, all good here. What's new with you?",
    "Hi {O}, it's been a while! How are things?",
]
REACTIONS = [
    "Wow, {O}, that's amazing!",
    "That's so cool, {O}! I'm really happy for you.",
    "Thanks {O}, that means a lot to me.",
    "Haha, totally, {O}.",
    "That sounds wonderful, {O}. How did it go?",
    "Oh no, I'm sorry to hear that, {O}.",
    "You're the best, {O}!",
    "I'm so proud of you, {O}!",
    "That's awesome! Tell me more.",
    "That's great, {O}!",
    "Great to hear, {O}. Say hi to everyone for me.",
    "Sounds great! What did you think of it?",
    "Aw, that's so sweet.",
    "No way! That's incredible.",
    "I totally get that, it's been a lot lately.",
    "That makes sense. Take care of yourself.",
]
SMALL_TALK = [
    "Work has been so busy lately, I barely have time to breathe.",
    "The weather has been so nice this week.",
    "I've been trying to get more sleep, it's harder than it sounds.",
    "I binge-watched a whole series over the weekend.",
    "My phone screen cracked again, ugh.",
    "I've been drinking way too much coffee.",
    "Traffic was terrible this morning.",
    "I'm thinking of redecorating the living room.",
    "I had the best tacos at a new place downtown.",
    "Can't believe how fast this year is going.",
    "I'm so ready for the weekend.",
    "I've been trying to cook at home more often.",
    "My allergies have been acting up.",
    "Family dinner was chaotic as always.",
    "I should really clean out my closet.",
]
CLOSINGS = [
    "Take care, {O}! Talk soon.",
    "Bye {O}, let's catch up again soon!",
    "Gotta run, {O}. Have a great day!",
    "Talk later, {O}! Good luck with everything.",
]

CONVERSATIONS = [
    # (speaker A, speaker B, seed, split)
    ("Caroline", "Melanie", 101, "test"),
    ("Jon", "Gina", 202, "test"),
    ("Audrey", "Andrew", 303, "test"),
    ("Deborah", "Jolene", 404, "test"),
    ("Tim", "John", 505, "dev"),
    ("Nate", "Joanna", 606, "dev"),
]
MONTH_NAMES = [
    "January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December",
]  # fmt: skip

# The example, kept in conversation 1: the question names Melanie (in half the turns);
# the answering turn is the only one about what running has been great for.
MELANIE_FACT = TOPICS[0]


def build(number: int, a: str, b: str, seed: int) -> tuple[list[dict], list[dict]]:
    rng = random.Random(seed)
    speakers = (a, b)
    topics = list(range(len(TOPICS)))
    rng.shuffle(topics)
    if number == 1:  # the Melanie example: running is Melanie's fact
        topics.remove(0)
        topics.insert(1, 0)
    per_speaker = rng.randint(9, 12)
    owned = {a: topics[0 : 2 * per_speaker : 2], b: topics[1 : 2 * per_speaker : 2]}
    pairs = rng.sample(range(len(PAIRS)), 4)
    dated = rng.sample(range(len(DATED)), 3)
    sessions = rng.randint(24, 34)
    start = datetime(2023, 1, 5, 14, 0, tzinfo=UTC) + timedelta(days=rng.randint(0, 40))
    dates = []
    day = start
    for _ in range(sessions):
        dates.append(day)
        day += timedelta(days=rng.randint(6, 14), hours=rng.randint(-3, 3))

    # What each session holds: (speaker, kind, payload)
    plan: list[list[tuple[str, str, object]]] = [[] for _ in range(sessions)]
    for speaker in speakers:
        for topic in owned[speaker]:
            plan[rng.randrange(sessions)].append((speaker, "fact", topic))
    for index, pair in enumerate(pairs):
        speaker = speakers[index % 2]
        first = rng.randrange(0, sessions // 2)
        second = rng.randrange(first + 3, sessions)
        plan[first].append((speaker, "pair1", pair))
        plan[second].append((speaker, "pair2", pair))
    for index, kind in enumerate(dated):
        speaker = speakers[(index + 1) % 2]
        first, second = sorted(rng.sample(range(sessions), 2))
        while dates[first].month == dates[second].month:
            first, second = sorted(rng.sample(range(sessions), 2))
        plan[first].append((speaker, "dated1", kind))
        plan[second].append((speaker, "dated2", kind))
    # Near misses: every topic either speaker owns, said elsewhere, by either of them.
    for topic in owned[a] + owned[b]:
        for line in TOPICS[topic][2]:
            plan[rng.randrange(sessions)].append((rng.choice(speakers), "near", line))

    turns: list[dict] = []
    evidence: dict[tuple, str] = {}
    for s, session in enumerate(plan, 1):
        rng.shuffle(session)
        opener = rng.choice(speakers)
        other = b if opener == a else a
        lines: list[tuple[str, str, tuple | None]] = [
            (opener, rng.choice(GREETINGS).format(O=other), None),
            (other, rng.choice(REPLIES).format(O=opener), None),
        ]
        for speaker, kind, payload in session:
            listener = b if speaker == a else a
            if kind == "fact":
                text = TOPICS[payload][0]
                key = ("fact", payload)
            elif kind in ("pair1", "pair2"):
                text = PAIRS[payload][0 if kind == "pair1" else 1]
                key = (kind, payload)
            elif kind in ("dated1", "dated2"):
                text = DATED[payload][1 if kind == "dated1" else 2]
                key = (kind, payload)
            else:
                text, key = payload.format(O=listener), None
            if rng.random() < 0.5:
                lines.append((speaker, rng.choice(SMALL_TALK), None))
            if kind == "fact" and rng.random() < 0.6:
                lead_in = ASKED_OTHERWISE[payload][1].format(S=speaker)
                lines.append((listener, lead_in, None))
            lines.append((speaker, text, key))
            lines.append((listener, rng.choice(REACTIONS).format(O=speaker), None))
        for _ in range(rng.randint(3, 8)):
            speaker = rng.choice(speakers)
            other = b if speaker == a else a
            pick = rng.random()
            if pick < 0.45:
                lines.append((speaker, rng.choice(SMALL_TALK), None))
            else:
                lines.append((speaker, rng.choice(REACTIONS).format(O=other), None))
        closer = rng.choice(speakers)
        lines.append((closer, rng.choice(CLOSINGS).format(O=b if closer == a else a), None))
        for t, (speaker, text, key) in enumerate(lines, 1):
            turn_id = f"c{number}-s{s}-t{t}"
            stamp = dates[s - 1] + timedelta(minutes=2 * t)
            turns.append(
                {"id": turn_id, "speaker": speaker, "text": text, "timestamp": stamp.isoformat()}
            )
            if key is not None:
                evidence[key] = turn_id

    def month_of(turn_id: str) -> str:
        session = int(turn_id.split("-")[1][1:])
        when = dates[session - 1]
        return f"{MONTH_NAMES[when.month - 1]} {when.year}"

    questions: list[dict] = []
    for speaker in speakers:
        other = b if speaker == a else a
        for n, topic in enumerate(owned[speaker]):
            fact_turn = evidence[("fact", topic)]
            _, question, _, temporal = TOPICS[topic]
            if rng.random() < 0.5:  # half the questions in other words than the fact's
                question = ASKED_OTHERWISE[topic][0]
            questions.append(
                {"question": question.format(S=speaker), "evidence": [fact_turn],
                 "kind": "single_hop"}
            )  # fmt: skip
            if temporal:
                questions.append(
                    {"question": temporal.format(S=speaker), "evidence": [fact_turn],
                     "kind": "temporal"}
                )  # fmt: skip
            if n % 3 == 0:  # asked about the one who never said it
                questions.append(
                    {"question": question.format(S=other), "evidence": [fact_turn],
                     "kind": "adversarial"}
                )  # fmt: skip
    for index, pair in enumerate(pairs):
        speaker = speakers[index % 2]
        questions.append(
            {"question": PAIRS[pair][2].format(S=speaker),
             "evidence": [evidence[("pair1", pair)], evidence[("pair2", pair)]],
             "kind": "multi_hop"}
        )  # fmt: skip
    for index, kind in enumerate(dated):
        speaker = speakers[(index + 1) % 2]
        for which in ("dated1", "dated2"):
            turn = evidence[(which, kind)]
            asked = DATED[kind][3].format(S=speaker, month=month_of(turn))
            questions.append({"question": asked, "evidence": [turn], "kind": "temporal"})
    for q in questions:
        q["conversation"] = number
    return turns, questions


def write_set(name: str, conversations, build) -> None:
    """Every conversation built (`build(number, a, b, seed)` -> turns, questions), numbered
    and split, written as `{name}_conversations.jsonl` and `{name}_questions.jsonl`."""
    all_turns, all_questions = [], []
    for number, (a, b, seed, split) in enumerate(conversations, 1):
        turns, questions = build(number, a, b, seed)
        all_turns += [t | {"conversation": number} for t in turns]
        all_questions += [q | {"split": split} for q in questions]
    (HERE / f"{name}_conversations.jsonl").write_text(
        "".join(json.dumps(t) + "\n" for t in all_turns)
    )
    (HERE / f"{name}_questions.jsonl").write_text(
        "".join(json.dumps(q) + "\n" for q in all_questions)
    )


def main() -> None:
    write_set("long", CONVERSATIONS, build)


if __name__ == "__main__":
    main()
