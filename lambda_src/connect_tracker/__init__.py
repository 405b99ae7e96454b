"""Asynchronous tracker pattern for Amazon Connect: writer, processor (the stream's
dispatcher), worker and checker Lambdas.

Task authors import from :mod:`connect_tracker.tasks`; everything else is internal.
"""

__version__ = "1.0.0"
