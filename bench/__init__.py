"""`make bench`: the tracker measured side by side with its floors, on the sandbox."""
