"""What the project's tests, the bench and the integration tier share and the shipped kit
(connect_tracker.testing) does not: the functional tier's own tasks and table readers, and
the sandbox stacks' clients. Helpers live here, never in a conftest."""
