"""Email triage: unread important Outlook mail offered as tasks; never sends or deletes mail."""
