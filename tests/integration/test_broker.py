"""The local broker itself: a real round trip and real topic metadata through aiokafka."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.structs import TopicPartition

pytestmark = pytest.mark.kafka

TopicNamer = Callable[[str], str]  # the topic_names fixture
CreateTopics = Callable[..., Awaitable[list[str]]]  # the create_topics fixture


async def test_produce_then_consume_round_trip(kafka_bootstrap: str, topic_names: TopicNamer) -> None:
    topic = topic_names("roundtrip")  # not created beforehand: auto.create.topics.enable=true
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all", enable_idempotence=True)
    await producer.start()
    try:
        sent = await producer.send_and_wait(
            topic, key=b"article-1", value=b'{"id": "article-1"}', headers=[("h", b"1")]
        )
    finally:
        await producer.stop()
    assert (sent.topic, sent.partition, sent.offset) == (topic, 0, 0)

    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=kafka_bootstrap,
        group_id=topic_names("group"),
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    try:
        record = await asyncio.wait_for(consumer.getone(), timeout=30)
        await consumer.commit()
        committed = await consumer.committed(TopicPartition(record.topic, record.partition))
    finally:
        await consumer.stop()
    assert (record.key, record.value, list(record.headers)) == (
        b"article-1",
        b'{"id": "article-1"}',
        [("h", b"1")],
    )
    assert committed == 1


async def test_four_partition_topic_metadata(
    kafka_bootstrap: str, topic_names: TopicNamer, create_topics: CreateTopics
) -> None:
    topic = topic_names("claims")
    assert await create_topics(topic, partitions=4, config={"retention.ms": "3600000"}) == [topic]

    admin = AIOKafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    await admin.start()
    try:
        (described,) = await admin.describe_topics([topic])
        cluster = await admin.describe_cluster()
        assert topic in await admin.list_topics()
    finally:
        await admin.close()
    assert described["error_code"] == 0
    assert sorted(p["partition"] for p in described["partitions"]) == [0, 1, 2, 3]
    node_ids = {b["node_id"] for b in cluster["brokers"]}
    for partition in described["partitions"]:
        assert partition["leader"] in node_ids
        assert partition["replicas"] == partition["isr"] == [partition["leader"]]

    # keys spread over the partitions and each partition reads back what was written to it
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap)
    await producer.start()
    try:
        sent = [await producer.send_and_wait(topic, key=f"k{i}".encode(), value=b"v") for i in range(32)]
        assert {md.partition for md in sent} == {0, 1, 2, 3}
        assert len(await producer.partitions_for(topic)) == 4
    finally:
        await producer.stop()
