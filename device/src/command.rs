//! Command parsing, router style: keywords may be shortened to any unique prefix (`sh lic st`), each
//! command belongs to modes (exec, admin exec, admin config), and an error points at the word that
//! failed (`% Invalid input detected at '^' marker.`).

use chrono::Duration;

use crate::clock::parse_duration;

/// The shell's modes, each with its own prompt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `RP/0/RSP0/CPU0:host#`
    Exec,
    /// `RP/0/RSP0/CPU0:host(admin)#`
    Admin,
    /// `RP/0/RSP0/CPU0:host(admin-config)#`
    AdminConfig,
    /// `device exec "…"`: a script may run any command without changing modes.
    Script,
}

/// What a `show license` command shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Show {
    Status,
    Summary,
    Entitlements,
    All,
    RegisterStatus,
    Pool,
    Features,
    Version,
    CallHome,
    Logging,
    Clock,
}

/// A parsed command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// An empty line.
    Nothing,
    Show(Show),
    SmartEnable,
    NoSmartEnable,
    Register {
        token: String,
        force: bool,
    },
    Deregister,
    RenewId,
    RenewAuth,
    Feature {
        tag: String,
        count: i64,
    },
    NoFeature {
        tag: String,
    },
    Destination(String),
    CaFile(Option<String>),
    Hostname(String),
    Reload,
    ClockAdvance(Duration),
    /// `admin`: into admin exec mode.
    Admin,
    /// `configure`: into admin config mode.
    Configure,
    Exit,
    End,
    /// `commit`: the configuration applies as it is entered; accepted for muscle memory.
    Commit,
    /// `terminal length 0` and friends: accepted and ignored, as scripts send them.
    Terminal,
    Help,
}

/// Why a line is not a command, with the column (0-based, in the line) to mark.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseError {
    Invalid { column: usize },
    Incomplete,
    Ambiguous { column: usize },
}

impl ParseError {
    /// The router's message, the caret line included: `indent` is how many columns precede the line
    /// on the screen (the prompt's width, in the shell).
    pub fn render(&self, indent: usize, line: &str) -> String {
        match self {
            ParseError::Invalid { column } => format!(
                "{}^\n% Invalid input detected at '^' marker.",
                " ".repeat(indent + column)
            ),
            ParseError::Incomplete => "% Incomplete command.".to_owned(),
            ParseError::Ambiguous { .. } => {
                format!("% Ambiguous command:  \"{}\"", line.trim())
            }
        }
    }
}

/// One word of a rule.
#[derive(Debug, Clone, Copy)]
enum Part {
    /// A keyword, matched by any unique prefix.
    Kw(&'static str),
    /// A keyword that may end the command (only at the end of a rule).
    OptKw(&'static str),
    /// A value.
    Arg,
    /// A value that may be left out (only at the end of a rule).
    OptArg,
}

use Part::{Arg, Kw, OptArg, OptKw};

const EXEC: u8 = 1;
const ADMIN: u8 = 2;
const CONFIG: u8 = 4;
const ANY: u8 = EXEC | ADMIN | CONFIG;
const EXEC_MODES: u8 = EXEC | ADMIN;

/// The values of a matched rule, one per part: keywords as written in full, values as typed.
type Words<'a> = [Option<&'a str>];
type Build = fn(&Words) -> Result<Command, usize>;

struct Rule {
    parts: &'static [Part],
    modes: u8,
    build: Build,
}

macro_rules! rule {
    ($modes:expr, [$($part:expr),*], $build:expr) => {
        Rule { parts: &[$($part),*], modes: $modes, build: $build }
    };
}

/// The word at `i` (a value the rule guarantees is there).
fn word<'a>(words: &Words<'a>, i: usize) -> &'a str {
    words.get(i).copied().flatten().unwrap_or_default()
}

fn show(what: Show) -> Result<Command, usize> {
    Ok(Command::Show(what))
}

