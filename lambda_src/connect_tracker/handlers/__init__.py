"""Lambda entry points: parse, call the service, shape the answer. Nothing else."""
