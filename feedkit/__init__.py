"""feedkit: turn a posts registry (posts.yaml) into feeds and email digests."""

# The one place the version is written: pyproject.toml reads it (hatch), and a
# release is tagged from it (`make release`, docs/release.md). Between releases it
# is the next version with .dev0.
__version__ = "0.3.0.dev0"
