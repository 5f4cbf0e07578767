"""Garbage collection tuned for a long-running server.

Python's defaults (a young collection every 700 net allocations, a full one every 100 of
those) suit scripts. A server answering a catalog listing allocates tens of thousands of short-lived
objects per request, almost none of them in cycles: the young generation was collected about
5 times per listing, and every 25 listings or so a full collection walked every object alive
since startup (schema, views, modules), over 200 ms each, for nothing. So, once, after startup:

- what is alive is frozen (`gc.freeze()`): the schema and the imported modules live as long
  as the process and no longer pay to be walked by every full collection;
- the young generation's threshold is raised far above a request's net allocations (most
  objects are freed by reference counting before a collection sees them), so young
  collections come every few dozen requests rather than several times in each.

Cycles are still collected; only less often. `GC_THRESHOLDS` overrides the thresholds.
"""

from __future__ import annotations

import gc
import logging

logger = logging.getLogger(__name__)

# Young generation: measured, a collection every ~30 listings (bench/gc_overhead.py); then 20
# young collections per middle one and 50 middle ones per full one (a full one also waits
# until the objects pending it reach 25% of those it would walk, which freezing keeps small).
SERVER_THRESHOLDS = (50_000, 20, 50)


def tune_for_serving(thresholds: tuple[int, int, int] = SERVER_THRESHOLDS) -> None:
    """Freeze what startup left alive and set the thresholds; log what is now in force."""
    gc.collect()  # what startup left as garbage is not frozen with the rest
    gc.freeze()
    gc.set_threshold(*thresholds)
    logger.info(
        "garbage collector tuned for serving",
        extra={"gc_thresholds": list(gc.get_threshold()), "gc_frozen": gc.get_freeze_count()},
    )
