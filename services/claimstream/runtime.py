"""Process-wide worker state: the loaded pipeline, its thread and the readiness flag."""

from __future__ import annotations

import asyncio
import logging
import time
from concurrent.futures import ThreadPoolExecutor

from claimstream.handling import BatchHandler
from claimstream.pipeline import Pipeline, load_extractor
from claimstream.settings import Settings

log = logging.getLogger(__name__)


class Runtime:
    """Loads the model off the event loop once, and runs batches on one inference thread."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        # One thread: the model uses all cores itself; a second batch would only contend.
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="claimstream-infer")
        self.loaded = asyncio.Event()
        self.handler: BatchHandler | None = None
        self.started = time.monotonic()
        self.ready_after_s: float | None = None

    async def load(self) -> BatchHandler:
        if self.handler is None:
            loop = asyncio.get_running_loop()
            extractor = await loop.run_in_executor(self.executor, load_extractor, self.settings)
            self.handler = BatchHandler(Pipeline(extractor), max_article_bytes=self.settings.max_article_bytes)
            self.ready_after_s = time.monotonic() - self.started
            log.info("model %s loaded in %.2fs", extractor.version, self.ready_after_s)
            self.loaded.set()
        return self.handler
