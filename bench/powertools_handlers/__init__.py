"""Equivalent handlers written with Powertools for AWS Lambda (bench comparison only).

They do what ours do at import time (a logger, a lazily created DynamoDB client) with
Powertools' Logger and, for the processor, its BatchProcessor. Installed and imported only
in the bench venv; never packaged.
"""
