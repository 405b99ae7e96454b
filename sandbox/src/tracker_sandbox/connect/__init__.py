"""Amazon Connect in the sandbox: a LocalStack service provider (plux ``connect:tracker``).

``plugin`` and ``provider`` import LocalStack (they run inside it, on Python 3.13);
``models`` and ``exceptions`` use the standard library and ``tracker_sandbox.flows`` only.
"""
