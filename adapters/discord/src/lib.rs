//! secbot's Discord adapter: the HTTP interactions endpoint with Ed25519-verified requests,
//! cards rendered as embeds and components, and answers sent through interaction webhooks.
