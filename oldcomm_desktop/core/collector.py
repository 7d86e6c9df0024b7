"""Python's cycle collector paused while a big batch of short-lived objects is built.

A bulk import holds hundreds of thousands of live dicts and tuples, and a batch of forms as many flowables;
each full collection walks all of them, for nothing, since they hold no cycles and reference counting frees
them as usual: a fifth of a 50,000-row import and a sixth of a batch of forms went to it. Only cycle
detection waits until the work is done. The switch is process-wide, so it is set back as it was found.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    """`with paused():` or `@paused()` around the work."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
