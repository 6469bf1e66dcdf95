"""The LLM port: Gemini through google-genai when a key is set, the offline model otherwise."""
