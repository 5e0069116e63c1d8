"""The jobs behind the commands: build, digest, pin-ids (pins), publish, send, unsubscribe.

Each takes paths and options, does the whole job and returns a result the CLI
prints; errors are FeedkitError subclasses carrying their exit status.
"""
