"""Mail: the digest as a message (message), personalised per recipient (personal),
signed tokens (tokens), handed over by SMTP or to a Maildir (transport)."""
