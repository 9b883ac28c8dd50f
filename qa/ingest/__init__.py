"""Files -> documents -> chunks: loaders by format, policy metadata, chunking, and the ingest pipeline."""
