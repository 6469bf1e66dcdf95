"""The conversation loop: a text comes in, a turn answers it."""
