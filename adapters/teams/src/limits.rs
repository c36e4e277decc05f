//! The Teams and Adaptive Card limits secbot renders and packages within. The renderer splits
//! content to stay inside them and never drops any of it.

/// The largest activity secbot posts, in bytes of JSON. Teams' current documentation allows
/// about 100 KB and answers `413 MessageSizeTooBig` beyond; older pages said 40 KB and the
/// Power Automate path about 28 KB, so secbot keeps to the most conservative figure.
/// <https://learn.microsoft.com/microsoftteams/platform/bots/how-to/format-your-bot-messages>
pub const MESSAGE_BYTES: usize = 28 * 1024;

/// The largest Adaptive Card secbot puts in one message, in bytes of JSON; the rest of
/// [`MESSAGE_BYTES`] is left for the activity around it.
pub const CARD_BYTES: usize = MESSAGE_BYTES - 2 * 1024;

/// The most characters of text in one `TextBlock` or fact value; longer text continues in the
/// next block.
pub const TEXT_CHARS: usize = 2_000;

/// The most characters of code in one `CodeBlock`; longer code continues in a next part with
/// its line numbers carried on.
pub const CODE_CHARS: usize = 4_000;

/// The most buttons in one `ActionSet`. Teams' host config shows at most 6 actions in a set;
/// secbot uses 5 so long labels stay on screen.
pub const ACTIONS_PER_SET: usize = 5;

/// The most characters of a button title; a longer label is shortened with "…" and shown in
/// full as the button's tooltip.
pub const LABEL_CHARS: usize = 60;

/// A button payload longer than this (in bytes) is not carried in the card; the button carries
/// the reply's id and its index, and the payload is read back from the store on a click.
pub const INLINE_PAYLOAD_BYTES: usize = 1_024;

/// The most characters a person may type in the feedback comment box.
pub const COMMENT_CHARS: usize = 2_000;

/// The most characters of the `summary` Teams shows in notifications.
pub const SUMMARY_CHARS: usize = 150;

/// Teams app manifest: the short app name.
/// <https://learn.microsoft.com/microsoftteams/platform/resources/schema/manifest-schema>
pub const MANIFEST_SHORT_NAME_CHARS: usize = 30;

/// Teams app manifest: the full app name.
pub const MANIFEST_FULL_NAME_CHARS: usize = 100;

/// Teams app manifest: the short description.
pub const MANIFEST_SHORT_DESCRIPTION_CHARS: usize = 80;

/// Teams app manifest: the full description.
pub const MANIFEST_FULL_DESCRIPTION_CHARS: usize = 4_000;

/// Teams app manifest: the developer's name.
pub const MANIFEST_DEVELOPER_NAME_CHARS: usize = 32;

/// Teams app manifest: commands in one command list (one list per scope).
pub const MANIFEST_COMMANDS: usize = 10;

/// Teams app manifest: a command's title.
pub const MANIFEST_COMMAND_TITLE_CHARS: usize = 32;

/// Teams app manifest: a command's description.
pub const MANIFEST_COMMAND_DESCRIPTION_CHARS: usize = 128;
