"""The naive peer: what most users would write first to serve the same model on Kafka.

A plain aiokafka consume loop; for each article, one sentence at a time through a transformers
``pipeline("token-classification")`` in torch fp32 on the event loop; every claim and the
article's summary sent and awaited one by one. Same fine-tuned weights as the service (see
naive_model.py), same sentences (the service's boilerplate filter and splitter, so that both
sides run the model over the same text): only the way the model is served differs.

    python bench/naive_peer.py --brokers 127.0.0.1:9092 --model build/naive-peer/<version> \
        --articles articles --claims claims --summaries claims.summaries --group naive

Prints ``ready`` once the pipeline is loaded and the consumer has its partitions.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer


async def serve(args: argparse.Namespace) -> None:
    from claimstream.pipeline import article_sentences
    from transformers import pipeline

    nlp = pipeline(
        "token-classification", model=args.model, device=-1, aggregation_strategy="simple", stride=32
    )
    consumer = AIOKafkaConsumer(
        args.articles,
        bootstrap_servers=args.brokers,
        group_id=args.group,
        auto_offset_reset="earliest",
        max_poll_interval_ms=600_000,
    )
    producer = AIOKafkaProducer(bootstrap_servers=args.brokers, acks="all")
    await consumer.start()
    await producer.start()
    while not consumer.assignment():
        await asyncio.sleep(0.1)
    print("ready", flush=True)
    try:
        async for msg in consumer:
            article = json.loads(msg.value)
            text = article["text"]
            claims = []
            for sent in article_sentences(text):
                for ent in nlp(text[sent.start : sent.end]):
                    if ent["entity_group"] == "speaker":  # the speaker head's mentions are no claims
                        continue
                    claims.append(
                        {
                            "article_id": article["id"],
                            "type": ent["entity_group"],
                            "start": sent.start + int(ent["start"]),
                            "end": sent.start + int(ent["end"]),
                            "text": ent["word"],
                            "confidence": float(ent["score"]),
                        }
                    )
            key = str(article["id"]).encode()
            for claim in claims:
                await producer.send_and_wait(args.claims, json.dumps(claim).encode(), key=key)
            summary = {"article_id": article["id"], "claim_count": len(claims)}
            await producer.send_and_wait(args.summaries, json.dumps(summary).encode(), key=key)
    finally:
        await consumer.stop()
        await producer.stop()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--brokers", required=True)
    p.add_argument("--model", required=True)
    p.add_argument("--articles", required=True)
    p.add_argument("--claims", required=True)
    p.add_argument("--summaries", required=True)
    p.add_argument("--group", default="naive-peer")
    args = p.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args))


if __name__ == "__main__":
    main()
