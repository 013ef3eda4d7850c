//! RESP request parser with Redis 7 networking.c semantics (processMultibulkBuffer,
//! processInlineBuffer, sdssplitargs), written from its documented behaviour.
//!
//! Output is a flat list of u32 words per command: a header
//! `argc | backing << 30` then `start, end` byte offsets for each argument into
//! that backing. The JS side turns them into `Buffer.subarray` views, so
//! argument bytes are never copied when a command lies inside one socket
//! chunk. Backings:
//!   CHUNK   the chunk given to this `feed` call
//!   PENDING bytes kept from earlier calls plus the bytes of this chunk that
//!           completed them, handed over to JS as a new Buffer (never mutated
//!           afterwards)
//!   INLINE  unescaped inline arguments
//!
//! Only the bytes of a command that straddles two chunks are copied (once),
//! and a parse resumes where it stopped, so a large bulk arriving in many
//! pieces costs linear time.

/// PROTO_INLINE_MAX_SIZE: the longest line (inline command, `*n`, `$n`)
/// accepted without its terminator; bounds the scan for a newline.
pub const INLINE_MAX: usize = 64 * 1024;
/// Bounded multibulk count: one command cannot announce more arguments.
pub const MULTIBULK_MAX: i64 = 1024 * 1024;
/// Before AUTH, Redis caps the count and each bulk so an unauthenticated
/// client cannot make the server buffer much.
pub const UNAUTH_MULTIBULK_MAX: i64 = 10;
pub const UNAUTH_BULK_MAX: i64 = 16384;
/// proto-max-bulk-len default.
pub const DEFAULT_MAX_BULK: i64 = 512 * 1024 * 1024;
/// Offsets are u32 (a JS Buffer is below 4 GiB); keep room for the headers.
pub const MAX_BULK_CAP: i64 = u32::MAX as i64 - 2 * INLINE_MAX as i64;
/// The pending buffer never grows past what a u32 offset can address.
const PENDING_MAX: usize = u32::MAX as usize - 1;

pub const BACKING_CHUNK: u32 = 0;
pub const BACKING_PENDING: u32 = 1;
pub const BACKING_INLINE: u32 = 2;
pub const BACKING_SHIFT: u32 = 30;
pub const ARGC_MASK: u32 = (1 << BACKING_SHIFT) - 1;

enum Step {
    /// Stopped at the end of the data (inside a command or at a boundary).
    NeedMore,
    /// Unauthenticated limit hit after earlier commands of this feed: stop
    /// before this command; the caller resumes once those commands ran.
    Stalled,
    Error(String),
}

#[derive(Default)]
struct Command {
    /// Inside a multibulk command (its count line was read).
    active: bool,
    start: usize,
    multibulk_left: i64,
    /// Length of the bulk being read, -1 while its `$` line is not read.
    bulk_len: i64,
    /// start, end pairs, absolute in the buffer being parsed.
    args: Vec<u32>,
}

impl Command {
    fn reset(&mut self) {
        self.active = false;
        self.multibulk_left = 0;
        self.bulk_len = -1;
        self.args.clear();
    }

    /// The buffer lost its first `by` bytes.
    fn rebase(&mut self, by: usize) {
        if self.active {
            self.start -= by;
            for a in self.args.iter_mut() {
                *a -= by as u32;
            }
        }
    }
}

/// What one `feed` produced.
#[derive(Default)]
pub struct FeedOut {
    pub meta: Vec<u32>,
    pub commands: usize,
    pub pending_backing: Option<Vec<u8>>,
    pub inline_backing: Vec<u8>,
}

impl FeedOut {
    pub fn clear(&mut self) {
        self.meta.clear();
        self.commands = 0;
        self.pending_backing = None;
        self.inline_backing.clear();
    }
}

pub struct Parser {
    pending: Vec<u8>,
    /// Parse position inside `pending`.
    ppos: usize,
    cmd: Command,
    pub max_bulk: i64,
    pub authenticated: bool,
    /// The error reply text (with its `ERR` prefix) once a protocol error was seen.
    pub error: Option<String>,
    pub stalled: bool,
}

impl Default for Parser {
    fn default() -> Self {
        Parser::new(DEFAULT_MAX_BULK)
    }
}

