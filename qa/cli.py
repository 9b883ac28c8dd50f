"""The `qa` command: a thin layer over the Python API. Only QAError is caught; it prints one line."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from qa.answer import Answer
from qa.config import Settings, load_settings
from qa.errors import QAError


def _settings(ctx: click.Context) -> Settings:
    return load_settings(**ctx.obj)


def _assistant(ctx: click.Context) -> Any:
    from qa.assistant import Assistant

    return Assistant(_settings(ctx))


@click.group()
@click.option("--index-dir", type=click.Path(path_type=Path), help="Index folder (default: QA_INDEX_DIR or ~/.local/share/qa-policy/index).")
@click.option("--chroma-url", help="Chroma server URL (default: QA_CHROMA_URL; unset = embedded).")
@click.pass_context
def cli(ctx: click.Context, index_dir: Path | None, chroma_url: str | None) -> None:
    """Answer questions from policy documents, with citations."""
    ctx.obj = {"index_dir": index_dir, "chroma_url": chroma_url}


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--prune", is_flag=True, help="Remove documents whose files vanished from the given folders.")
@click.option("--if-empty", is_flag=True, help="Do nothing when the index already holds documents.")
@click.pass_context
def ingest(ctx: click.Context, paths: tuple[Path, ...], prune: bool, if_empty: bool) -> None:
    """Index files and folders (.txt, .md). Unchanged files are skipped; changed files replaced."""
    from tqdm import tqdm

    assistant = _assistant(ctx)
    if if_empty and assistant.store.count() > 0:
        click.echo(f"Index already holds {len(assistant.documents())} documents; nothing to do.")
        return
    with tqdm(total=0, unit="file", disable=None, file=sys.stderr) as bar:

        def progress(done: int, total: int, name: str) -> None:
            bar.total = total
            bar.n = done
            bar.set_postfix_str(name[:40])
            bar.refresh()

        report = assistant.ingest(list(paths), prune=prune, progress=progress)
    for result in report.files:
        if result.status in ("added", "updated", "removed"):
            click.echo(f"{result.status:9} {result.path} ({result.chunks} chunks)")
        elif result.status == "skipped":
            click.echo(f"skipped   {result.path}: {result.reason}")
    click.echo(f"Done: {report.summary()}.")


def _print_answer(answer: Answer) -> None:
    click.echo(answer.answer)
    for c in answer.citations:
        where = f" / {c.section}" if c.section else ""
        click.echo(f"\n[{c.n}] {c.title}{where}\n    {c.source} chars {c.start}-{c.end}")
        click.echo("    “" + " ".join(c.quote.split()) + "”")


@cli.command()
@click.argument("question")
@click.option("--json", "as_json", is_flag=True, help="Print the Answer as JSON.")
@click.pass_context
def ask(ctx: click.Context, question: str, as_json: bool) -> None:
    """Ask one question."""
    answer = _assistant(ctx).ask(question)
    if as_json:
        click.echo(answer.model_dump_json(indent=2))
    else:
        _print_answer(answer)


@cli.command()
@click.pass_context
def documents(ctx: click.Context) -> None:
    """List the indexed documents."""
    docs = _assistant(ctx).documents()
    for d in docs:
        click.echo(f"{d.doc_id}  {d.chunks:4} chunks  {d.title[:60]}  ({d.source})")
    click.echo(f"{len(docs)} documents.")


@cli.command()
@click.argument("doc_id")
@click.pass_context
def delete(ctx: click.Context, doc_id: str) -> None:
    """Remove one document (by the id `qa documents` shows)."""
    _assistant(ctx).delete(doc_id)
    click.echo(f"Deleted {doc_id}.")


@cli.command()
@click.option("--host", default=None, help="Address to bind (default 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port (default 7860).")
@click.pass_context
def serve(ctx: click.Context, host: str | None, port: int | None) -> None:
    """Open the chat in the browser (Gradio, on 127.0.0.1)."""
    from ui.app import build_app

    ctx.obj.update(ui_host=host, ui_port=port)
    assistant = _assistant(ctx)
    settings = assistant.settings
    app = build_app(assistant)
    click.echo(f"Serving the chat on http://{settings.ui_host}:{settings.ui_port}")
    app.queue(default_concurrency_limit=4).launch(
        server_name=settings.ui_host, server_port=settings.ui_port or None, show_error=False, quiet=True
    )


def main() -> None:
    try:
        cli(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except QAError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
