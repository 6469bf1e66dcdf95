"""Cloud Tasks: enqueue work to a function, authenticate the caller on the other side."""