impl Parser {
    pub fn new(max_bulk: i64) -> Self {
        Parser {
            pending: Vec::new(),
            ppos: 0,
            cmd: Command { bulk_len: -1, ..Default::default() },
            max_bulk: max_bulk.clamp(0, MAX_BULK_CAP),
            authenticated: true,
            error: None,
            stalled: false,
        }
    }

    pub fn set_max_bulk(&mut self, n: i64) {
        self.max_bulk = n.clamp(0, MAX_BULK_CAP);
    }

    pub fn buffered_bytes(&self) -> usize {
        self.pending.len()
    }

    /// Parse `chunk` (after what was kept from earlier calls). `chunk` must be
    /// shorter than 4 GiB (the caller checks).
    pub fn feed(&mut self, chunk: &[u8], out: &mut FeedOut) {
        out.clear();
        if self.error.is_some() {
            return;
        }
        self.stalled = false;
        let mut cpos = 0usize;

        if !self.pending.is_empty() {
            // Phase 1: finish what is pending, pulling from the chunk only
            // the bytes the current command still needs.
            let mut stop: Option<Step> = None;
            loop {
                let step = parse(
                    &self.pending,
                    &mut self.ppos,
                    &mut self.cmd,
                    self.max_bulk,
                    self.authenticated,
                    BACKING_PENDING,
                    out,
                );
                match step {
                    Step::NeedMore => {
                        if !self.cmd.active && self.ppos == self.pending.len() {
                            break; // at a boundary: the rest goes the fast way
                        }
                        if cpos == chunk.len() {
                            break;
                        }
                        let take = self.bytes_wanted(&chunk[cpos..]);
                        if self.pending.len() + take > PENDING_MAX {
                            stop = Some(Step::Error("Protocol error: query buffer too big".into()));
                            break;
                        }
                        self.pending.extend_from_slice(&chunk[cpos..cpos + take]);
                        cpos += take;
                    }
                    other => {
                        stop = Some(other);
                        break;
                    }
                }
            }
            match stop {
                Some(Step::Error(e)) => return self.fail(e),
                Some(Step::Stalled) => {
                    self.stalled = true;
                    self.pending.extend_from_slice(&chunk[cpos..]);
                    cpos = chunk.len();
                }
                _ => {}
            }
            self.hand_over_pending(out);
            if !self.pending.is_empty() {
                // Still inside a command, or stalled: the chunk is used up.
                debug_assert!(cpos == chunk.len());
                return;
            }
        }

        // Phase 2: parse straight from the chunk.
        match parse(chunk, &mut cpos, &mut self.cmd, self.max_bulk, self.authenticated, BACKING_CHUNK, out) {
            Step::Error(e) => self.fail(e),
            step => {
                if matches!(step, Step::Stalled) {
                    self.stalled = true;
                }
                let keep = if self.cmd.active { self.cmd.start } else { cpos };
                if keep < chunk.len() {
                    self.pending.extend_from_slice(&chunk[keep..]);
                    self.cmd.rebase(keep);
                    self.ppos = cpos - keep;
                } else {
                    self.ppos = 0;
                }
            }
        }
    }

    fn fail(&mut self, e: String) {
        self.error = Some(format!("ERR {}", e));
        self.pending = Vec::new();
        self.ppos = 0;
        self.cmd.reset();
    }

    /// How many bytes of `rest` the pending command needs next. Exact for a
    /// bulk body; for a line, up to its '\n' (or a bounded window). Taking more
    /// than needed is harmless, only slower.
    fn bytes_wanted(&self, rest: &[u8]) -> usize {
        if self.cmd.active && self.cmd.bulk_len >= 0 {
            let have = self.pending.len() - self.ppos;
            let need = (self.cmd.bulk_len as usize + 2).saturating_sub(have);
            return need.clamp(1, rest.len());
        }
        let window = &rest[..rest.len().min(INLINE_MAX + 2)];
        match memchr(b'\n', window) {
            Some(i) => i + 1,
            None => window.len(),
        }
    }

    /// Give JS the completed commands' bytes; keep the unfinished tail.
    fn hand_over_pending(&mut self, out: &mut FeedOut) {
        let done = if self.cmd.active { self.cmd.start } else { self.ppos };
        if done == 0 {
            return;
        }
        let used = uses_backing(&out.meta, BACKING_PENDING);
        let tail = self.pending[done..].to_vec();
        if used {
            let mut head = std::mem::replace(&mut self.pending, tail);
            head.truncate(done);
            out.pending_backing = Some(head);
        } else {
            self.pending = tail;
        }
        self.cmd.rebase(done);
        self.ppos -= done;
    }
}

