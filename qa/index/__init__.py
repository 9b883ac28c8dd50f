"""Where chunks live: the Chroma store, the BM25 index kept in step with it, embedders and their cache."""
