"""Files -> documents -> chunks: loaders by format, the anatomy of a policy document, chunking,
and the ingest pipeline. Importing the package registers every format's loader."""

from qa.ingest import pdf, plaintext, webpage, word  # noqa: F401  (each registers its loaders with @loader)