fn uses_backing(meta: &[u32], backing: u32) -> bool {
    let mut i = 0;
    while i < meta.len() {
        let h = meta[i];
        if h >> BACKING_SHIFT == backing {
            return true;
        }
        i += 1 + 2 * (h & ARGC_MASK) as usize;
    }
    false
}

fn memchr(needle: u8, hay: &[u8]) -> Option<usize> {
    hay.iter().position(|&b| b == needle)
}

/// Redis string2ll: optional '-', no leading zeros (except "0"), no '+', no
/// spaces, fits in i64, fewer than 21 bytes.
pub fn string2ll(s: &[u8]) -> Option<i64> {
    if s.is_empty() || s.len() >= 21 {
        return None;
    }
    if s == b"0" {
        return Some(0);
    }
    let (neg, digits) = match s[0] {
        b'-' => (true, &s[1..]),
        _ => (false, s),
    };
    match digits.first() {
        Some(b'1'..=b'9') => {}
        _ => return None,
    }
    let mut v: u64 = 0;
    for &c in digits {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_add((c - b'0') as u64)?;
    }
    if neg {
        if v > i64::MAX as u64 + 1 {
            return None;
        }
        Some((v as i128).wrapping_neg() as i64)
    } else {
        i64::try_from(v).ok()
    }
}

/// Find a `\r`-terminated header line at the start of `rest`. Ok(Some(i)) is
/// the index of '\r' with at least one byte after it (Redis skips that byte
/// unchecked); Ok(None) means wait for more; Err means the line is too long.
/// Only the first INLINE_MAX + 1 bytes are searched so the answer does not
/// depend on how the stream was split.
fn header_line(rest: &[u8]) -> Result<Option<usize>, ()> {
    let window = &rest[..rest.len().min(INLINE_MAX + 1)];
    match memchr(b'\r', window) {
        None if rest.len() > INLINE_MAX => Err(()),
        None => Ok(None),
        Some(i) if i + 1 >= rest.len() => Ok(None),
        Some(i) => Ok(Some(i)),
    }
}

