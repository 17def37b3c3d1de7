"""Getting a batch's records to the broker, and the one place where its messages are marked done.

The agent hands every batch here. A consumed message is *acked* (its offset becomes
committable) only after every record it produced -- claims, its summary, or its dead
letter -- has been acknowledged by the broker (``acks=all``). Nothing else acks it:

* Faust's ``Stream.take_events`` acks a batch in a ``finally`` block, which also runs when
  the agent is cancelled or fails half-way through sending. :meth:`Delivery.hold` takes an
  extra reference on each message first, so that ``finally`` cannot make it committable;
  :meth:`Delivery.deliver` drops the reference and acks once the records are delivered.
* A batch whose records cannot be delivered (the producer gave up) is never acked: the
  worker logs the reason and exits at once, without committing (:func:`die`), and the
  batch is consumed again by the next worker that gets the partition.

Under ``exactly_once`` three things in Faust (0.15.3) are worked around here:

1. Faust does not put an agent's sends into the transaction that commits the source
   offsets: ``TransactionManager.send`` picks the transactional producer by the
   *destination* partition of each record, and only when the consumer's metadata knows
   the destination topic -- which it does not for topics the worker only writes to, so the
   records went out on the plain, non-transactional producer. Here every record of a
   source partition is sent by that partition's transactional producer (the one Faust
   commits the partition's offsets with, ``{app id}-{group}-{partition}``), and the batch
   is split per source partition for that.
2. Faust computes the offsets to commit *before* it takes a producer's transaction lock: a
   batch delivered and acked in between is committed with the transaction while its
   offsets wait for the next one; a crash in that window processes the batch again, and a
   read_committed consumer sees it twice. Commits and deliveries exclude each other here
   (:meth:`Delivery.guard_commits`): a commit computes its offsets and commits its
   transactions while no batch is half sent, so a transaction holds whole batches and
   exactly the offsets they came from.
3. On a rebalance Faust forgets the acked-but-uncommitted offsets of the revoked partitions
   *before* its final commit, while their records sit in the open transaction; that
   transaction is committed later together with the reprocessed batch (duplicates).
   :meth:`Delivery.guard_commits` commits before Faust forgets them (and exits if that
   fails under exactly_once, so the next owner aborts the transaction).
4. Faust keeps the transactional producer of a partition that moved to another worker (it
   counts the partition as a standby and skips it when stopping revoked producers). The
   other worker's producer fences it; when the partition comes back, Faust reuses the
   fenced producer and every send fails. :meth:`Delivery.drop_stale_producers` runs after
   each assignment and stops the producers of partitions this worker no longer owns.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import dataclasses
import hashlib
import logging
import os
import sys
from collections.abc import Awaitable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NoReturn

import faust

from claimstream.handling import Outcome, encode
from claimstream.records import DeadLetter

log = logging.getLogger(__name__)

#: Exit status of a worker that could not deliver a batch (EX_TEMPFAIL: run it again).
EXIT_DELIVERY_FAILED = 75
#: Bytes of the original value kept in a dead letter that would otherwise be too large.
TRUNCATED_PREFIX_BYTES = 64 * 1024
#: Room left in a dead-letter record for everything but the base64 value.
_DEAD_LETTER_OVERHEAD = 4096


class DeliveryError(RuntimeError):
    """Records of a batch could not be handed to the broker."""


@dataclass(frozen=True, slots=True)
class OutRecord:
    topic: str
    key: bytes
    value: bytes


@dataclass(frozen=True, slots=True)
class OutTopics:
    claims: str
    summaries: str
    dlq: str


def bounded_dead_letter(dead: DeadLetter, max_record_bytes: int) -> DeadLetter:
    """``dead`` itself when its record fits ``max_record_bytes``; else the same dead letter with
    only the first :data:`TRUNCATED_PREFIX_BYTES` of the original value, and its size and
    SHA-256 in ``extra`` (``value_truncated``, ``value_bytes``, ``value_sha256``)."""
    if len(dead.value_b64) + len(dead.key_b64 or "") + _DEAD_LETTER_OVERHEAD <= max_record_bytes:
        return dead
    original = base64.b64decode(dead.value_b64)
    keep = max(0, min(TRUNCATED_PREFIX_BYTES, (max_record_bytes - _DEAD_LETTER_OVERHEAD) * 3 // 4))
    return dataclasses.replace(
        dead,
        value_b64=base64.b64encode(original[:keep]).decode("ascii"),
        extra={
            **dead.extra,
            "value_truncated": True,
            "value_bytes": len(original),
            "value_sha256": hashlib.sha256(original).hexdigest(),
        },
    )


def dead_letter_key(dead: DeadLetter) -> bytes:
    return f"{dead.topic}/{dead.partition}/{dead.offset}".encode()


def outcome_records(
    outcome: Outcome, topics: OutTopics, *, max_dead_letter_bytes: int
) -> tuple[list[OutRecord], list[OutRecord]]:
    """The records of a batch in two waves: claims first, then summaries and dead letters.

    The second wave is sent only once the first is delivered, so a summary on the broker
    means that every claim it lists is there too.
    """
    claims: list[OutRecord] = []
    closing: list[OutRecord] = []
    for msg, result in outcome.results:
        key = result.article.id.encode("utf-8")
        for claim in result.claims:
            claims.append(OutRecord(topics.claims, key, encode(claim.to_dict())))
        summary = dataclasses.replace(
            result.summary, source_partition=msg.partition, source_offset=msg.offset
        )
        closing.append(OutRecord(topics.summaries, key, encode(summary.to_dict())))
    for dead in outcome.dead_letters:
        bounded = bounded_dead_letter(dead, max_dead_letter_bytes)
        closing.append(OutRecord(topics.dlq, dead_letter_key(dead), encode(bounded.to_dict())))
    return claims, closing


def split_outcome(outcome: Outcome) -> dict[tuple[str, int], Outcome]:
    """The outcome of a batch, per source topic-partition."""
    parts: dict[tuple[str, int], Outcome] = {}
    for msg, result in outcome.results:
        parts.setdefault((msg.topic, msg.partition), Outcome()).results.append((msg, result))
    for dead in outcome.dead_letters:
        parts.setdefault((dead.topic, dead.partition), Outcome()).dead_letters.append(dead)
    return parts


def die(exc: BaseException) -> NoReturn:
    """Exit now, committing nothing: the undelivered batch is consumed again after a restart."""
    log.critical(
        "cannot deliver a batch (%s: %s); exiting without committing its offsets, "
        "it will be processed again when the worker restarts",
        type(exc).__name__,
        exc,
    )
    for handler in logging.getLogger().handlers:
        with contextlib.suppress(Exception):  # best effort before exiting
            handler.flush()
    sys.stderr.flush()
    os._exit(EXIT_DELIVERY_FAILED)


class Delivery:
    """Sends a batch's records and acks its messages, at-least-once or in transactions."""

    def __init__(self, app: faust.App, topics: OutTopics, *, max_dead_letter_bytes: int) -> None:
        self.app = app
        self.topics = topics
        self.max_dead_letter_bytes = max_dead_letter_bytes
        self.commit_lock = asyncio.Lock()

    @property
    def transactional(self) -> bool:
        return bool(self.app.in_transaction)

    def install(self) -> None:
        """Hook :meth:`guard_commits` and :meth:`drop_stale_producers` to partition assignments
        (the first one comes before any message is processed)."""

        async def on_assigned(sender: Any, /, *args: Any, signal: Any, **kwargs: Any) -> None:
            assigned = args[0] if args else kwargs.get("assigned", set())
            self.guard_commits()
            await self.drop_stale_producers(assigned)

        self.app.on_partitions_assigned.connect(on_assigned, weak=False)

    def guard_commits(self) -> None:
        """Make each offset commit hold :attr:`commit_lock` from computing the offsets to
        committing the transactions (:meth:`deliver` holds it too under exactly_once), and
        commit what is acked when partitions are revoked, before Faust forgets it."""
        consumer: Any = self.app.consumer
        if getattr(consumer, "_claimstream_guarded", False):
            return
        force_commit = consumer.force_commit
        on_partitions_revoked = consumer.on_partitions_revoked
        lock = self.commit_lock
        transactional = self.transactional

        async def guarded_force_commit(*args: Any, **kwargs: Any) -> bool:
            async with lock:
                return bool(await force_commit(*args, **kwargs))

        async def commit_then_revoke(revoked: set[Any]) -> None:
            try:
                await consumer.commit()
            except Exception as exc:
                if transactional:
                    die(exc)
                log.warning("commit before revoking partitions failed: %s: %s", type(exc).__name__, exc)
            await on_partitions_revoked(revoked)

        consumer.force_commit = guarded_force_commit
        consumer.on_partitions_revoked = commit_then_revoke
        consumer._claimstream_guarded = True

    async def drop_stale_producers(self, assigned: set[Any]) -> list[str]:
        """Stop the transactional producers of partitions not (actively) assigned here any more."""
        if not self.transactional:
            return []
        producer: Any = self.app.producer
        txn_producers: dict[str, Any] = getattr(producer, "_transaction_producers", {})
        locks: dict[str, asyncio.Lock] = getattr(producer, "_trn_locks", {})
        transactions: Any = self.app.consumer.transactions
        owned = transactions._tps_to_transactional_ids(set(assigned))
        stale = sorted(set(txn_producers) - owned)
        for tid in stale:
            lock = locks.get(tid) or asyncio.Lock()
            async with lock:
                aio = txn_producers.pop(tid, None)
                if aio is not None:
                    with contextlib.suppress(Exception):
                        await aio.stop()
        if stale:
            log.info("stopped %d transactional producer(s) of partitions moved away: %s", len(stale), stale)
        return stale

    # -- acking
    @staticmethod
    def hold(events: Iterable[faust.types.EventT]) -> None:
        """Keep ``events`` from being acked by anyone but :meth:`deliver`."""
        for event in events:
            event.message.incref()

    async def _ack(self, stream: faust.StreamT[Any], events: Iterable[faust.types.EventT]) -> None:
        # In offset order (Faust commits up to the first gap, but expects acks in order).
        for event in sorted(events, key=lambda e: e.message.offset):
            event.message.decref()
            await stream.ack(event)

    # -- sending
    async def deliver(
        self, stream: faust.StreamT[Any], events: Sequence[faust.types.EventT], outcome: Outcome
    ) -> None:
        """Send ``outcome``'s records, wait until the broker has them all, then ack ``events``."""
        if not self.transactional:
            await self._send_waves(self._plain_send, outcome)
            await self._ack(stream, events)
            return
        by_tp: dict[tuple[str, int], list[faust.types.EventT]] = {}
        for event in events:
            by_tp.setdefault((event.message.topic, event.message.partition), []).append(event)
        parts = split_outcome(outcome)
        self.guard_commits()
        async with self.commit_lock:
            await asyncio.gather(
                *(
                    self._deliver_in_transaction(stream, tp, tp_events, parts.get(tp, Outcome()))
                    for tp, tp_events in by_tp.items()
                )
            )

    async def _send_waves(self, send: Any, outcome: Outcome) -> None:
        for wave in outcome_records(outcome, self.topics, max_dead_letter_bytes=self.max_dead_letter_bytes):
            if wave:
                pending = [await send(record) for record in wave]
                await asyncio.gather(*pending)

    async def _plain_send(self, record: OutRecord) -> Awaitable[Any]:
        producer = self.app.producer
        return await producer.send(record.topic, record.key, record.value, None, None, None)

    def transactional_id(self, topic: str, partition: int) -> str:
        """The id of the transactional producer Faust commits ``topic``/``partition``'s offsets with."""
        group = self.app.assignor.group_for_topic(topic)
        return f"{self.app.conf.id}-{group}-{partition}"

    async def _deliver_in_transaction(
        self,
        stream: faust.StreamT[Any],
        tp: tuple[str, int],
        events: list[faust.types.EventT],
        outcome: Outcome,
    ) -> None:
        tid = self.transactional_id(*tp)
        producer: Any = self.app.producer
        locks = getattr(producer, "_trn_locks", {})
        txn_producers = getattr(producer, "_transaction_producers", {})
        if tid not in locks or tid not in txn_producers:
            raise DeliveryError(f"no transactional producer {tid!r} for {tp[0]}/{tp[1]} (partition revoked?)")
        async with locks[tid]:
            aio = txn_producers.get(tid)
            if aio is None:
                raise DeliveryError(f"transactional producer {tid!r} went away")
            if not aio._txn_manager.is_in_transaction():
                # Faust only logs a warning when begin_transaction fails (e.g. broker down at
                # assignment); start the transaction here rather than fail every send.
                await aio.begin_transaction()

            async def send(record: OutRecord) -> Awaitable[Any]:
                fut: Awaitable[Any] = await aio.send(record.topic, record.value, key=record.key)
                return fut

            await self._send_waves(send, outcome)
            await self._ack(stream, events)
