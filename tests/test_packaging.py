"""The wheel carries everything a generated answer needs (prompts included): built from a copy of
the source, installed into a fresh virtual environment, asked a question against the scripted
OpenAI-compatible server, with the repository nowhere on the path."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

from tests.conftest import ROOT, SAMPLE
from tests.fake_llm import ScriptedLLM, start

ASK = """
import sys
from pathlib import Path
import qa
assert "fresh-venv" in qa.__file__, qa.__file__
from qa import Assistant, Settings
settings = Settings(index_dir=Path(sys.argv[1]), llm_base_url=sys.argv[2], llm_model="scripted", llm_retries=0)
assistant = Assistant(settings)
assistant.ingest([Path(sys.argv[3])])
answer = assistant.ask("How many industrial clusters are planned in Khanh Hoa?")
print(answer.backend, answer.refused, answer.answer)
"""


def test_the_wheel_answers_with_a_model_from_a_fresh_venv(tmp_path: Path) -> None:
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    for package in ("qa", "ui", "prompts", "evals"):
        shutil.copytree(ROOT / package, source / package, ignore=shutil.ignore_patterns("__pycache__", "corpus", "large", "*.npz"))
    wheels = tmp_path / "wheels"
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "-w", str(wheels), str(source)],
        capture_output=True, text=True, timeout=300,
    )
    assert build.returncode == 0, build.stderr[-2000:]
    wheel = next(wheels.glob("qa_policy-*.whl"))
    assert "prompts/answer_system.md" in zipfile.ZipFile(wheel).namelist()

    venv = tmp_path / "fresh-venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    site = next((venv / "lib").glob("python3*/site-packages"))
    install = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(site), str(wheel)],
        capture_output=True, text=True, timeout=300,
    )
    assert install.returncode == 0, install.stderr[-2000:]
    # The dependencies come from this environment's site-packages as a plain path entry (its .pth
    # files, the editable install of the repository among them, are not processed).
    (site / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")

    script = ScriptedLLM()
    server = start(script)
    try:
        script.enqueue("Khanh Hoa plans 14 industrial clusters [1].")
        run = subprocess.run(
            # The one document the question is about: the wheel, not the corpus's size, is under test.
            [str(venv / "bin" / "python"), "-c", ASK, str(tmp_path / "index"), script.url,
             str(SAMPLE / "khanh-hoa-industrial-clusters.txt")],
            capture_output=True, text=True, timeout=600, cwd=tmp_path,
            env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"},  # nor on PYTHONPATH (a worktree's run)
        )
    finally:
        server.shutdown()
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.stdout.strip().startswith("llm:scripted False Khanh Hoa plans 14 industrial clusters [1]")
    assert "You answer questions about policy documents" in script.requests[0]["body"]["messages"][0]["content"]