const RULES: &[Rule] = &[
    rule!(ANY, [Kw("show"), Kw("license"), Kw("status")], |_| show(
        Show::Status
    )),
    rule!(ANY, [Kw("show"), Kw("license"), Kw("summary")], |_| show(
        Show::Summary
    )),
    rule!(ANY, [Kw("show"), Kw("license"), Kw("entitlements")], |_| {
        show(Show::Entitlements)
    }),
    rule!(ANY, [Kw("show"), Kw("license"), Kw("all")], |_| show(
        Show::All
    )),
    rule!(
        ANY,
        [Kw("show"), Kw("license"), Kw("register"), Kw("status")],
        |_| show(Show::RegisterStatus)
    ),
    rule!(ANY, [Kw("show"), Kw("license"), Kw("pool")], |_| show(
        Show::Pool
    )),
    rule!(ANY, [Kw("show"), Kw("license"), Kw("features")], |_| show(
        Show::Features
    )),
    rule!(ANY, [Kw("show"), Kw("license"), Kw("version")], |_| show(
        Show::Version
    )),
    rule!(ANY, [Kw("show"), Kw("run"), Kw("call-home")], |_| show(
        Show::CallHome
    )),
    rule!(
        ANY,
        [Kw("show"), Kw("running-config"), Kw("call-home")],
        |_| show(Show::CallHome)
    ),
    rule!(ANY, [Kw("show"), Kw("logging")], |_| show(Show::Logging)),
    rule!(ANY, [Kw("show"), Kw("clock")], |_| show(Show::Clock)),
    rule!(
        EXEC_MODES,
        [
            Kw("license"),
            Kw("smart"),
            Kw("register"),
            Kw("idtoken"),
            Arg,
            OptKw("force")
        ],
        |w| Ok(Command::Register {
            token: word(w, 4).to_owned(),
            force: w[5].is_some()
        })
    ),
    rule!(
        EXEC_MODES,
        [Kw("license"), Kw("smart"), Kw("deregister")],
        |_| Ok(Command::Deregister)
    ),
    rule!(
        EXEC_MODES,
        [Kw("license"), Kw("smart"), Kw("renew"), Kw("id")],
        |_| Ok(Command::RenewId)
    ),
    rule!(
        EXEC_MODES,
        [Kw("license"), Kw("smart"), Kw("renew"), Kw("auth")],
        |_| Ok(Command::RenewAuth)
    ),
    rule!(CONFIG, [Kw("license"), Kw("smart"), Kw("enable")], |_| Ok(
        Command::SmartEnable
    )),
    rule!(
        CONFIG,
        [Kw("no"), Kw("license"), Kw("smart"), Kw("enable")],
        |_| Ok(Command::NoSmartEnable)
    ),
    rule!(CONFIG, [Kw("feature"), Arg, OptArg], |w| {
        let tag = parse_tag(word(w, 1)).ok_or(1usize)?;
        let count = match w[2] {
            Some(raw) => parse_count(raw).ok_or(2usize)?,
            None => 1,
        };
        Ok(Command::Feature { tag, count })
    }),
    rule!(CONFIG, [Kw("no"), Kw("feature"), Arg], |w| Ok(
        Command::NoFeature {
            tag: parse_tag(word(w, 2)).ok_or(2usize)?
        }
    )),
    rule!(CONFIG, [Kw("call-home"), Kw("destination"), Arg], |w| {
        let url = word(w, 2);
        if url.starts_with("https://") || url.starts_with("http://") {
            Ok(Command::Destination(url.to_owned()))
        } else {
            Err(2)
        }
    }),
    rule!(CONFIG, [Kw("call-home"), Kw("ca-file"), Arg], |w| Ok(
        Command::CaFile(Some(word(w, 2).to_owned()))
    )),
    rule!(CONFIG, [Kw("no"), Kw("call-home"), Kw("ca-file")], |_| Ok(
        Command::CaFile(None)
    )),
    rule!(CONFIG, [Kw("hostname"), Arg], |w| {
        let name = word(w, 1);
        let ok = name.len() <= 253
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.');
        if ok {
            Ok(Command::Hostname(name.to_owned()))
        } else {
            Err(1)
        }
    }),
    rule!(CONFIG, [Kw("commit")], |_| Ok(Command::Commit)),
    rule!(EXEC_MODES, [Kw("reload")], |_| Ok(Command::Reload)),
    rule!(
        EXEC_MODES,
        [Kw("test"), Kw("clock"), Kw("advance"), Arg],
        |w| parse_duration(word(w, 3))
            .map(Command::ClockAdvance)
            .map_err(|_| 3usize)
    ),
    rule!(EXEC, [Kw("admin")], |_| Ok(Command::Admin)),
    rule!(EXEC_MODES, [Kw("configure"), OptKw("terminal")], |_| Ok(
        Command::Configure
    )),
    rule!(ANY, [Kw("exit")], |_| Ok(Command::Exit)),
    rule!(ANY, [Kw("end")], |_| Ok(Command::End)),
    rule!(ANY, [Kw("terminal"), Arg, OptArg], |_| Ok(
        Command::Terminal
    )),
    rule!(ANY, [Kw("help")], |_| Ok(Command::Help)),
];

