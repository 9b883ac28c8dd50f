"""From a question to ranked chunks: hybrid dense + BM25 search, fusion, filters, and the naive baseline."""
