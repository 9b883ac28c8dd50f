"""The one way a Chunk is written down and read back: Chroma metadata, and the saved BM25 index."""

from __future__ import annotations

import json
from typing import Any

from qa.text import doc_number_key
from qa.types import Chunk, DocumentInfo


def chunk_metadata(chunk: Chunk, doc_chunks: int) -> dict[str, Any]:
    """Everything but the id and text, as flat values Chroma can filter on."""
    return {
        "doc_id": chunk.doc_id,
        "source": chunk.source,
        "title": chunk.title,
        "section": chunk.section,
        "index": chunk.index,
        "start": chunk.start,
        "end": chunk.end,
        "doc_hash": chunk.doc_hash,
        "doc_chunks": doc_chunks,
        "inner_headings": json.dumps(chunk.inner_headings, ensure_ascii=False),
        "page": chunk.page or 0,
        "inner_pages": json.dumps(chunk.inner_pages),
        "doc_number": chunk.doc_number,
        "doc_number_key": doc_number_key(chunk.doc_number),
        "doc_type": chunk.doc_type,
        "issued": chunk.issued,
        "year": int(chunk.issued[:4]) if chunk.issued else 0,
        "issuer": chunk.issuer,
        "table_header": chunk.table_header,
        "context": chunk.context,
    }


def chunk_from_record(chunk_id: str, text: str, meta: dict[str, Any]) -> Chunk:
    return Chunk(
        chunk_id=chunk_id,
        doc_id=str(meta["doc_id"]),
        source=str(meta["source"]),
        title=str(meta["title"]),
        section=str(meta.get("section", "")),
        index=int(meta["index"]),
        start=int(meta["start"]),
        end=int(meta["end"]),
        text=text,
        doc_hash=str(meta["doc_hash"]),
        inner_headings=tuple((int(o), str(h)) for o, h in json.loads(str(meta.get("inner_headings", "[]")))),
        page=int(meta.get("page", 0) or 0) or None,
        inner_pages=tuple((int(o), int(n)) for o, n in json.loads(str(meta.get("inner_pages", "[]")))),
        doc_number=str(meta.get("doc_number", "")),
        doc_type=str(meta.get("doc_type", "")),
        issued=str(meta.get("issued", "")),
        issuer=str(meta.get("issuer", "")),
        table_header=str(meta.get("table_header", "")),
        context=str(meta.get("context", "")),
    )


def document_metadata(info: DocumentInfo) -> dict[str, Any]:
    return {
        "doc_id": info.doc_id, "source": info.source, "title": info.title, "chunks": info.chunks,
        "doc_hash": info.doc_hash, "doc_number": info.doc_number, "doc_type": info.doc_type, "issued": info.issued,
        "issuer": info.issuer, "file_hash": info.file_hash, "effective": info.effective, "signer": info.signer,
        "signer_position": info.signer_position, "pages": info.pages,
        "relations": json.dumps(info.relations, ensure_ascii=False),
        "spans": json.dumps(info.spans, ensure_ascii=False),
        "added_by": info.added_by, "shared": info.shared,
    }


def document_from_metadata(meta: dict[str, Any]) -> DocumentInfo:
    return DocumentInfo(
        doc_id=str(meta["doc_id"]), source=str(meta["source"]), title=str(meta["title"]), chunks=int(meta["chunks"]),
        doc_hash=str(meta["doc_hash"]), doc_number=str(meta.get("doc_number", "")), doc_type=str(meta.get("doc_type", "")),
        issued=str(meta.get("issued", "")), issuer=str(meta.get("issuer", "")), file_hash=str(meta.get("file_hash", "")),
        effective=str(meta.get("effective", "")), signer=str(meta.get("signer", "")),
        signer_position=str(meta.get("signer_position", "")), pages=int(meta.get("pages", 0) or 0),
        relations=tuple((str(r), str(n)) for r, n in json.loads(str(meta.get("relations", "[]")))),
        spans=tuple((str(n), str(v), int(s), int(e)) for n, v, s, e in json.loads(str(meta.get("spans", "[]")))),
        added_by=str(meta.get("added_by", "")), shared=bool(meta.get("shared", True)),
    )