/// An entitlement tag as configured: upper case, letters, digits, `-`, `_` and `.`, 1 to 64 long.
pub fn parse_tag(raw: &str) -> Option<String> {
    let tag = raw.to_ascii_uppercase();
    let ok = (1..=64).contains(&tag.len())
        && tag
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    ok.then_some(tag)
}

/// A feature count: 1 to 1,000,000, as the protocol allows.
pub fn parse_count(raw: &str) -> Option<i64> {
    raw.parse::<i64>()
        .ok()
        .filter(|n| (1..=1_000_000).contains(n))
}

/// The words of a line with their columns.
fn words(line: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in line.char_indices() {
        match (c.is_whitespace(), start) {
            (true, Some(s)) => {
                out.push((s, &line[s..i]));
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, &line[s..]));
    }
    out
}

fn mode_bit(mode: Mode) -> u8 {
    match mode {
        Mode::Exec => EXEC,
        Mode::Admin => ADMIN,
        Mode::AdminConfig => CONFIG,
        Mode::Script => ANY,
    }
}

/// Parses one line in `mode`. In admin config mode, `do <command>` runs an exec command.
pub fn parse(line: &str, mode: Mode) -> Result<Command, ParseError> {
    let tokens = words(line);
    if tokens.is_empty() || tokens[0].1.starts_with('!') {
        return Ok(Command::Nothing);
    }
    if tokens.iter().any(|(_, w)| *w == "?") {
        return Ok(Command::Help);
    }
    let mut allowed = mode_bit(mode);
    let mut tokens = &tokens[..];
    if mode == Mode::AdminConfig && tokens[0].1 == "do" {
        if tokens.len() == 1 {
            return Err(ParseError::Incomplete);
        }
        allowed = EXEC_MODES;
        tokens = &tokens[1..];
    }
    let mut alive: Vec<&Rule> = RULES.iter().filter(|r| r.modes & allowed != 0).collect();
    // The keyword each alive rule matched at each position, so values can be read back.
    let mut chosen: Vec<Vec<Option<&str>>> = vec![Vec::new(); alive.len()];
    for (i, &(column, token)) in tokens.iter().enumerate() {
        let lower = token.to_ascii_lowercase();
        let keyword_at = |r: &Rule| match r.parts.get(i) {
            Some(Kw(k)) | Some(OptKw(k)) => Some(*k),
            _ => None,
        };
        let exact = alive.iter().any(|r| keyword_at(r) == Some(lower.as_str()));
        let mut prefixed: Vec<&str> = alive
            .iter()
            .filter_map(|r| keyword_at(r))
            .filter(|k| k.starts_with(lower.as_str()))
            .collect();
        prefixed.sort_unstable();
        prefixed.dedup();
        let keyword = if exact {
            Some(lower.as_str())
        } else if prefixed.len() == 1 {
            Some(prefixed[0])
        } else if prefixed.len() > 1 {
            return Err(ParseError::Ambiguous { column });
        } else {
            None
        };
        let mut next_alive = Vec::new();
        let mut next_chosen = Vec::new();
        for (rule, mut words) in alive.into_iter().zip(chosen) {
            let keep = match (rule.parts.get(i), keyword) {
                (Some(Kw(k)) | Some(OptKw(k)), Some(kw)) if *k == kw => {
                    words.push(Some(*k));
                    true
                }
                (Some(Arg) | Some(OptArg), None) => {
                    words.push(Some(token));
                    true
                }
                _ => false,
            };
            if keep {
                next_alive.push(rule);
                next_chosen.push(words);
            }
        }
        if next_alive.is_empty() {
            return Err(ParseError::Invalid {
                column: offset(line, tokens, column),
            });
        }
        alive = next_alive;
        chosen = next_chosen;
    }
    let matched = tokens.len();
    for (rule, mut words) in alive.into_iter().zip(chosen) {
        if rule.parts[matched..]
            .iter()
            .all(|p| matches!(p, OptKw(_) | OptArg))
        {
            words.resize(rule.parts.len(), None);
            return (rule.build)(&words).map_err(|bad| ParseError::Invalid {
                column: offset(line, tokens, tokens[bad].0),
            });
        }
    }
    Err(ParseError::Incomplete)
}

