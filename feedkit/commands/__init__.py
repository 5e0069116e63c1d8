"""The commands that live outside cli.py: each parses options, calls one job, prints."""
