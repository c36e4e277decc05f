//! secbot's Microsoft Teams adapter: Bot Framework activities with their JWT validated, cards
//! rendered as Adaptive Cards 1.5, and replies sent through the Bot Connector.
