"""Understanding plain texts without an LLM: cleaning, splitting, intents by meaning."""
