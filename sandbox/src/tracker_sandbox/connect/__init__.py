"""Amazon Connect in the sandbox: a LocalStack service provider (plux ``connect:tracker``).

``plugin`` and ``provider`` import LocalStack (they run inside it, on Python 3.13);
``models`` and ``errors`` use the standard library only.
"""
