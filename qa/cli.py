"""The `qa` command: a thin layer over the Python API. Only QAError is caught; it prints one line."""

from __future__ import annotations

import sys
import threading
import time
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from qa.config import Settings, load_settings
from qa.errors import InputError, QAError
from qa.offline import use_offline_defaults
from qa.results import Answer


def printable(name: str) -> str:
    """A file name as a terminal should show it: control characters, line breaks, bidirectional
    and other invisible format marks, and undecodable bytes escaped ('\\n', '\\u202e'), so a name
    can neither forge a summary line nor run text backwards."""
    return "".join(ascii(ch)[1:-1] if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp", "Cs") else ch for ch in name)


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
    """Index files and folders (.txt, .md, .pdf, .docx, .html). Unchanged files are skipped; changed files replaced."""
    from tqdm import tqdm

    assistant = _assistant(ctx)
    if if_empty and assistant.store.count() > 0:
        click.echo(f"Index already holds {len(assistant.documents())} documents; nothing to do.")
        return
    if sys.stderr.isatty():
        with tqdm(total=0, unit="file", file=sys.stderr) as bar:

            def progress(done: int, total: int, name: str) -> None:
                bar.total = total
                bar.n = done
                bar.set_postfix_str(printable(name[:40]))
                bar.refresh()

            report = assistant.ingest(list(paths), prune=prune, progress=progress)
    else:
        report = assistant.ingest(list(paths), prune=prune, progress=progress_lines())
    if any(report.count(status) for status in ("added", "updated", "removed")):
        assistant.retriever.bm25.persist()
    for result in report.files:
        if result.status in ("added", "updated", "removed"):
            note = f"; {result.reason}" if result.reason else ""
            click.echo(f"{result.status:9} {printable(result.path)} ({result.chunks} chunks{note})")
        elif result.status == "skipped":
            click.echo(f"skipped   {printable(result.path)}: {printable(result.reason)}")
    for note in report.notes:
        click.echo(f"Note: {note}")
    click.echo(f"Done: {report.summary()}.")


def progress_lines(every_seconds: float = 2.0) -> Callable[[int, int, str], None]:
    """Progress for a log or a pipe, where a bar would be one endless line: a line on stderr at
    most every few seconds, and one at the end."""
    last = [0.0]

    def progress(done: int, total: int, name: str) -> None:
        now = time.monotonic()
        if done == total or now - last[0] >= every_seconds:
            last[0] = now
            click.echo(f"ingest: {done}/{total} files" + (f" ({printable(name)})" if name else ""), err=True)

    return progress


def _print_answer(answer: Answer, text_already_shown: bool = False) -> None:
    if answer.notice:
        click.echo(f"Note: {answer.notice}", err=True)
    if not text_already_shown:
        click.echo(answer.as_text())
    if answer.confidence is not None and not answer.refused:
        click.echo(f"(confidence {answer.confidence:.0%})")
    for sentence in answer.unsupported:
        click.echo(f"\n✗ Not supported by its sources: “{sentence.text}”" + (
            f" (not found: {', '.join(sentence.missing)})" if sentence.missing else ""))
    for c in answer.citations:
        where = (f" › {c.section}" if c.section and c.section != c.title else "") + (f" · page {c.page}" if c.page else "")
        private = "  (an upload not yet shared)" if not c.shared else ""
        click.echo(f"\n[{c.n}] {c.title}{where}\n    {c.source} chars {c.start}-{c.end}{private}")
        click.echo("    “" + " ".join(c.quote.split()) + "”")


@cli.command()
@click.argument("question")
@click.option("--json", "as_json", is_flag=True, help="Print the Answer as JSON.")
@click.option("--stream", is_flag=True, help="Print the answer as it is generated.")
@click.option("--type", "doc_type", help="Only documents of this type (resolution, conclusion, decision, plan, news...).")
@click.option("--year", type=int, help="Only documents issued in this year.")
@click.option("--number", "doc_number", help="Only the document with this number, e.g. 544-KL/TU.")
@click.option("--doc", "doc_ids", multiple=True, help="Only this document id (repeatable; see `qa documents`).")
@click.option("--issuer", help="Only documents from this issuing body (part of its name, e.g. 'Bắc Ninh').")
@click.option("--signer", help="Only documents signed by this person (part of the name).")
@click.option("--in-force-on", "in_force_on", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="Only documents in force on this date (YYYY-MM-DD; their entry into force was found).")
@click.pass_context
def ask(
    ctx: click.Context, question: str, as_json: bool, stream: bool, doc_type: str | None, year: int | None,
    doc_number: str | None, doc_ids: tuple[str, ...], issuer: str | None, signer: str | None, in_force_on: Any,
) -> None:
    """Ask one question."""
    from qa.retrieve.filters import Filters

    assistant = _assistant(ctx)
    filters = Filters(doc_ids=doc_ids, doc_type=doc_type, year=year, doc_number=doc_number, issuer=issuer, signer=signer,
                      in_force_on=in_force_on.date().isoformat() if in_force_on else None)
    if as_json or not stream:
        answer = assistant.ask(question, filters=filters)
        if as_json:
            click.echo(answer.model_dump_json(indent=2))
        else:
            _print_answer(answer)
        return
    final = None
    for part in assistant.ask_stream(question, filters=filters):
        if isinstance(part, Answer):
            final = part
        else:
            click.echo(part, nl=False)
    click.echo()
    assert final is not None
    if final.backend != "extractive":
        # Citations are resolved when the stream ends: show the checked, renumbered text.
        click.echo(f"\nWith citations checked:\n{final.answer}")
    _print_answer(final, text_already_shown=True)


@cli.command()
@click.pass_context
def documents(ctx: click.Context) -> None:
    """List the indexed documents."""
    docs = _assistant(ctx).documents()
    for d in docs:
        about = " ".join(x for x in (d.doc_type, d.doc_number, d.issued) if x)
        click.echo(f"{d.doc_id}  {d.chunks:4} chunks  [{about}]  {printable(d.title[:60])}  ({printable(d.source)})")
        details = [
            f"issued by {d.issuer}" if d.issuer else "", f"in force {d.effective}" if d.effective else "",
            f"signed {d.signer_position + ' ' if d.signer_position else ''}{d.signer}" if d.signer else "",
            f"{d.pages} pages" if d.pages else "",
            f"uploaded by {printable(d.added_by)}" if d.added_by else "",
            "not shared: only its uploader's questions see it (`qa share`)" if not d.shared else "",
        ]
        if any(details):
            click.echo("      " + "; ".join(x for x in details if x))
    click.echo(f"{len(docs)} documents.")


@cli.command()
@click.argument("doc")
@click.pass_context
def relations(ctx: click.Context, doc: str) -> None:
    """What a document cites, amends, replaces or repeals, and which indexed documents refer to it.
    DOC is a document id or number (e.g. 494/QĐ-BNNMT)."""
    from qa.text import fold

    docs = _assistant(ctx).documents()
    found = [d for d in docs if d.doc_id == doc or (d.doc_number and fold(d.doc_number) == fold(doc))]
    if not found:
        raise InputError(f"No indexed document has the id or number {doc!r}; `qa documents` lists them.")
    target = found[0]
    by_number = {fold(d.doc_number): d for d in docs if d.doc_number}
    click.echo(f"{target.doc_number or target.doc_id}  {target.title[:80]}")
    for relation, number in target.relations:
        held = by_number.get(fold(number))
        click.echo(f"  {relation:10} {number}" + (f"  (indexed: {held.title[:60]})" if held else ""))
    if target.doc_number:
        for other in docs:
            for relation, number in other.relations:
                if fold(number) == fold(target.doc_number) and other.doc_id != target.doc_id:
                    click.echo(f"  referred to by {other.doc_number or other.doc_id} ({relation})  {other.title[:60]}")


@cli.command()
@click.argument("doc_id")
@click.pass_context
def delete(ctx: click.Context, doc_id: str) -> None:
    """Remove one document (by the id `qa documents` shows)."""
    _assistant(ctx).delete(doc_id)
    click.echo(f"Deleted {doc_id}.")


@cli.command()
@click.argument("doc_id")
@click.option("--undo", is_flag=True, help="Take it back: only its uploader's questions see it again.")
@click.pass_context
def share(ctx: click.Context, doc_id: str, undo: bool) -> None:
    """Let every user's questions use a document a page user uploaded (by the id `qa documents` shows)."""
    _assistant(ctx).share(doc_id, shared=not undo)
    click.echo(f"{'Unshared' if undo else 'Shared'} {doc_id}.")


@cli.command()
@click.option("--delete-carried/--keep-carried", default=None,
              help="Delete the earlier versions' indexes already brought over to this one (default: yes on disk, "
                   "no on a Chroma server, where another deployment may still use one).")
@click.pass_context
def repair(ctx: click.Context, delete_carried: bool | None) -> None:
    """Rebuild a damaged index from the stored document texts and the embedding cache (nothing intact
    is parsed or embedded again)."""
    from qa.index.embedders import make_embedder
    from qa.ingest.repair import repair as repair_index

    settings = _settings(ctx)
    report = repair_index(settings, make_embedder(settings), delete_carried)
    for action in report.actions:
        click.echo(f"- {action}")
    for source in report.rebuilt:
        click.echo(f"rebuilt   {printable(source)}")
    for source in report.lost:
        click.echo(f"lost      {printable(source)}: ingest its file again")
    click.echo(
        f"Done: {report.intact} intact, {len(report.rebuilt)} rebuilt, {len(report.lost)} lost, {report.orphans} stray "
        f"document(s) removed; {report.embedded} chunks embedded, {report.cache_refilled} vectors put back in the cache."
    )


@cli.command()
@click.option("--host", default=None, help="Address to bind (default 127.0.0.1). Off loopback, login or --read-only is required.")
@click.option("--port", type=int, default=None, help="Port (default 7860).")
@click.option("--read-only", is_flag=True, help="No upload and no delete: only questions.")
@click.pass_context
def serve(ctx: click.Context, host: str | None, port: int | None, read_only: bool) -> None:
    """Serve the chat page and the OpenAI-compatible API (/v1) on 127.0.0.1:7860 by default."""
    from ui.server import check_exposure, serve

    ctx.obj.update(ui_host=host, ui_port=port)
    settings = _settings(ctx)
    check_exposure(settings, read_only)  # before the index and the embedder load
    assistant = _assistant(ctx)
    # Read BM25 and Chroma's vector index from disk while the page starts, not on the first question.
    threading.Thread(target=assistant.retrieve, args=("warm-up",), name="qa-warm-up", daemon=True).start()
    login = " (login required)" if settings.ui_credentials() else ""
    mode = " read-only," if read_only else ""

    def announce(url: str) -> None:
        click.echo(f"Serving the chat on {url}/ and the OpenAI-compatible API on {url}/v1{login},{mode} Ctrl+C to stop.")

    serve(assistant, read_only, announce)


def main() -> None:
    use_offline_defaults()
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


@cli.command("eval")
@click.option("--questions", "questions_paths", required=True, multiple=True, type=click.Path(path_type=Path),
              help="JSONL question file (repeat to score several together).")
@click.option("--docs", type=click.Path(path_type=Path), multiple=True, help="Build a fresh temporary index of this folder (repeatable).")
@click.option("--index", "index_path", type=click.Path(path_type=Path), help="Use this existing index folder.")
@click.option("--pipeline", type=click.Choice(["both", "ours", "naive"]), default="both", show_default=True)
@click.option("--json", "json_out", type=click.Path(path_type=Path), help="Write the full report as JSON.")
@click.option("--markdown", "md_out", type=click.Path(path_type=Path), help="Write a Markdown report.")
@click.option("--baseline", type=click.Path(path_type=Path), help="A previous JSON report to compare with.")
@click.option("--gate", "gate_path", type=click.Path(path_type=Path), help="Threshold file; exit 1 when a metric is below.")
@click.option("--calibrate", is_flag=True, help="Answer with no refusal and print the refusal threshold that fits best.")
@click.option("--ablation", is_flag=True, help="Also rank with dense only, BM25 only and hybrid, side by side.")
@click.option("--report-only", "report_only", multiple=True, type=click.Path(path_type=Path),
              help="Another question file scored on the same index and reported, never gated (the blind split).")
@click.option("--fit-refusal", "fit_refusal_out", type=click.Path(path_type=Path),
              help="Answer with no refusal, fit the refusal model on the results (cross-validated) and write it here.")
@click.option("--vectors", type=click.Path(path_type=Path), help="Embeddings to seed a fresh --docs index with (.npz).")
@click.option("--save-vectors", type=click.Path(path_type=Path), help="Write the index's embeddings here (.npz) for --vectors.")
@click.pass_context
def eval_command(
    ctx: click.Context, questions_paths: tuple[Path, ...], docs: tuple[Path, ...], index_path: Path | None, pipeline: str,
    json_out: Path | None, md_out: Path | None, baseline: Path | None, gate_path: Path | None, calibrate: bool,
    ablation: bool, vectors: Path | None, save_vectors: Path | None, fit_refusal_out: Path | None,
    report_only: tuple[Path, ...],
) -> None:
    """Score answers against hand-written facts; compare with the naive pipeline; gate CI."""
    import json

    from evals import harness
    from evals.facts import load_questions
    from evals.harness import (
        PIPELINES,
        ablation_failures,
        ablation_table,
        breakdown_table,
        compare,
        gate,
        load_gate,
        metrics_table,
        run_eval,
        to_markdown,
        write_json,
    )

    def all_questions() -> list[Any]:
        return [q for path in questions_paths for q in load_questions(path)]

    if fit_refusal_out:
        from qa.answer.refusal import save

        settings = _settings(ctx).model_copy(update={"refusal_threshold": 0.0, "refusal_model": False})
        report = run_eval(settings, all_questions(), docs=list(docs), index=index_path, pipelines=("ours",), vectors=vectors)
        model, fitted = harness.fit_refusal(report.results["ours"])
        save(model, fit_refusal_out)
        click.echo(" ".join(f"{k}={v:.3f}" for k, v in fitted.items()))
        click.echo(f"Wrote the refusal model to {fit_refusal_out}.")
        return
    if calibrate:
        settings = _settings(ctx).model_copy(update={"refusal_threshold": 0.0})
        report = run_eval(settings, all_questions(), docs=list(docs), index=index_path, pipelines=("ours",), vectors=vectors)
        best, curve = harness.calibrate(report.results["ours"])
        click.echo("threshold  answered-right  refused-right")
        for t, answered, refused in curve:
            click.echo(f"{t:9.4f}  {answered:14}  {refused:13}{'   <- best' if t == best else ''}")
        click.echo(f"\nBest refusal threshold: {best} (set QA_REFUSAL_THRESHOLD or refusal_threshold in qa.toml)")
        return

    questions = all_questions()
    thresholds, ablation_checks = load_gate(gate_path) if gate_path else ({}, [])
    previous = json.loads(baseline.read_text(encoding="utf-8")) if baseline else None
    pipelines = PIPELINES if pipeline == "both" else (pipeline,)
    report = run_eval(
        _settings(ctx), questions, docs=list(docs), index=index_path, pipelines=pipelines,
        with_ablation=ablation or bool(ablation_checks), vectors=vectors, save_vectors=save_vectors,
        report_only={path.stem: load_questions(path) for path in report_only},
    )
    if report.index_seconds is not None:
        click.echo(f"Indexed {', '.join(map(str, docs))} in {report.index_seconds} s.")
    click.echo(f"{report.questions} questions ({', '.join(map(str, questions_paths))}), settings {report.settings_hash}\n")
    click.echo(metrics_table(report))
    click.echo("\nBy question type and language (ours):\n" + breakdown_table(report))
    if report.ablation:
        click.echo("\nRetrieval alone, by retriever:\n" + ablation_table(report))
    if json_out:
        write_json(report, json_out)
    if md_out:
        md_out.parent.mkdir(parents=True, exist_ok=True)
        md_out.write_text(to_markdown(report), encoding="utf-8")
    for name, companion in report.companions.items():
        click.echo(f"\n{name}: {companion.questions} questions, reported only (never gated, never tuned on)\n")
        click.echo(metrics_table(companion))
        click.echo(f"\nBy question type and language ({name}):\n" + breakdown_table(companion))
        if json_out:
            write_json(companion, json_out.with_name(f"{name}.json"))
        if md_out:
            md_out.with_name(f"{name}.md").write_text(to_markdown(companion), encoding="utf-8")
    if previous is not None:
        click.echo("\nChanges against the baseline:")
        for line in compare(report, previous, pipelines[0]) or ["(none)"]:
            click.echo(f"  {line}")
    if thresholds or ablation_checks:
        failures = gate(report, thresholds, pipelines[0]) + ablation_failures(report.ablation, ablation_checks)
        if failures:
            click.echo("\nEVAL GATE FAILED:", err=True)
            for line in failures:
                click.echo(f"  {line}", err=True)
            sys.exit(1)
        extra = f", and hybrid ahead of dense and BM25 alone on {', '.join(ablation_checks)}" if ablation_checks else ""
        click.echo(f"\nEval gate passed ({len(thresholds)} thresholds{extra}).")


@cli.group()
def feedback() -> None:
    """Feedback people gave on answers in the chat."""


@feedback.command("export")
@click.option("--out", type=click.Path(path_type=Path), help="Write JSONL here (default: standard output).")
@click.pass_context
def feedback_export(ctx: click.Context, out: Path | None) -> None:
    """Export all feedback as JSON lines (rating, comment, question, answer, citations, settings hash)."""
    import json

    from qa.feedback import FeedbackStore

    rows = FeedbackStore(_settings(ctx).index_dir / "feedback.sqlite3").rows()
    lines = (json.dumps(row, ensure_ascii=False) for row in rows)
    if out:
        count = 0
        with out.open("w", encoding="utf-8") as handle:
            for line in lines:
                handle.write(line + "\n")
                count += 1
        click.echo(f"Wrote {count} feedback entries to {out}.")
    else:
        for line in lines:
            click.echo(line)


@cli.command()
@click.option("--quick", is_flag=True, help="Small sizes (for CI): 300 and 1,000 chunks.")
@click.option("--sizes", default="1000,10000,100000", show_default=True, help="Corpus sizes in chunks.")
@click.option("--repeats", type=int, default=25, show_default=True, help="Times each question is asked per size.")
@click.option("--json", "json_out", type=click.Path(path_type=Path), default=Path("reports/bench.json"), show_default=True)
@click.pass_context
def bench(ctx: click.Context, quick: bool, sizes: str, repeats: int, json_out: Path) -> None:
    """Measure ingest throughput, query latency and memory against the naive pipeline."""
    from evals.bench import run_bench, table, write

    settings = _settings(ctx)
    wanted = [300, 1000] if quick else [int(s) for s in sizes.split(",") if s.strip()]
    pool = 48 if quick else 1000
    report = run_bench(settings, wanted, pool, 2 if quick else repeats, settings.index_dir.parent / "bench-cache", quick=quick)
    write(report, json_out)
    click.echo(table(report))
    click.echo(f"\nWrote {json_out}")
