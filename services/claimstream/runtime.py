"""Process-wide worker state: the loaded pipeline, its thread and the readiness flag."""

from __future__ import annotations

import asyncio
import logging
import time
from concurrent.futures import Future, ThreadPoolExecutor

from claimstream.extract.base import Extractor
from claimstream.handling import BatchHandler
from claimstream.metrics import MeteredExtractor, get_metrics
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
        self._load_lock = asyncio.Lock()  # the start-up task and the agent both ask: load once
        self._preloading: Future[Extractor] | None = None

    def preload(self) -> Runtime:
        """Start loading the model on the inference thread now, before Faust is even imported,
        so that loading overlaps the worker's start-up; :meth:`load` then waits for it.
        (Not with the ``model_load_delay_s`` test hook, which wants a late load.)"""
        if self._preloading is None and not self.settings.model_load_delay_s:
            self._preloading = self.executor.submit(load_extractor, self.settings)
        return self

    async def load(self) -> BatchHandler:
        async with self._load_lock:
            if self.handler is None:
                loop = asyncio.get_running_loop()
                if self.settings.model_load_delay_s:
                    await asyncio.sleep(self.settings.model_load_delay_s)
                if self._preloading is not None:
                    extractor = await asyncio.wrap_future(self._preloading)
                else:
                    extractor = await loop.run_in_executor(self.executor, load_extractor, self.settings)
                metrics = get_metrics()
                metrics.set_model(extractor.name, extractor.version)
                pipeline = Pipeline(MeteredExtractor(extractor, metrics))
                self.handler = BatchHandler(pipeline, max_article_bytes=self.settings.max_article_bytes)
                self.ready_after_s = time.monotonic() - self.started
                log.info("model %s loaded in %.2fs", extractor.version, self.ready_after_s)
                self.loaded.set()
        return self.handler
