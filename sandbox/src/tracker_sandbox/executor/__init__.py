"""The Docker-less Lambda executor: each execution environment is a runtime subprocess.

``runtime_api``, ``platform_log`` and ``environment`` use the standard library only;
``executor`` and ``plugin`` adapt them to LocalStack and import it.
"""
