"""One ComponentResource per platform capability; each takes typed Args, never config."""
