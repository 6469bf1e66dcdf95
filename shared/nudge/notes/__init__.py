"""Notes kept locally first: captured, linked by the titles they mention, searched by words."""
