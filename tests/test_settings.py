from pathlib import Path

import pytest
from pydantic import ValidationError

from qa.config import Settings, load_settings
from qa.errors import ConfigError


def test_arguments_beat_environment_beat_toml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "qa.toml").write_text("top_k = 7\ncandidates = 11\nmax_quotes = 2\n", encoding="utf-8")
    monkeypatch.setenv("QA_CANDIDATES", "12")
    monkeypatch.setenv("QA_MAX_QUOTES", "4")
    settings = load_settings(max_quotes=5)
    assert (settings.top_k, settings.candidates, settings.max_quotes) == (7, 12, 5)


def test_settings_are_frozen_and_strict() -> None:
    settings = Settings()
    with pytest.raises(ValidationError):
        settings.top_k = 3  # type: ignore[misc]
    with pytest.raises(ConfigError, match="chunk_overlap"):
        load_settings(chunk_tokens=64, chunk_overlap=64)
    with pytest.raises(ConfigError, match="OPENAI_API_KEY"):
        load_settings(embedder="openai")
    with pytest.raises(ConfigError, match="http"):
        load_settings(chroma_url="localhost:8000")


def test_broken_toml_and_bad_prefix_are_config_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "qa.toml").write_text("top_k = \n", encoding="utf-8")
    with pytest.raises(ConfigError, match="qa.toml is not valid TOML"):
        load_settings()
    (tmp_path / "qa.toml").unlink()
    with pytest.raises(ConfigError, match="cannot start a Chroma collection name"):
        load_settings(collection_prefix="ab..cd")


def test_collection_name_follows_what_shapes_vectors() -> None:
    base = Settings()
    assert base.collection_name() == Settings(top_k=9).collection_name()
    assert base.collection_name() != Settings(chunk_tokens=300).collection_name()
    assert base.settings_hash() != Settings(top_k=9).settings_hash()


def test_collection_prefix_separates_corpora_on_one_server() -> None:
    default, team = Settings().collection_name(), Settings(collection_prefix="budget-team").collection_name()
    assert default.startswith("qa-") and team.startswith("budget-team-") and default != team
    for bad in ("", "-x", "has space", "x" * 70):
        with pytest.raises(ValidationError):
            Settings(collection_prefix=bad)


def test_default_index_is_outside_the_source_tree(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("QA_INDEX_DIR")
    assert "qa-policy" in str(Settings().index_dir)
    assert not str(Settings().index_dir).startswith(str(Path(__file__).parent.parent))


def test_the_index_is_named_by_the_code_that_cuts_files_not_by_the_code_that_mends_an_index(monkeypatch) -> None:
    """A change to qa/ingest/repair.py cuts no file differently: it must not rename every index
    (which brings every document over again on the next start)."""
    from qa.config import ingest_code_identity

    read: list[str] = []
    read_bytes = Path.read_bytes

    def reading(path: Path) -> bytes:
        read.append(path.name)
        return read_bytes(path)

    monkeypatch.setattr(Path, "read_bytes", reading)
    ingest_code_identity.cache_clear()
    try:
        ingest_code_identity()
    finally:
        ingest_code_identity.cache_clear()
    assert {"chunking.py", "anatomy.py", "pdf.py", "text.py", "records.py"} <= set(read)
    assert "repair.py" not in read
