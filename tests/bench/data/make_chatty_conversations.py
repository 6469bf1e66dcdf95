"""Writes the chatty long-conversation benchmark, the one where the vector path is weak.

The hard set (`make_hard_conversations.py`) has short turns, one fact each, so a contextual
embedder finds nearly all of its evidence (MiniLM ~97 at 10). Real long chats between two
friends are not like that; this set builds what makes them hard for both paths:

- Long, chatty turns (most of 15-45 words, two or three sentences): an opener that addresses
  the other ("Thanks, Leah!", "Wow Marcus,"), the fact buried among other talk, and often a
  question back ("What about you?").
- Answers that lean on the previous turn for their topic: the other's lead-in names it ("What
  got you into pottery, Leah?"), the answer does not ("Honestly it started because a coworker
  dragged me to a trial class...").
- The same topics by both speakers in many sessions, each with facts of the same kind and
  other details (she made a mug, he made a vase), topic talk that answers nothing, emotional
  support and "Here's a pic of..." shares.
- Third-person questions, three in ten single-hop ones in other words than the turn:
  single-hop, multi-hop (two to four turns from two sessions or more: "What things has Leah
  made in pottery class?", "What activities does Leah partake in?"), temporal ("When did Leah
  ...?", the turn says "yesterday" or "last week" and the session date is the answer),
  adversarial (asked about the other speaker, who said nothing of the kind; the evidence is
  the turn where the owner said it) and open-domain ("Would Leah likely enjoy ...?").

The shares below were set against the baselines only (MiniLM alone, a textbook BM25), never
against Nudge's own ranking.

Conversations 1-5 are the test split; 6-7 are the development split, the only one anything may
be tuned on. Deterministic (seeded), no network: `chatty_conversations.jsonl` (turns, ids
`k{n}-s{session}-t{turn}`) and `chatty_questions.jsonl`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from make_long_conversations import write_set


@dataclass(frozen=True)
class Fact:
    """One kind of fact on a topic. `say` never names the topic (it may answer a lead-in);
    `named` does, for the turns that bring it up unprompted. `{v}` is one of `values`, a
    different one for each speaker (and each time the owner says it again)."""

    say: str
    named: str
    values: tuple[str, ...]
    question: str  # in the turn's words
    asked_otherwise: str  # in other words
    listed: str  # the list question when the owner says it in two or more sessions
    when: str | None = None  # the temporal question, when the turn dates it ("yesterday")


@dataclass(frozen=True)
class Topic:
    name: str
    talk: tuple[str, ...]  # topic talk that answers nothing, either speaker
    lead_ins: tuple[str, ...]  # the listener's question that names the topic
    facts: tuple[Fact, ...]
    activity: str  # how the multi-hop "what activities" answer names it
    would: str  # open-domain: "Would {S} likely enjoy ...?"
    shares: tuple[str, ...] = field(default=())


T = Topic
F = Fact
TOPICS = [
    T("pottery",
      ("I spent the whole afternoon at the pottery studio again, clay everywhere!",
       "Pottery is so messy, I'm still scrubbing clay out from under my nails.",
       "Our pottery teacher says centering the clay is the hardest part and she's right.",
       "I keep watching pottery videos at night instead of sleeping, it's so soothing."),
      ("What got you into pottery, {O}?", "How's the pottery going, {O}?",
       "Wait, you're doing pottery now? What have you made?"),
      (F("I finally finished {v} and it came out way better than I expected",
         "At my pottery class this week I finished {v} and it came out better than I expected",
         ("a lopsided blue mug", "a set of tiny bowls", "a tall flower vase", "a plate with "
          "sunflowers painted on it", "a little planter for my succulents", "a teapot with a "
          "cracked lid"),
         "What did {S} make in pottery class?", "What piece did {S} finish at the clay studio?",
         "What things has {S} made in pottery class?"),
       F("honestly it started because {v}, and now it's my happy place",
         "Honestly I got into pottery because {v}, and now it's my happy place",
         ("my grandma had a wheel in her basement", "a coworker dragged me to a trial class",
          "my therapist said I needed something with my hands", "I saw a workshop flyer at the "
          "library"),
         "Why did {S} get into pottery?", "What got {S} into working with clay?",
         "What got {S} into pottery?")),
      "pottery", "Would {S} likely enjoy a ceramics workshop?",
      ("Here's a pic of the bowls drying on the shelf!",)),
    T("running",
      ("I went for a run this morning and the weather was perfect for it.",
       "My running shoes are falling apart, I need to get new ones soon.",
       "Running in the rain is underrated, it's kind of magical.",
       "I've been trying to run a little farther each week."),
      ("Wow! What got you into running, {O}?", "Are you still running, {O}?",
       "How's the running going these days, {O}?"),
      (F("this has been great for {v}, I'm gonna keep it up",
         "Running has been great for {v}, I'm gonna keep it up",
         ("my mental health", "my sleep", "clearing my head after work", "my confidence",
          "dealing with my anxiety"),
         "What does {S} say running has been great for?", "How has jogging helped {S}?",
         "What has running done for {S}?"),
       F("I did {v} {when} and I didn't stop once",
         "I ran {v} {when} and I didn't stop once",
         ("a charity 5k", "a 10k", "a trail race up the hill", "a half marathon"),
         "What race did {S} run?", "What event did {S} complete on foot?",
         "What races has {S} run?", "When did {S} run {v}?")),
      "running", "Would {S} likely enjoy a marathon?"),
    T("camping",
      ("Camping season is almost here, I can't wait to get out of the city.",
       "Nothing beats sitting by a campfire and just looking at the stars.",
       "Our tent leaks a little but honestly that's part of the charm.",
       "I love the smell of the woods in the morning."),
      ("Ooh, where did you go camping, {O}?", "How was the camping trip, {O}?",
       "Do you guys go camping a lot, {O}?"),
      (F("we went to {v} {when} with the kids and roasted marshmallows every night",
         "We went camping at {v} {when} and roasted marshmallows every night",
         ("the lake up north", "the beach", "the mountains", "a forest by the river",
          "a state park near the coast"),
         "Where did {S} go camping?", "Where did {S} spend nights in a tent?",
         "Where has {S} gone camping?", "When did {S} go camping at {v}?"),
       F("the best part was {v}, I'll never forget it",
         "The best part of camping was {v}, I'll never forget it",
         ("seeing the Perseid meteor shower", "watching a family of deer at dawn",
          "the kids catching their first fish", "hiking to a waterfall"),
         "What was the best part of {S}'s camping trip?",
         "What did {S} enjoy most about sleeping outdoors?",
         "What moments from camping does {S} remember?")),
      "camping", "Would {S} likely enjoy a week at a national park?",
      ("Check out this view from our campsite!",)),
    T("painting",
      ("I set up my easel by the window, the light there is amazing.",
       "Painting is my way to unwind after a long day.",
       "I bought way too many brushes at the art store again.",
       "I've been watching painting tutorials, they're so relaxing."),
      ("That's gorgeous, {O}! What inspired the painting?", "Are you still painting, {O}?",
       "What have you been painting lately, {O}?"),
      (F("I just finished {v}, it took me almost three weeks",
         "I just finished a painting of {v}, it took me almost three weeks",
         ("a sunset over the lake", "my dog asleep on the couch", "a field of sunflowers",
          "the view from my balcony", "an abstract piece in blues and greens"),
         "What did {S} just finish a painting of?", "What was the subject of {S}'s latest canvas?",
         "What has {S} painted?"),
       F("it was inspired by {v}, I wanted to hold onto that feeling",
         "My painting was inspired by {v}, I wanted to hold onto that feeling",
         ("a trip to the coast", "my late grandfather", "a walk in the autumn woods",
          "the way my kids laugh"),
         "What inspired {S}'s painting?", "Where did {S} get the idea for the artwork?",
         "What has inspired {S}'s paintings?")),
      "painting", "Would {S} likely enjoy a visit to an art museum?",
      ("Here's a pic of the canvas, still a bit wet!",)),
    T("kids",
      ("The kids have been bouncing off the walls all week, it's a lot!",
       "Being a parent is exhausting but I wouldn't trade it for anything.",
       "We had a family movie night and everyone fell asleep halfway through.",
       "My kids keep asking when summer break starts."),
      ("How are the kids doing, {O}?", "Aw, what are the little ones up to, {O}?",
       "Your kids are so cute, {O}! What are they into lately?"),
      (F("my oldest just started {v} and she's obsessed",
         "My kids are doing great, my oldest just started {v} and she's obsessed",
         ("piano lessons", "soccer", "a coding club", "ballet", "swim team"),
         "What is {S}'s oldest obsessed with?", "What new hobby did {S}'s eldest pick up?",
         "What activities are {S}'s kids doing?"),
       F("we took them to {v} {when} and they didn't stop talking about it",
         "We took the kids to {v} {when} and they didn't stop talking about it",
         ("the aquarium", "the science museum", "a pumpkin patch", "the zoo",
          "a water park"),
         "Where did {S} take the kids?", "What outing did {S} plan for the family?",
         "Where has {S} taken the kids?", "When did {S} take the kids to {v}?")),
      "spending time with the kids", "Would {S} likely enjoy a family day at a theme park?",
      ("Here's a pic of the kids from the weekend!",)),
    T("adoption",
      ("Adoption is a long road but I know it's the right one for me.",
       "There's so much paperwork, I have folders everywhere!",
       "I keep thinking about what kind of parent I want to be.",
       "Some days the waiting is the hardest part."),
      ("How's the adoption process going, {O}?", "Any news on the adoption, {O}?",
       "What made you decide to adopt, {O}?"),
      (F("I got through {v} {when}, so it's finally feeling real",
         "For the adoption, I got through {v} {when}, so it's finally feeling real",
         ("the home study", "the first agency interview", "the parenting classes",
          "the background checks"),
         "What did {S} get through for the adoption?", "What milestone did {S} reach toward "
         "becoming a parent?", "What adoption steps has {S} gone through?",
         "When did {S} get through {v}?"),
       F("I want to {v}, that's always been my dream",
         "With adopting I want to {v}, that's always been my dream",
         ("give a kid a loving home", "build a family of my own", "be the safe place I "
          "never had", "give an older kid a real chance"),
         "Why does {S} want to adopt?", "What is {S}'s reason for wanting to become an "
         "adoptive parent?", "What does {S} hope adoption will bring?")),
      "working toward adoption", "Would {S} likely support a foster care charity?"),
    T("dance",
      ("The dance studio was packed tonight, I loved the energy!",
       "My feet are killing me after that dance class, but it was worth it.",
       "I can't stop dancing around the kitchen lately.",
       "Dancing makes me feel like a kid again."),
      ("How's the dance studio, {O}?", "Are you still dancing, {O}?",
       "What kind of dancing do you do, {O}?"),
      (F("I've been taking {v} twice a week and I'm finally getting the steps",
         "At the dance studio I've been taking {v} twice a week and I'm finally getting it",
         ("salsa", "contemporary", "tap", "hip hop", "ballroom"),
         "What style of dance is {S} taking?", "What kind of dance class does {S} attend?",
         "What dance styles has {S} learned?"),
       F("we performed at {v} {when} and I was so nervous but it went great",
         "Our dance group performed at {v} {when}, I was so nervous but it went great",
         ("the summer festival", "a friend's wedding", "the community center showcase",
          "a charity gala"),
         "Where did {S}'s dance group perform?", "Where did {S} take the stage?",
         "Where has {S} performed?", "When did {S} perform at {v}?")),
      "dancing", "Would {S} likely enjoy a salsa night?"),
    T("store",
      ("The store was so busy today, I barely had time to eat lunch.",
       "Running a shop is harder than I ever imagined, but I love it.",
       "I've been rearranging the shelves at the store again.",
       "Customers say the strangest things sometimes!"),
      ("How's the store doing, {O}?", "Business going well, {O}?",
       "What's new at the shop, {O}?"),
      (F("we started selling {v} and they're flying off the shelves",
         "At the store we started selling {v} and they're flying off the shelves",
         ("handmade candles", "local honey", "vintage records", "scented soaps",
          "plant cuttings"),
         "What new product is {S}'s store selling?", "What has been a bestseller at {S}'s "
         "shop?", "What does {S}'s store sell?"),
       F("I hired {v} {when} and it's already such a help",
         "For the store I hired {v} {when} and it's already such a help",
         ("a first employee", "a college student for weekends", "a cousin",
          "a part-time bookkeeper"),
         "Who did {S} hire at the store?", "Who joined {S}'s business?",
         "Who has {S} hired?", "When did {S} hire {v}?")),
      "running the store", "Would {S} likely enjoy a small business workshop?"),
    T("music",
      ("I've been practicing every night, my neighbors must love me.",
       "Music is the one thing that always calms me down.",
       "I went down a rabbit hole of old records last night.",
       "I keep humming the same song all day."),
      ("I didn't know you played, {O}! What instrument?", "How's practice going, {O}?",
       "What got you into music, {O}?"),
      (F("I picked up {v} again after like ten years and my fingers hurt",
         "I started playing {v} again after like ten years and my fingers hurt",
         ("the violin", "the guitar", "the piano", "the cello", "the ukulele"),
         "What instrument did {S} start playing again?", "What does {S} practice making music on?",
         "What instruments does {S} play?"),
       F("I've been learning {v}, it's my favorite thing to play",
         "On my instrument I've been learning {v}, it's my favorite thing to play",
         ("an old Beatles song", "a piece by Bach", "a lullaby my mom used to sing",
          "the theme from a movie I love"),
         "What song is {S} learning to play?", "What tune has {S} been practicing?",
         "What pieces is {S} learning?")),
      "playing music", "Would {S} likely enjoy a classical concert?"),
    T("garden",
      ("The garden is finally starting to look alive again.",
       "I spent all morning pulling weeds, my back is done.",
       "Gardening is the most peaceful part of my week.",
       "The squirrels keep digging up everything I plant!"),
      ("How's the garden, {O}?", "What are you growing this year, {O}?",
       "Your yard looks amazing, {O}! What did you plant?"),
      (F("I planted {v} and they're actually growing",
         "In the garden I planted {v} and they're actually growing",
         ("tomatoes", "strawberries", "sunflowers", "peppers", "lavender"),
         "What did {S} plant in the garden?", "What is {S} growing in the backyard?",
         "What has {S} planted?"),
       F("I built {v} {when} with my own two hands",
         "For the garden I built {v} {when} with my own two hands",
         ("a raised bed", "a little greenhouse", "a trellis for the vines", "a compost bin"),
         "What did {S} build for the garden?", "What did {S} make for growing plants?",
         "What has {S} built for the garden?", "When did {S} build {v}?")),
      "gardening", "Would {S} likely enjoy a flower show?",
      ("Check out this pic of the first blooms!",)),
    T("baking",
      ("The kitchen is a disaster after all that baking, flour everywhere!",
       "Baking is my therapy, honestly.",
       "I've been trying recipes from an old cookbook.",
       "My oven runs hot so everything burns a little."),
      ("That looks delicious, {O}! What did you bake?", "Still baking, {O}?",
       "What's your favorite thing to bake, {O}?"),
      (F("I made {v} and the whole family devoured it",
         "I baked {v} and the whole family devoured it",
         ("a lemon cake", "cinnamon rolls", "a blueberry pie", "banana bread",
          "chocolate chip cookies"),
         "What did {S} bake that the family devoured?", "What treat did {S} make in the oven?",
         "What has {S} baked?"),
       F("I made a batch for {v} {when} and everyone asked for the recipe",
         "I baked a batch for {v} {when} and everyone asked for the recipe",
         ("a local church", "the school bake sale", "a neighbor's birthday",
          "the homeless shelter"),
         "Who did {S} bake a batch for?", "Who did {S} make a batch of treats for?",
         "Who has {S} baked for?", "When did {S} bake for {v}?")),
      "baking", "Would {S} likely enjoy a cooking competition show?",
      ("Here's a pic, fresh out of the oven!",)),
    T("dog",
      ("The dog has so much energy, we walk like three times a day.",
       "Dogs make everything better, seriously.",
       "I found dog hair in my coffee this morning, classic.",
       "He keeps barking at the mailman every single day."),
      ("Aw, how's your pup, {O}?", "What's the dog up to, {O}?",
       "How's the new puppy, {O}?"),
      (F("we named him {v} and he's already ruled the house",
         "We named the puppy {v} and he's already ruled the house",
         ("Biscuit", "Waffles", "Milo", "Pepper", "Scout"),
         "What did {S} name the puppy?", "What did {S} call the new puppy?",
         "What are {S}'s pets called?"),
       F("he learned to {v} {when}, I'm so proud",
         "The dog learned to {v} {when}, I'm so proud",
         ("sit on command", "fetch the newspaper", "roll over", "walk without pulling"),
         "What trick did {S}'s dog learn?", "What can {S}'s pup do now?",
         "What tricks has {S}'s dog learned?", "When did {S}'s dog learn to {v}?")),
      "walking the dog", "Would {S} likely enjoy volunteering at an animal shelter?",
      ("Here's a pic of him napping on the couch!",)),
    T("books",
      ("I stayed up way too late reading again.",
       "My to-read pile is getting ridiculous.",
       "Our book club meetings are more wine than books, honestly.",
       "There's nothing like a rainy day with a good book."),
      ("What are you reading, {O}?", "Any good books lately, {O}?",
       "How's book club, {O}?"),
      (F("I just finished {v} and I can't stop thinking about it",
         "I just finished reading {v} and I can't stop thinking about it",
         ("a mystery set in Iceland", "a memoir about a chef", "a fantasy series about "
          "dragons", "a novel about two sisters", "a book on the history of maps"),
         "What did {S} just finish reading?", "What was {S} recently reading?",
         "What books has {S} read?"),
       F("it taught me {v}, which I really needed",
         "That book taught me {v}, which I really needed",
         ("to be kinder to myself", "that it's okay to start over", "to slow down",
          "to ask for help"),
         "What did {S} learn from the book?", "What lesson did {S} take from the novel?",
         "What have books taught {S}?")),
      "reading", "Would {S} likely enjoy a library book sale?"),
    T("volunteering",
      ("Volunteering always puts my own problems in perspective.",
       "I wish I had more time to give back, honestly.",
       "The volunteers there are the nicest people.",
       "It's tiring but it fills my heart."),
      ("Where do you volunteer, {O}?", "How was volunteering, {O}?",
       "What made you start volunteering, {O}?"),
      (F("I've been helping out at {v} on weekends and it means so much",
         "I've been volunteering at {v} on weekends and it means so much",
         ("the food bank", "an animal shelter", "a youth center", "the hospital",
          "a senior home"),
         "Where has {S} been volunteering?", "Where does {S} give time on weekends?",
         "Where has {S} volunteered?"),
       F("I ran {v} {when} and we raised way more than we hoped",
         "For my volunteering I ran {v} {when} and we raised more than we hoped",
         ("a toy drive", "a charity bake sale", "a coat drive", "a fundraising walk"),
         "What did {S} run for volunteering?", "What charity event did {S} run?",
         "What events has {S} organized?", "When did {S} run {v}?")),
      "volunteering", "Would {S} likely join a community cleanup?"),
    T("photography",
      ("I take way too many photos, my phone is always full.",
       "Golden hour is my favorite time to shoot.",
       "I've been learning to edit photos and it's a whole new world.",
       "I always carry my camera now, just in case."),
      ("Great shot, {O}! What camera do you use?", "How's the photography going, {O}?",
       "What do you like to photograph, {O}?"),
      (F("I got {v} and it's changed everything about how I shoot",
         "For photography I got {v} and it's changed everything about how I shoot",
         ("an old film camera", "a new zoom lens", "a tripod", "a drone"),
         "What did {S} get for photography?", "What new equipment does {S} take pictures with?",
         "What gear does {S} have?"),
       F("one of my shots got {v} {when}, I'm still in shock",
         "One of my photos got {v} {when}, I'm still in shock",
         ("into a local gallery", "printed in the newspaper", "an award at the county fair",
          "featured by the city's website"),
         "What did one of {S}'s photos get?", "What recognition did {S}'s picture get?",
         "What has happened with {S}'s photos?", "When did {S}'s photo get {v}?")),
      "photography", "Would {S} likely enjoy a photo walk?",
      ("Check out this one I took at sunset!",)),
    T("concerts",
      ("Live music just hits different, you know?",
       "My ears are still ringing from the show!",
       "Tickets are so expensive now, it's crazy.",
       "I love finding a new band and listening to everything they've made."),
      ("Who did you see, {O}?", "How was the concert, {O}?",
       "Been to any good shows lately, {O}?"),
      (F("we saw {v} {when} and they played for like three hours",
         "We saw {v} in concert {when} and they played for like three hours",
         ("a folk band from Ireland", "an old rock band from the seventies", "a jazz trio",
          "a pop singer from the nineties"),
         "Who did {S} see in concert?", "What act did {S} watch perform live?",
         "What shows has {S} been to?", "When did {S} see {v}?"),
       F("it reminded me of {v}, I got a little teary",
         "The concert reminded me of {v}, I got a little teary",
         ("road trips with my mom", "my first dance", "summer at my grandparents'",
          "my college roommate"),
         "What did the concert remind {S} of?", "What memory did the show bring back for "
         "{S}?", "What have concerts reminded {S} of?")),
      "going to concerts", "Would {S} likely enjoy a music festival?"),
    T("travel",
      ("I'm already dreaming about the next trip.",
       "Packing is the worst part of any trip.",
       "Airports are exhausting but I love that feeling of going somewhere.",
       "We're saving up for a big trip next year."),
      ("Where did you go, {O}?", "How was the trip, {O}?",
       "Where are you traveling next, {O}?"),
      (F("we went to {v} {when} and the food was unreal",
         "We took a trip to {v} {when} and the food was unreal",
         ("Lisbon", "Mexico City", "Kyoto", "Vancouver", "Rome"),
         "Where did {S} take a trip to?", "What city did {S} visit?", "Where has {S} traveled?",
         "When did {S} go to {v}?"),
       F("the coolest part was {v}, totally worth it",
         "The coolest part of the trip was {v}, totally worth it",
         ("a cooking class with a local grandma", "a sunrise hot air balloon ride",
          "getting lost in the old town", "a boat tour at night"),
         "What was {S}'s favorite part of the trip?", "What did {S} enjoy most while "
         "abroad?", "What highlights does {S} remember from trips?")),
      "traveling", "Would {S} likely enjoy a backpacking trip?",
      ("Here's a pic from the trip, look at that sky!",)),
    T("work",
      ("Work has been nonstop, I barely have time to breathe.",
       "My boss is actually pretty supportive, which helps.",
       "I had like six meetings today, my brain is fried.",
       "Mondays are rough, but I'm getting through it."),
      ("How's work, {O}?", "How's the new job going, {O}?",
       "What do you actually do at work, {O}?"),
      (F("I got {v} {when} and I'm still kind of shocked",
         "At work I got {v} {when} and I'm still kind of shocked",
         ("a promotion", "a raise", "a spot on a new team", "an employee of the month award"),
         "What did {S} get at work?", "What career news did {S} share?",
         "What has {S} achieved at work?", "When did {S} get {v}?"),
       F("I'm working on {v} and it's the most exciting thing I've done",
         "At my job I'm working on {v} and it's the most exciting thing I've done",
         ("a new app for the hospital", "a park redesign", "a documentary", "a school "
          "program for teens"),
         "What project is {S} working on?", "What is {S} busy with at the office?",
         "What projects has {S} worked on?")),
      "working hard at the job", "Would {S} likely enjoy a leadership conference?"),
    T("yoga",
      ("My body feels so much better since I started stretching every morning.",
       "Breathing exercises help me more than I expected.",
       "I fell over in class today, everyone laughed including me.",
       "My mat has become my favorite place in the house."),
      ("How's yoga, {O}?", "What made you try yoga, {O}?", "Still doing yoga, {O}?"),
      (F("it's helped me with {v} more than anything else I've tried",
         "Yoga has helped me with {v} more than anything else I've tried",
         ("my back pain", "my stress", "staying patient with the kids", "falling asleep"),
         "What has yoga helped {S} with?", "How has stretching on the mat helped {S}?",
         "What has yoga done for {S}?"),
       F("I went to {v} {when} and came back a new person",
         "I went to a yoga {v} {when} and came back a new person",
         ("retreat in the mountains", "class on the beach", "workshop downtown",
          "session in the park"),
         "Where did {S} go for yoga?", "Where did {S} go to practice on the mat?",
         "Where has {S} done yoga?", "When did {S} go to a yoga {v}?")),
      "yoga", "Would {S} likely enjoy a meditation retreat?"),
]  # fmt: skip

OPENERS = [
    "Hey {O}!", "Thanks, {O}!", "Wow {O},", "Aw, {O},", "Oh {O},", "Haha {O},", "Yeah,",
    "Totally!", "Omg {O}!", "Hi {O}!", "So,", "Ha, yes!", "Oh wow,", "Yes!",
]  # fmt: skip
TAILS = [
    "What about you?", "How about you?", "Have you ever tried it?", "What have you been up "
    "to?", "Got any plans this weekend?", "How's everything with you?", "Do you have any fave "
    "ones?", "Anything new with you?", "What do you think?", "How's your week going?",
    "Have you been busy?", "Do you have any tips?",
]  # fmt: skip
FILLERS = [
    "It's been such a crazy week honestly.", "I'm trying to take things one day at a time.",
    "Life has been a whirlwind lately!", "I finally had a quiet evening to myself.",
    "I've been so tired but in a good way.", "It's been raining nonstop here.",
    "I'm trying to be more present lately.", "My phone died halfway through the day, ugh.",
    "I've been drinking way too much coffee.", "The weekend went by way too fast.",
    "I'm learning to say no to things, which is hard for me.",
    "I keep forgetting to call my mom back.", "Honestly I just needed a break.",
    "Everything feels a bit lighter this week.",
]  # fmt: skip
SUPPORT = [
    "You're doing something amazing! I'm so proud of you.",
    "That's so inspiring, you really deserve this!",
    "I love that for you, you always find the bright side.",
    "That sounds wonderful, you've worked so hard for it.",
    "You're so strong, I don't know how you do it all.",
    "That's awesome, keep it up!",
    "That must have felt incredible!",
    "I'm always here for you, you know that.",
    "You'll be an awesome parent one day, I just know it.",
    "It's so important to take care of yourself like that.",
    "That's such a lovely thing to do.",
    "Wow, I'd love to see that sometime!",
]  # fmt: skip
GREETINGS = [
    "Hey {O}! Long time no chat, how have you been? So much has happened since we last talked!",
    "Hi {O}! I was just thinking about you and wanted to check in. How's life treating you?",
    "Hey {O}, hope your week is going okay! Mine has been a rollercoaster, honestly.",
    "{O}! It's been a while, I missed our chats. What's new with you?",
]
REPLIES = [
    "Hey {O}! So good to hear from you. Things have been busy but good, how about you?",
    "Hi {O}! Aw, I missed you too. It's been a lot lately but I'm hanging in there!",
    "{O}! Perfect timing, I was about to text you. How are you doing?",
    "Hey! I'm doing alright, {O}, thanks for asking. Tell me everything!",
]
CLOSINGS = [
    "Anyway, I have to run, {O}! Talk soon, take care of yourself!",
    "This was so nice, {O}. Let's catch up again soon, okay?",
    "Okay I gotta go make dinner, but thanks for listening, {O}! Bye!",
    "Love chatting with you, {O}. Have a great rest of your week!",
]
COMMENTS = [
    "Seriously, it made my whole day to hear that.", "I've been thinking about that a lot too.",
    "You always know how to make the best of things.", "That reminds me I need to slow down "
    "more often.", "Honestly, you inspire me to try new stuff.", "I can only imagine how that "
    "felt!", "I wish I'd been there with you.", "It's nice to hear some good news for once.",
    "I hope you celebrated a little!", "Life is so much better with stuff like that in it.",
    "Keep me posted, okay?", "I'm so glad you're making time for the things you love.",
]  # fmt: skip
WHEN = ["yesterday", "last week", "last weekend", "this morning", "a few days ago"]

CONVERSATIONS = [
    # (speaker A, speaker B, seed, split)
    ("Leah", "Marcus", 1201, "test"),
    ("Priya", "Tom", 1202, "test"),
    ("Nina", "Omar", 1203, "test"),
    ("Grace", "Felix", 1204, "test"),
    ("Hana", "Diego", 1205, "test"),
    ("Ivy", "Sam", 1206, "dev"),
    ("Zoe", "Ben", 1207, "dev"),
]
# Shares of a fact's single-hop question asked in other words, and of its facts said as the
# answer to the other's lead-in question (the topic only in the previous turn).
ASKED_OTHERWISE_SHARE = 0.3
ANSWERS_A_LEAD_IN = 0.35
# Shares of facts said by both (each their own value), and said twice by one (multi-hop).
BOTH_SAY_IT = 0.3
SAID_TWICE = 0.25
# Share of the facts only one of them said that are also asked about the other (adversarial).
ASKED_OF_THE_OTHER = 0.9


def build(number: int, a: str, b: str, seed: int) -> tuple[list[dict], list[dict]]:
    rng = random.Random(seed)
    speakers = (a, b)
    other_of = {a: b, b: a}
    sessions = rng.randint(19, 28)
    start = datetime(2023, 3, 1, 18, 0, tzinfo=UTC) + timedelta(days=rng.randint(0, 60))
    dates, day = [], start
    for _ in range(sessions):
        dates.append(day)
        day += timedelta(days=rng.randint(4, 14), hours=rng.randint(-4, 4))

    # Both speakers share most topics; each says facts of the same kinds with their own values.
    topics = rng.sample(range(len(TOPICS)), rng.randint(12, 15))
    plan: list[list[tuple]] = [[] for _ in range(sessions)]
    facts: list[tuple] = []  # (speaker, topic, fact index, [(session, value)])
    for t in topics:
        topic = TOPICS[t]
        for f, fact in enumerate(topic.facts):
            values = rng.sample(fact.values, len(fact.values))
            holders = rng.sample(speakers, 2 if rng.random() < BOTH_SAY_IT else 1)
            for speaker in holders:
                times = 2 if rng.random() < SAID_TWICE and len(values) > 2 else 1
                said = sorted(rng.sample(range(sessions), times))
                facts.append((speaker, t, f, [(s, values.pop()) for s in said]))
        for _ in range(rng.randint(4, 7)):  # topic talk that answers nothing
            plan[rng.randrange(sessions)].append(("talk", rng.choice(speakers), t))
    for index, (_, _, _, said) in enumerate(facts):
        for k, (s, _) in enumerate(said):
            plan[s].append(("fact", index, k))
    for s in range(sessions):
        for _ in range(rng.randint(2, 5)):
            plan[s].append(("chat", rng.choice(speakers), None))

    turns: list[dict] = []
    evidence: dict[tuple, str] = {}

    def opener(listener: str, body: str) -> str:
        if rng.random() < 0.4:
            return body
        start = rng.choice(OPENERS).format(O=listener)
        if start.endswith(",") and not body.startswith(("I ", "I'")):
            body = body[0].lower() + body[1:]
        return f"{start} {body}"

    def support() -> str:
        # Replies are as long as the turns they answer: praise, a comment, often a question.
        return rng.choice(SUPPORT) + " " + rng.choice(COMMENTS) + tail()

    def tail() -> str:
        return " " + rng.choice(TAILS) if rng.random() < 0.5 else ""

    for s, session in enumerate(plan):
        rng.shuffle(session)
        first = rng.choice(speakers)
        # Hellos and goodbyes carry news too, as long as the other turns.
        lines: list[tuple[str, str, tuple | None]] = [
            (first, rng.choice(GREETINGS).format(O=other_of[first]) + " " + rng.choice(FILLERS),
             None),
            (other_of[first], rng.choice(FILLERS) + " " + rng.choice(REPLIES).format(O=first),
             None),
        ]  # fmt: skip
        for item in session:
            if item[0] in ("talk", "chat"):
                kind, speaker, t = item
                listener = other_of[speaker]
                if kind == "talk":
                    body = rng.choice(TOPICS[t].talk)
                    if TOPICS[t].shares and rng.random() < 0.3:
                        body += " " + rng.choice(TOPICS[t].shares)
                    elif rng.random() < 0.6:
                        body = rng.choice(FILLERS) + " " + body
                else:
                    body = " ".join(rng.sample(FILLERS, 2))
                lines.append((speaker, opener(listener, body + tail()), None))
                lines.append((listener, opener(speaker, support()), None))
                continue
            _, index, k = item
            speaker, t, f, said = facts[index]
            topic, fact, listener = TOPICS[t], TOPICS[t].facts[f], other_of[speaker]
            when = rng.choice(WHEN)
            if rng.random() < ANSWERS_A_LEAD_IN:
                # The topic is in the other's question; the answer does not repeat it.
                lead = rng.choice(topic.lead_ins).format(O=speaker)
                lead = rng.choice(SUPPORT + COMMENTS) + " " + lead
                lines.append((listener, lead, None))
                core = fact.say.format(v=said[k][1], when=when)
                core = core[0].upper() + core[1:]
            else:
                core = fact.named.format(v=said[k][1], when=when)
            before = rng.choice(FILLERS) + " " if rng.random() < 0.5 else ""
            after = ""
            if topic.shares and rng.random() < 0.25:
                after = " " + rng.choice(topic.shares)
            elif rng.random() < 0.6:
                after = " " + rng.choice(FILLERS)
            text = opener(listener, before + core + "!" + after + tail())
            lines.append((speaker, text, ("fact", index, k)))
            lines.append((listener, opener(speaker, support()), None))
        closer = rng.choice(speakers)
        goodbye = rng.choice(COMMENTS) + " " + rng.choice(CLOSINGS).format(O=other_of[closer])
        lines.append((closer, goodbye, None))
        bye = rng.choice(SUPPORT) + " " + rng.choice(COMMENTS) + " Bye!"
        lines.append((other_of[closer], opener(closer, bye), None))
        for n, (speaker, text, key) in enumerate(lines, 1):
            turn_id = f"k{number}-s{s + 1}-t{n}"
            stamp = dates[s] + timedelta(minutes=2 * n)
            turns.append(
                {"id": turn_id, "speaker": speaker, "text": text, "timestamp": stamp.isoformat()}
            )
            if key is not None:
                evidence[key[1:]] = turn_id

    questions: list[dict] = []

    def ask(question: str, turn_ids: list[str], kind: str) -> None:
        # The bench keys rankings by a question's text: one question, one text.
        if all(q["question"] != question for q in questions):
            questions.append({"question": question, "evidence": turn_ids, "kind": kind})

    for index, (speaker, t, f, said) in enumerate(facts):
        fact = TOPICS[t].facts[f]
        ids = [evidence[index, k] for k in range(len(said))]
        if len(said) > 1:
            ask(fact.listed.format(S=speaker), ids, "multi_hop")
        else:
            asked = fact.asked_otherwise if rng.random() < ASKED_OTHERWISE_SHARE else fact.question
            ask(asked.format(S=speaker), ids, "single_hop")
        if fact.when:
            k = rng.randrange(len(said))
            ask(fact.when.format(S=speaker, v=said[k][1]), [ids[k]], "temporal")
        held = {(who, t2, f2) for who, t2, f2, _ in facts}
        if (other_of[speaker], t, f) not in held and rng.random() < ASKED_OF_THE_OTHER:
            # Asked about the one who never said anything of the kind.
            ask(rng.choice((fact.question, fact.asked_otherwise)).format(S=other_of[speaker]),
                [ids[0]], "adversarial")  # fmt: skip
    # What each of them does, across topics and sessions, and what they share.
    for speaker in speakers:
        mine = {}
        for index, (who, t, f, _) in enumerate(facts):
            if who == speaker and f == 0 and t not in mine:
                mine[t] = evidence[index, 0]
        picked = rng.sample(sorted(mine), min(len(mine), rng.randint(2, 4)))
        if len(picked) >= 2:
            ask(f"What activities does {speaker} partake in?", [mine[t] for t in picked],
                "multi_hop")  # fmt: skip
        for t in rng.sample(sorted(mine), min(2, len(mine))):
            ask(TOPICS[t].would.format(S=speaker), [mine[t]], "open_domain")
    first_of = {}
    for index, (who, t, f, _) in enumerate(facts):
        if f == 0:
            first_of.setdefault((who, t), evidence[index, 0])
    both = [t for t in topics if (a, t) in first_of and (b, t) in first_of]
    shared = rng.sample(both, min(2, len(both)))
    if shared:
        ask(f"What do {a} and {b} both enjoy?",
            [first_of[who, t] for t in shared for who in speakers], "multi_hop")  # fmt: skip
    for q in questions:
        q["conversation"] = number
    return turns, questions


def main() -> None:
    write_set("chatty", CONVERSATIONS, build)


if __name__ == "__main__":
    main()
