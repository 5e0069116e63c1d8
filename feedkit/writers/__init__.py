"""Writers turn the model into output files.

catalogue describes every feed as a FeedSpec; atom, rss and jsonfeed render a
spec to bytes; feeds, discovery and digest hold the writers a build runs.
"""