/// Parse complete commands from `buf[*pos..]`, appending them to `out`.
fn parse(
    buf: &[u8],
    pos: &mut usize,
    cmd: &mut Command,
    max_bulk: i64,
    authenticated: bool,
    backing: u32,
    out: &mut FeedOut,
) -> Step {
    loop {
        if !cmd.active {
            if *pos >= buf.len() {
                return Step::NeedMore;
            }
            let rest = &buf[*pos..];
            if rest[0] != b'*' {
                // Inline command: a line up to '\n'.
                let window = &rest[..rest.len().min(INLINE_MAX + 1)];
                let Some(nl) = memchr(b'\n', window) else {
                    if rest.len() > INLINE_MAX {
                        return Step::Error("Protocol error: too big inline request".into());
                    }
                    return Step::NeedMore;
                };
                let mut line = &rest[..nl];
                if let Some((b'\r', head)) = line.split_last() {
                    line = head;
                }
                let scratch_start = out.inline_backing.len();
                let meta_start = out.meta.len();
                out.meta.push(0);
                match split_args(line, &mut out.inline_backing, &mut out.meta) {
                    Err(()) => {
                        out.meta.truncate(meta_start);
                        out.inline_backing.truncate(scratch_start);
                        return Step::Error("Protocol error: unbalanced quotes in request".into());
                    }
                    Ok(0) => out.meta.truncate(meta_start),
                    Ok(argc) => {
                        out.meta[meta_start] = argc as u32 | BACKING_INLINE << BACKING_SHIFT;
                        out.commands += 1;
                    }
                }
                *pos += nl + 1;
                continue;
            }
            let i = match header_line(rest) {
                Err(()) => return Step::Error("Protocol error: too big mbulk count string".into()),
                Ok(None) => return Step::NeedMore,
                Ok(Some(i)) => i,
            };
            let n = match string2ll(&rest[1..i]) {
                Some(n) if n <= MULTIBULK_MAX => n,
                _ => return Step::Error("Protocol error: invalid multibulk length".into()),
            };
            if n > UNAUTH_MULTIBULK_MAX && !authenticated {
                if out.commands > 0 {
                    return Step::Stalled;
                }
                return Step::Error("Protocol error: unauthenticated multibulk length".into());
            }
            let start = *pos;
            *pos += i + 2;
            if n <= 0 {
                continue; // empty command: nothing to run
            }
            cmd.active = true;
            cmd.start = start;
            cmd.multibulk_left = n;
            cmd.bulk_len = -1;
            cmd.args.clear();
            // Reserve for what is announced only up to a bound: the count is
            // the client's word, the bytes are not here yet.
            cmd.args.reserve((n as usize).min(1024) * 2);
        }

        while cmd.multibulk_left > 0 {
            if cmd.bulk_len < 0 {
                let rest = &buf[*pos..];
                let i = match header_line(rest) {
                    Err(()) => return Step::Error("Protocol error: too big bulk count string".into()),
                    Ok(None) => return Step::NeedMore,
                    Ok(Some(i)) => i,
                };
                if rest[0] != b'$' {
                    let got = match rest[0] {
                        b'\r' | b'\n' => ' ', // Redis blanks newlines in error replies
                        b => b as char,
                    };
                    return Step::Error(format!("Protocol error: expected '$', got '{}'", got));
                }
                let len = match string2ll(&rest[1..i]) {
                    Some(n) if n >= 0 && n <= max_bulk => n,
                    _ => return Step::Error("Protocol error: invalid bulk length".into()),
                };
                if len > UNAUTH_BULK_MAX && !authenticated {
                    if out.commands > 0 {
                        *pos = cmd.start;
                        cmd.reset();
                        return Step::Stalled;
                    }
                    return Step::Error("Protocol error: unauthenticated bulk length".into());
                }
                *pos += i + 2;
                cmd.bulk_len = len;
            }
            let len = cmd.bulk_len as usize;
            // Redis skips the two bytes after the body without looking at them.
            if buf.len() - *pos < len + 2 {
                return Step::NeedMore;
            }
            cmd.args.push(*pos as u32);
            cmd.args.push((*pos + len) as u32);
            *pos += len + 2;
            cmd.bulk_len = -1;
            cmd.multibulk_left -= 1;
        }

        let argc = (cmd.args.len() / 2) as u32;
        out.meta.push(argc | backing << BACKING_SHIFT);
        out.meta.extend_from_slice(&cmd.args);
        out.commands += 1;
        cmd.reset();
    }
}

/// C isspace in the "C" locale.
fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r')
}

