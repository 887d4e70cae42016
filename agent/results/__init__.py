"""Call results: the durable store, webhook delivery, and the order they happen in."""
