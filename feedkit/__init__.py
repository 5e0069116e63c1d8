"""feedkit: turn a posts registry (posts.yaml) into feeds and email digests."""

__version__ = "0.2.0"