fn hex_val(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// sdssplitargs: append each argument's bytes to `scratch` and its
/// start, end to `meta`. Like Redis, the line ends at its first NUL byte.
/// Err on unbalanced quotes or a closing quote not followed by a space.
pub fn split_args(line: &[u8], scratch: &mut Vec<u8>, meta: &mut Vec<u32>) -> Result<usize, ()> {
    let line = &line[..memchr(0, line).unwrap_or(line.len())];
    let at = |i: usize| -> u8 { line.get(i).copied().unwrap_or(0) };
    let mut p = 0usize;
    let mut argc = 0usize;
    loop {
        while p < line.len() && is_space(line[p]) {
            p += 1;
        }
        if p >= line.len() {
            return Ok(argc);
        }
        let start = scratch.len();
        let (mut inq, mut insq, mut done) = (false, false, false);
        while !done {
            let c = at(p);
            if inq {
                if c == b'\\' && at(p + 1) == b'x' {
                    if let (Some(h), Some(l)) = (hex_val(at(p + 2)), hex_val(at(p + 3))) {
                        scratch.push(h * 16 + l);
                        p += 3;
                    } else {
                        // "\x" without two hex digits: the generic escape rule
                        p += 1;
                        scratch.push(b'x');
                    }
                } else if c == b'\\' && at(p + 1) != 0 {
                    p += 1;
                    scratch.push(match at(p) {
                        b'n' => b'\n',
                        b'r' => b'\r',
                        b't' => b'\t',
                        b'b' => 0x08,
                        b'a' => 0x07,
                        other => other,
                    });
                } else if c == b'"' {
                    if at(p + 1) != 0 && !is_space(at(p + 1)) {
                        return Err(());
                    }
                    done = true;
                } else if c == 0 {
                    return Err(());
                } else {
                    scratch.push(c);
                }
            } else if insq {
                if c == b'\\' && at(p + 1) == b'\'' {
                    p += 1;
                    scratch.push(b'\'');
                } else if c == b'\'' {
                    if at(p + 1) != 0 && !is_space(at(p + 1)) {
                        return Err(());
                    }
                    done = true;
                } else if c == 0 {
                    return Err(());
                } else {
                    scratch.push(c);
                }
            } else {
                match c {
                    b' ' | b'\n' | b'\r' | b'\t' | 0 => done = true,
                    b'"' => inq = true,
                    b'\'' => insq = true,
                    _ => scratch.push(c),
                }
            }
            if at(p) != 0 {
                p += 1;
            }
        }
        meta.push(start as u32);
        meta.push(scratch.len() as u32);
        argc += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn commands(p: &mut Parser, chunk: &[u8]) -> Vec<Vec<Vec<u8>>> {
        let mut out = FeedOut::default();
        p.feed(chunk, &mut out);
        let mut cmds = Vec::new();
        let mut i = 0;
        while i < out.meta.len() {
            let h = out.meta[i];
            let argc = (h & ARGC_MASK) as usize;
            let backing: &[u8] = match h >> BACKING_SHIFT {
                BACKING_CHUNK => chunk,
                BACKING_PENDING => out.pending_backing.as_deref().unwrap(),
                _ => &out.inline_backing,
            };
            let mut argv = Vec::new();
            for a in 0..argc {
                let s = out.meta[i + 1 + 2 * a] as usize;
                let e = out.meta[i + 2 + 2 * a] as usize;
                argv.push(backing[s..e].to_vec());
            }
            cmds.push(argv);
            i += 1 + 2 * argc;
        }
        cmds
    }

    fn v(args: &[&str]) -> Vec<Vec<u8>> {
        args.iter().map(|a| a.as_bytes().to_vec()).collect()
    }

    #[test]
    fn multibulk_whole_and_split() {
        let s = b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nhello\r\n*1\r\n$4\r\nPING\r\n";
        let mut p = Parser::default();
        assert_eq!(commands(&mut p, s), vec![v(&["SET", "k", "hello"]), v(&["PING"])]);
        let mut p = Parser::default();
        let mut all = Vec::new();
        for b in s.iter() {
            all.extend(commands(&mut p, &[*b]));
        }
        assert_eq!(all, vec![v(&["SET", "k", "hello"]), v(&["PING"])]);
        assert_eq!(p.buffered_bytes(), 0);
    }

    #[test]
    fn inline() {
        let mut p = Parser::default();
        assert_eq!(
            commands(&mut p, b"set \"a\\x41\\n\" 'b\\'c'\r\n\r\nping\n"),
            vec![v(&["set", "aA\n", "b'c"]), v(&["ping"])]
        );
        assert_eq!(commands(&mut p, b"get \"a\"b\r\n"), Vec::<Vec<Vec<u8>>>::new());
        assert_eq!(p.error.as_deref(), Some("ERR Protocol error: unbalanced quotes in request"));
    }

    #[test]
    fn errors() {
        for (input, err) in [
            (&b"*x\r\n"[..], "Protocol error: invalid multibulk length"),
            (b"*1\r\nx\r\n", "Protocol error: expected '$', got 'x'"),
            (b"*1\r\n$-1\r\n", "Protocol error: invalid bulk length"),
            (b"*1048577\r\n", "Protocol error: invalid multibulk length"),
        ] {
            let mut p = Parser::default();
            commands(&mut p, input);
            assert_eq!(p.error.as_deref(), Some(format!("ERR {}", err).as_str()));
        }
        assert_eq!(string2ll(b"-9223372036854775808"), Some(i64::MIN));
        assert_eq!(string2ll(b"9223372036854775808"), None);
        assert_eq!(string2ll(b"01"), None);
        assert_eq!(string2ll(b"-0"), None);
    }

    #[test]
    fn unauthenticated_stall() {
        let mut p = Parser::default();
        p.authenticated = false;
        let s = b"*2\r\n$4\r\nAUTH\r\n$2\r\npw\r\n*11\r\n";
        assert_eq!(commands(&mut p, s), vec![v(&["AUTH", "pw"])]);
        assert!(p.stalled);
        assert!(p.error.is_none());
        p.authenticated = true;
        commands(&mut p, b"");
        assert!(p.error.is_none());
        assert_eq!(p.buffered_bytes(), 5);
    }
}
