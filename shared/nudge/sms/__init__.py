"""SMS: Twilio's webhook in, Twilio's REST API (or the local outbox) out."""
