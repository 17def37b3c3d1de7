"""The ``claimstream`` command: run the worker, produce articles, tail claims, extract offline, evaluate."""

from __future__ import annotations

import asyncio
import contextlib
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer

app = typer.Typer(
    help="Streaming extraction of threats, commitments and troop-count claims from news on Kafka.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

TYPES = ("threat", "commitment", "troop_count")


@app.command()
def worker(
    loglevel: Annotated[str, typer.Option("--loglevel", "-l", help="log level")] = "info",
) -> None:
    """Run the Faust worker: articles topic in, claims, summaries and dead letters out."""
    from claimstream.preflight import exit_if_refused
    from claimstream.settings import get_settings

    exit_if_refused(get_settings())  # wrong credentials: one clear line and exit 77, no retries

    from claimstream.agents import app as faust_app
    from claimstream.kafka_client import ensure_topics

    created = asyncio.run(ensure_topics(get_settings()))
    if created:
        typer.echo(f"created topics: {', '.join(created)}", err=True)
    sys.argv = ["claimstream", "worker", "--loglevel", loglevel]
    faust_app.main()


def _iter_inputs(paths: list[Path]) -> Iterator[tuple[bytes | None, bytes]]:
    """(key, value) pairs: one per text file, one per JSONL line, the whole of stdin for '-'."""
    for path in paths:
        if str(path) == "-":
            data = sys.stdin.buffer.read()
            yield None, data
        elif path.is_dir():
            yield from _iter_inputs(sorted(p for p in path.rglob("*") if p.is_file()))
        elif path.suffix == ".jsonl":
            with path.open("rb") as fh:
                for line in fh:
                    if line.strip():
                        yield _jsonl_key(line), line.rstrip(b"\n")
        else:
            yield path.stem.encode(), path.read_bytes()


def _jsonl_key(line: bytes) -> bytes | None:
    try:
        obj = orjson.loads(line)
    except orjson.JSONDecodeError:
        return None
    return str(obj["id"]).encode() if isinstance(obj, dict) and obj.get("id") is not None else None


async def _produce(pairs: list[tuple[bytes | None, bytes]], topic: str) -> None:
    from aiokafka import AIOKafkaProducer
    from rich.progress import Progress

    from claimstream.kafka_client import client_options
    from claimstream.settings import get_settings

    settings = get_settings()
    producer = AIOKafkaProducer(
        **client_options(settings), acks="all", enable_idempotence=True, max_request_size=16 * 1024 * 1024
    )
    await producer.start()
    try:
        with Progress(transient=False, console=_stderr_console()) as progress:
            task = progress.add_task(f"producing to {topic}", total=len(pairs))
            futures = []
            for key, value in pairs:
                futures.append(await producer.send(topic, value=value, key=key))
                progress.advance(task)
            await asyncio.gather(*futures)
    finally:
        await producer.stop()


def _stderr_console() -> Any:
    from rich.console import Console

    return Console(stderr=True)


@app.command()
def produce(
    paths: Annotated[list[Path], typer.Argument(help="text files, folders, .jsonl files, or - for stdin")],
    topic: Annotated[str | None, typer.Option(help="topic (default: the articles topic)")] = None,
    key: Annotated[
        str | None, typer.Option(help="message key (= article id) for a single text input")
    ] = None,
) -> None:
    """Send articles to the articles topic: each text file is one article (id = file stem)."""
    from claimstream.settings import get_settings

    pairs = list(_iter_inputs(paths))
    if key is not None:
        if len(pairs) != 1:
            raise typer.BadParameter("--key needs exactly one text input")
        pairs = [(key.encode(), pairs[0][1])]
    target = topic or get_settings().articles_topic
    from claimstream.preflight import exit_if_refused

    exit_if_refused(get_settings())
    asyncio.run(_produce(pairs, target))
    typer.echo(f"produced {len(pairs)} article(s) to {target}", err=True)


async def _consume(
    topic: str,
    types: set[str],
    articles: set[str],
    as_json: bool,
    from_beginning: bool,
    limit: int | None,
    idle: float | None,
) -> None:
    from aiokafka import AIOKafkaConsumer

    from claimstream.kafka_client import client_options
    from claimstream.settings import get_settings

    settings = get_settings()
    consumer = AIOKafkaConsumer(
        topic,
        **client_options(settings),
        group_id=None,
        auto_offset_reset="earliest" if from_beginning else "latest",
        enable_auto_commit=False,
        isolation_level="read_committed",
    )
    await consumer.start()
    console = None if as_json else _stdout_console()
    seen = 0
    last = time.monotonic()
    try:
        while limit is None or seen < limit:
            batch = await consumer.getmany(timeout_ms=500)
            if idle is not None and time.monotonic() - last > idle:
                break
            for records in batch.values():
                for record in records:
                    claim = orjson.loads(record.value)
                    if types and claim.get("type") not in types:
                        continue
                    if articles and claim.get("article_id") not in articles:
                        continue
                    seen += 1
                    last = time.monotonic()
                    if as_json:
                        sys.stdout.buffer.write(record.value + b"\n")
                        sys.stdout.flush()
                    else:
                        _print_claim(console, claim)
    finally:
        await consumer.stop()


def _stdout_console() -> Any:
    from rich.console import Console

    return Console()


def _print_claim(console: Any, claim: dict[str, Any]) -> None:
    from rich.markup import escape  # "[up_to 100000 troops]" or a quoted "[him]" is text, not a style

    q = claim.get("quantity") or {}
    flags = "".join(f for f, on in (("C", claim.get("conditional")), ("N", claim.get("negated"))) if on)
    qty = ""
    if q:
        amount = q["value"] if q.get("value") is not None else f"{q.get('lower')}–{q.get('upper')}"
        qty = f" [{q.get('qualifier')} {amount} {q.get('unit')}]"
    colour = {"threat": "red", "commitment": "green", "troop_count": "cyan"}.get(claim["type"], "white")
    console.print(
        f"[bold {colour}]{claim['type']:<11}[/] "
        f"[dim]{escape(claim['article_id'])}:{claim['start']}-{claim['end']}[/] "
        f"{flags:<2} [yellow]{escape(claim.get('speaker') or '-')}[/] → "
        f"{escape(claim.get('target') or '-')}{escape(qty)}\n"
        f"            “{escape(claim['text'])}” [dim]({claim['confidence']:.2f})[/]",
        highlight=False,
    )


@app.command()
def consume(
    json_lines: Annotated[bool, typer.Option("--json", help="print JSON lines instead of a table")] = False,
    type_: Annotated[list[str] | None, typer.Option("--type", "-t", help="only these claim types")] = None,
    article: Annotated[
        list[str] | None, typer.Option("--article", "-a", help="only these article ids")
    ] = None,
    from_beginning: Annotated[bool, typer.Option("--from-beginning/--latest")] = True,
    limit: Annotated[int | None, typer.Option(help="stop after this many claims")] = None,
    idle_timeout: Annotated[
        float | None, typer.Option(help="stop after this many seconds without a (matching) claim")
    ] = None,
    topic: Annotated[str | None, typer.Option(help="topic (default: the claims topic)")] = None,
) -> None:
    """Tail the claims topic, as a readable table or as JSON lines."""
    from claimstream.settings import get_settings

    wanted = set(type_ or [])
    unknown = wanted - set(TYPES)
    if unknown:
        raise typer.BadParameter(f"unknown type(s) {sorted(unknown)}; choose from {TYPES}")
    from claimstream.preflight import exit_if_refused

    exit_if_refused(get_settings())
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(
            _consume(
                topic or get_settings().claims_topic,
                wanted,
                set(article or []),
                json_lines,
                from_beginning,
                limit,
                idle_timeout,
            )
        )


def _read_articles(path: str) -> Iterator[tuple[bytes | None, bytes]]:
    if path == "-":
        yield b"stdin", sys.stdin.buffer.read()
    elif path.endswith(".jsonl"):
        with open(path, "rb") as fh:
            for line in fh:
                if line.strip():
                    yield None, line.rstrip(b"\n")
    else:
        yield Path(path).stem.encode(), Path(path).read_bytes()


@app.command()
def extract(
    path: Annotated[
        str, typer.Argument(help="a text file (id = file stem), a .jsonl of articles, or - for stdin")
    ],
    baseline: Annotated[bool, typer.Option(help="use the rule baseline instead of the model")] = False,
) -> None:
    """Extract claims without Kafka; writes exactly the worker's claim records as JSON lines on stdout."""
    from claimstream.decode import decode_article
    from claimstream.exceptions import ClaimstreamError
    from claimstream.pipeline import Pipeline, load_extractor
    from claimstream.settings import get_settings

    settings = get_settings()
    if baseline:
        settings = settings.model_copy(update={"extractor": "baseline"})
    pipeline = Pipeline(load_extractor(settings))
    out = sys.stdout.buffer
    failures = 0
    pending: list[Any] = []  # articles for the next model call: micro-batches, as in the worker

    def flush() -> None:
        for result in pipeline.process(pending) if pending else []:
            for claim in result.claims:
                out.write(orjson.dumps(claim.to_dict()) + b"\n")
        pending.clear()

    for n, (key, value) in enumerate(_read_articles(path), 1):
        try:
            article = decode_article(value, key, max_bytes=settings.max_article_bytes)
        except ClaimstreamError as exc:
            failures += 1
            typer.echo(f"{path}:{n}: {exc.code}: {exc}", err=True)
            continue
        pending.append(article)
        if len(pending) >= settings.batch_max_articles:
            flush()
    flush()
    out.flush()
    if failures:
        raise typer.Exit(code=1)


@app.command("eval")
def evaluate(
    report: Annotated[Path | None, typer.Option(help="also write the JSON report here")] = None,
    gold_spans: Annotated[
        bool,
        typer.Option(help="add a column that feeds the gold spans to the claim builder (attribution alone)"),
    ] = False,
    model_dir: Annotated[
        Path | None,
        typer.Option(help="tagger directory; default: CLAIMSTREAM_MODEL_DIR, else the bundled model"),
    ] = None,
) -> None:
    """Precision, recall and F1 per claim type for the model and the rule baseline on the evaluation set."""
    from claimstream.settings import get_settings
    from claimstream.training import evaluate as ev

    # the model the worker would serve, so a model under trial is scored by setting the same variable
    model_dir = model_dir or get_settings().model_dir
    ev.main(
        [
            *(["--out", str(report)] if report else []),
            *(["--gold-spans"] if gold_spans else []),
            *(["--model-dir", str(model_dir)] if model_dir else []),
        ]
    )


def main() -> None:
    app()


if __name__ == "__main__":
    main()
