"""The agent: context, tools and the tool loop behind every reply."""
