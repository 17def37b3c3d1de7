"""All configuration, read from the environment (prefix ``CLAIMSTREAM_``) once."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parents[2]


class Settings(BaseSettings):
    """Typed settings of the service; every field can be set as CLAIMSTREAM_<NAME>."""

    model_config = SettingsConfigDict(env_prefix="CLAIMSTREAM_", env_file=None, extra="ignore")

    # Kafka
    brokers: str = Field("127.0.0.1:9092", description="Kafka bootstrap servers, comma separated")
    app_id: str = Field("claimstream", description="Faust app id = consumer group id")
    articles_topic: str = "articles"
    claims_topic: str = "claims"
    summaries_topic: str = "claims.summaries"
    dlq_topic: str = "articles.dlq"
    topic_partitions: int = Field(4, ge=1, description="partitions for topics the worker creates")
    topic_replicas: int = Field(1, ge=1)
    processing_guarantee: Literal["at_least_once", "exactly_once"] = "at_least_once"

    # Security
    security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] = "SCRAM-SHA-512"
    sasl_username: str | None = None
    sasl_password: SecretStr | None = None
    ssl_cafile: Path | None = None
    ssl_certfile: Path | None = None
    ssl_keyfile: Path | None = None

    # Worker
    web_host: str = Field("127.0.0.1", description="address the metrics/health web server binds")
    web_port: int = 6066
    model_load_delay_s: float = Field(
        0.0, ge=0, description="test hook: wait this long before loading the model"
    )
    max_article_bytes: int = Field(2_000_000, ge=1, description="larger messages go to the DLQ")
    max_message_bytes: int = Field(
        16 * 1024 * 1024, ge=1024, description="largest record the worker fetches or sends (dead letters)"
    )
    dlq_max_bytes: int = Field(1_000_000, ge=8192, description="largest dead letter; cut beyond")
    stream_buffer_maxsize: int = Field(128, ge=1, description="messages fetched ahead of the agent")
    max_poll_records: int = Field(256, ge=1, description="most records per consumer poll")
    fetch_max_bytes: int = Field(1_048_576, ge=1024, description="bytes fetched per partition and request")
    # Micro-batching and inference (measured in bench/README.md)
    batch_max_articles: int = Field(64, ge=1, description="micro-batch: most articles per batch")
    batch_max_seconds: float = Field(0.05, gt=0, description="micro-batch: longest wait to fill a batch")
    batch_token_budget: int = Field(
        65536, ge=128, description="micro-batch: most estimated tokens (bytes / 4) per model call"
    )
    batch_max_tokens: int = Field(2048, ge=128, description="padded tokens per model forward pass")
    batch_max_rows: int = Field(32, ge=1, description="windows (rows) per model forward pass")
    batch_pass_cost: int = Field(
        48, ge=0, description="fixed cost of a forward pass in padded tokens: plans the passes (0: greedy)"
    )
    inference_threads: int = Field(0, ge=0, description="threads running the model (0 = all cores)")
    inference_parallel_passes: bool = Field(
        True, description="each thread runs forward passes of its own (else: one pass at a time on all)"
    )
    inference_spinning: bool = Field(
        False, description="onnxruntime threads spin between passes (steals CPU from Kafka I/O)"
    )

    # Model
    extractor: Literal["model", "baseline"] = "model"
    model_dir: Path | None = Field(None, description="tagger directory; default: the bundled model")
    log_level: str = "INFO"

    def kafka_url(self) -> str:
        """Faust broker URL(s) built from ``brokers``."""
        return ";".join(f"kafka://{b.strip()}" for b in self.brokers.split(",") if b.strip())


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read from the environment on first use."""
    return Settings()


def settings_env(**values: object) -> dict[str, str]:
    """The environment variables that give a worker started as a subprocess these settings
    (``app_id="x"`` -> ``CLAIMSTREAM_APP_ID=x``); a name that is no setting is an error, not a
    variable nobody reads."""
    unknown = sorted(set(values) - set(Settings.model_fields))
    if unknown:
        raise ValueError(f"no such settings: {', '.join(unknown)}")
    prefix = Settings.model_config.get("env_prefix", "")
    return {f"{prefix}{name.upper()}": str(value) for name, value in values.items()}