/// Columns are already offsets in the whole line; kept as a function for `do` lines' clarity.
fn offset(_line: &str, _tokens: &[(usize, &str)], column: usize) -> usize {
    column
}

/// The commands a mode offers, for `help` and `?`.
pub fn help(mode: Mode) -> String {
    let exec = "\
  show license status|summary|entitlements|all|pool|features|version
  show license register status
  show run call-home | show logging | show clock
  license smart register idtoken <token> [force]
  license smart deregister
  license smart renew id|auth
  test clock advance <duration>      (e.g. 20m, 4h, 2d)
  reload";
    let config = "\
  license smart enable | no license smart enable
  feature <tag> [count] | no feature <tag>
  call-home destination <url>
  call-home ca-file <pem file> | no call-home ca-file
  hostname <name>
  do <exec command>
  commit | exit | end";
    match mode {
        Mode::Exec => format!("{exec}\n  admin | configure\n  exit"),
        Mode::Admin => format!("{exec}\n  configure\n  exit"),
        Mode::AdminConfig => config.to_owned(),
        Mode::Script => format!("{exec}\n{config}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exec(line: &str) -> Result<Command, ParseError> {
        parse(line, Mode::Exec)
    }

    #[test]
    fn full_and_shortened_commands_parse() {
        assert_eq!(exec("show license status"), Ok(Command::Show(Show::Status)));
        assert_eq!(exec("sh lic st"), Ok(Command::Show(Show::Status)));
        assert_eq!(
            exec("  SHOW   License  summary "),
            Ok(Command::Show(Show::Summary))
        );
        assert_eq!(
            exec("sh lic reg st"),
            Ok(Command::Show(Show::RegisterStatus))
        );
        assert_eq!(
            exec("show run call-home"),
            Ok(Command::Show(Show::CallHome))
        );
        assert_eq!(
            exec("show running-config call-home"),
            Ok(Command::Show(Show::CallHome))
        );
        assert_eq!(exec(""), Ok(Command::Nothing));
        assert_eq!(exec("! a comment"), Ok(Command::Nothing));
    }

    #[test]
    fn register_takes_the_token_as_typed_and_an_optional_force() {
        assert_eq!(
            exec("license smart register idtoken idt_AbC-xyz"),
            Ok(Command::Register {
                token: "idt_AbC-xyz".into(),
                force: false
            })
        );
        assert_eq!(
            exec("lic sm reg idt idt_AbC force"),
            Ok(Command::Register {
                token: "idt_AbC".into(),
                force: true
            })
        );
        assert_eq!(
            exec("license smart register idtoken"),
            Err(ParseError::Incomplete)
        );
        assert_eq!(
            exec("license smart register idtoken T forceful"),
            Err(ParseError::Invalid { column: 33 })
        );
    }

    #[test]
    fn features_parse_with_their_counts() {
        let cfg = |l: &str| parse(l, Mode::AdminConfig);
        assert_eq!(
            cfg("feature a9k-100g-lic 2"),
            Ok(Command::Feature {
                tag: "A9K-100G-LIC".into(),
                count: 2
            })
        );
        assert_eq!(
            cfg("feature A9K-IVRF-LIC"),
            Ok(Command::Feature {
                tag: "A9K-IVRF-LIC".into(),
                count: 1
            })
        );
        assert_eq!(
            cfg("no feature A9K-IVRF-LIC"),
            Ok(Command::NoFeature {
                tag: "A9K-IVRF-LIC".into()
            })
        );
        assert_eq!(
            cfg("feature A9K-100G-LIC 0"),
            Err(ParseError::Invalid { column: 21 })
        );
        assert_eq!(
            cfg("feature A9K-100G-LIC many"),
            Err(ParseError::Invalid { column: 21 })
        );
        assert_eq!(
            cfg("feature bad/tag"),
            Err(ParseError::Invalid { column: 8 })
        );
        assert_eq!(cfg("license smart enable"), Ok(Command::SmartEnable));
        assert_eq!(cfg("no lic smart en"), Ok(Command::NoSmartEnable));
        assert_eq!(
            cfg("call-home destination ftp://x"),
            Err(ParseError::Invalid { column: 22 })
        );
        assert_eq!(
            cfg("test clock advance 1h"),
            Err(ParseError::Invalid { column: 0 })
        );
    }

    #[test]
    fn modes_limit_commands() {
        // Configuration needs config mode; registration is an exec command.
        assert_eq!(
            exec("license smart enable"),
            Err(ParseError::Invalid { column: 14 })
        );
        assert_eq!(exec("feature X 1"), Err(ParseError::Invalid { column: 0 }));
        assert_eq!(
            parse("admin", Mode::Admin),
            Err(ParseError::Invalid { column: 0 })
        );
        assert_eq!(parse("conf t", Mode::Admin), Ok(Command::Configure));
        assert_eq!(
            parse("do show license status", Mode::AdminConfig),
            Ok(Command::Show(Show::Status))
        );
        assert_eq!(
            parse("do license smart renew auth", Mode::AdminConfig),
            Ok(Command::RenewAuth)
        );
        // A script may run anything.
        assert_eq!(
            parse("license smart enable", Mode::Script),
            Ok(Command::SmartEnable)
        );
        assert_eq!(
            parse("license smart renew id", Mode::Script),
            Ok(Command::RenewId)
        );
    }

    #[test]
    fn errors_point_at_the_bad_word() {
        assert_eq!(
            exec("show licence status"),
            Err(ParseError::Invalid { column: 5 })
        );
        assert_eq!(exec("frobnicate"), Err(ParseError::Invalid { column: 0 }));
        assert_eq!(exec("show license"), Err(ParseError::Incomplete));
        assert_eq!(
            exec("show license s"),
            Err(ParseError::Ambiguous { column: 13 })
        );
        assert_eq!(
            exec("show license status now"),
            Err(ParseError::Invalid { column: 20 })
        );
        assert_eq!(
            exec("test clock advance soon"),
            Err(ParseError::Invalid { column: 19 })
        );
        assert_eq!(
            exec("test clock advance 2d"),
            Ok(Command::ClockAdvance(Duration::days(2)))
        );
        let shown = ParseError::Invalid { column: 5 }.render(3, "show licence status");
        assert_eq!(shown, "        ^\n% Invalid input detected at '^' marker.");
    }

    #[test]
    fn nothing_typed_makes_the_parser_panic() {
        for line in [
            "\u{0}",
            "é é",
            "show \t license\tstatus",
            "?",
            "do",
            "no",
            "terminal length 0",
            "feature",
        ] {
            for mode in [Mode::Exec, Mode::Admin, Mode::AdminConfig, Mode::Script] {
                let _ = parse(line, mode);
            }
        }
        assert_eq!(exec("show ?"), Ok(Command::Help));
        assert_eq!(parse("do", Mode::AdminConfig), Err(ParseError::Incomplete));
    }
}
