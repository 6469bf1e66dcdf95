"""SMS text rules: segments, plain text, keywords, the inbound form."""

from __future__ import annotations

import pytest

from nudge.sms.keywords import Keyword, classify
from nudge.sms.segments import fit_segments, is_gsm7, plain_sms, segment_count
from nudge.sms.webhook import (
    InboundSms,
    InvalidWebhook,
    loggable_url,
    public_url,
    signed_url_candidates,
)


@pytest.mark.parametrize(
    ("text", "segments"),
    [
        ("a" * 160, 1),
        ("a" * 161, 2),
        ("a" * 306, 2),
        ("a" * 307, 3),
        ("€" * 80, 1),  # extended GSM-7: two septets each
        ("€" * 81, 2),
        ("é" * 160, 1),  # é is in the GSM-7 basic set
        ("ł" * 70, 1),  # not GSM-7: UCS-2
        ("ł" * 71, 2),
        ("🙂" * 35, 1),  # an emoji is two UTF-16 units
        ("🙂" * 36, 2),
    ],
)
def test_segment_count_follows_gsm7_and_ucs2_rules(text, segments):
    assert segment_count(text) == segments


def test_plain_sms_drops_markdown_and_typography():
    text = "**Today**\n# Plan\n* call mom\n* `email` Anna — it’s fine…"
    assert plain_sms(text) == "Today\nPlan\n- call mom\n- email Anna - it's fine..."
    assert is_gsm7(plain_sms(text))


def test_fit_segments_cuts_at_a_sentence_within_the_cap():
    sentences = " ".join(f"Sentence number {i} is here." for i in range(40))
    fitted = fit_segments(sentences, 2)
    assert segment_count(fitted) <= 2
    assert fitted.endswith(".")
    assert sentences.startswith(fitted)


def test_fit_segments_cuts_at_a_word_when_there_is_no_sentence_end():
    fitted = fit_segments("word " * 200, 1)
    assert segment_count(fitted) == 1
    assert fitted.endswith("word...")


def test_short_text_is_untouched():
    assert fit_segments("See you at 5.", 3) == "See you at 5."


@pytest.mark.parametrize(
    ("body", "keyword"),
    [
        ("STOP", Keyword.stop),
        (" stop ", Keyword.stop),
        ("Unsubscribe", Keyword.stop),
        ("quit.", Keyword.stop),
        ("START", Keyword.start),
        ("unstop", Keyword.start),
        ("help", Keyword.help),
        ("stop reminding me about taxes", None),
        ("yes please", None),
    ],
)
def test_keywords_match_whole_messages_only(body, keyword):
    assert classify(body) == keyword


def test_form_with_media_is_parsed():
    sms = InboundSms.from_form(
        {
            "MessageSid": "SM123",
            "From": "+15555550100",
            "To": "+15550001111",
            "Body": "look",
            "NumMedia": "2",
            "MediaUrl0": "https://m/0",
            "MediaContentType0": "image/png",
            "MediaUrl1": "https://m/1",
            "MediaContentType1": "image/jpeg",
        }
    )
    assert sms.media_urls == ["https://m/0", "https://m/1"]
    assert sms.media_types == ["image/png", "image/jpeg"]


def test_form_errors_name_the_fields():
    with pytest.raises(InvalidWebhook, match="from_number"):
        InboundSms.from_form({"MessageSid": "SM1", "From": "12", "To": "+15550001111"})


@pytest.mark.parametrize(
    ("base", "path", "expected"),
    [
        ("https://x.net/sms_webhook", "/", "https://x.net/sms_webhook"),
        ("https://x.net/sms_webhook", "/?", "https://x.net/sms_webhook"),
        ("https://x.net/sms_webhook", "/?a=1&b=2", "https://x.net/sms_webhook?a=1&b=2"),
        ("https://x.net", "/sms", "https://x.net/sms"),
    ],
)
def test_public_url_is_the_configured_base_plus_query(base, path, expected):
    assert public_url(base, path) == expected


@pytest.mark.parametrize(
    ("base", "path", "expected"),
    [
        ("https://x.net/fn", "/", ["https://x.net/fn", "https://x.net/fn/"]),
        ("https://x.net/fn/", "/?", ["https://x.net/fn/", "https://x.net/fn"]),
        ("https://x.net/fn", "/?a=1", ["https://x.net/fn?a=1", "https://x.net/fn/?a=1"]),
        ("http://127.0.0.1:8701", "/", ["http://127.0.0.1:8701", "http://127.0.0.1:8701/"]),
    ],
)
def test_signed_url_candidates_add_or_drop_the_trailing_slash(base, path, expected):
    assert signed_url_candidates(base, path) == expected


def test_loggable_url_drops_credentials_and_query_values():
    url = "https://user:pw@x.net:8443/fn/?token=s3cret&tenant=a"
    assert loggable_url(url) == "https://x.net:8443/fn/?token=...&tenant=..."


def test_yes_is_an_answer_unless_the_person_opted_out():
    from nudge.sms.keywords import Keyword, classify_from

    assert classify_from("yes", opted_out=False) is None
    assert classify_from("Yes!", opted_out=True) == Keyword.start
    assert classify_from("START", opted_out=False) == Keyword.start  # START stays a keyword
    assert classify_from("stop", opted_out=False) == Keyword.stop
