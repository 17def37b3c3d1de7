"""Wait until a Kafka broker answers a real client's metadata request.

Used by kafka.sh (after starting the broker) and by the test fixtures (to probe a
broker named in $CLAIMSTREAM_BROKERS / $KAFKA_BOOTSTRAP). Exit 0 when ready, 1 on timeout,
2 when --pid is given and that process has died (no point waiting any longer).

    python deploy/kafka/wait_ready.py --bootstrap 127.0.0.1:9092 --timeout 90 [--pid N]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import sys
import time

from aiokafka import AIOKafkaClient


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # a zombie (exited child not yet reaped) still answers kill(0)
    with contextlib.suppress(OSError), open(f"/proc/{pid}/stat") as fh:
        return fh.read().rsplit(")", 1)[-1].split()[0] != "Z"
    return True


async def _probe(bootstrap: str, attempt_timeout: float) -> int:
    """One attempt: bootstrap + full metadata fetch. Returns the number of brokers seen."""
    client = AIOKafkaClient(
        bootstrap_servers=bootstrap,
        request_timeout_ms=int(attempt_timeout * 1000),
        client_id="claimstream-wait-ready",
    )
    try:
        await asyncio.wait_for(client.bootstrap(), attempt_timeout)
        metadata = await asyncio.wait_for(client.fetch_all_metadata(), attempt_timeout)
        return len(metadata.brokers())
    finally:
        await client.close()


async def wait_ready(bootstrap: str, timeout: float, pid: int | None = None, quiet: bool = False) -> int:
    deadline = time.monotonic() + timeout
    last_error = "no attempt made"
    while True:
        if pid is not None and not _alive(pid):
            print(f"wait_ready: broker process {pid} exited", file=sys.stderr)
            return 2
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        try:
            if await _probe(bootstrap, min(5.0, max(remaining, 0.5))) > 0:
                return 0
            last_error = "metadata lists no brokers yet"
        except Exception as exc:  # any failure means "not ready yet"
            last_error = f"{type(exc).__name__}: {exc}"
        await asyncio.sleep(min(0.5, max(deadline - time.monotonic(), 0)))
    if not quiet:
        print(f"wait_ready: {bootstrap} not ready after {timeout:.0f}s ({last_error})", file=sys.stderr)
    return 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bootstrap", default="127.0.0.1:9092", help="host:port[,host:port]")
    parser.add_argument("--timeout", type=float, default=90.0, help="seconds to wait in total")
    parser.add_argument("--pid", type=int, default=None, help="give up early if this process dies")
    parser.add_argument("--quiet", action="store_true", help="no message on timeout")
    args = parser.parse_args(argv)
    # aiokafka logs every refused connection at ERROR while the broker is still starting
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    return asyncio.run(wait_ready(args.bootstrap, args.timeout, args.pid, args.quiet))


if __name__ == "__main__":
    sys.exit(main())
