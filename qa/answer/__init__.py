"""From retrieved chunks to an answer: the Answerer protocol and its implementations, grounding and citations."""
