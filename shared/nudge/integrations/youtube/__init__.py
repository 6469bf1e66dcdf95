"""YouTube: video details from the Data API v3, the transcript, a summary kept as a note."""
