//! secbot's Slack adapter: the Events API, interactivity and the slash command, with requests
//! verified by the signing secret, cards rendered as Block Kit, and replies posted through the
//! Web API.
