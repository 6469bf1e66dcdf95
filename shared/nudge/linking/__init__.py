"""Account linking shared by every provider (Microsoft, Notion): the texted single-use link
and the sign-in flow's state, kept in the store until the provider calls back."""
