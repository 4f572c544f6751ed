//! A port of copyspec's mirror-pair lifecycle (seed 000: a mirror pair with per-track update bitmaps,
//! temporary release, resync and differential dump) behind `copyspec conform`'s line protocol,
//! `copyspec-conform-1`. Written from docs/conform.md (the protocol), docs/vectors.md (the commands,
//! refusals, transitions and observed fields) and the README's mirror-pair sections (issue 15's error
//! suspension, restore and online verify), Rust standard library only.
//!
//! Build: `cargo build --release`; run: `copyspec conform --lifecycle mirror-pair --
//! examples/mirror-pair-rs/target/release/mirror-pair-port`.

mod json;

use json::{obj, str, Value};
use std::io::{BufRead, Write};

const PROTOCOL: &str = "copyspec-conform-1";

/// The control parameters of a variant, as `init` carries them.
#[derive(Clone, Debug)]
struct Parameters {
    embodiment: u64,
    primary_only_recording: bool,
    differential_resync: bool,
    volatile_control_memory: bool,
    literal_guards: bool,
}

impl Parameters {
    fn from_json(p: &Value) -> Result<Parameters, String> {
        let text = |key: &str| p.get(key).and_then(Value::as_str).ok_or(format!("parameters.{key} is missing"));
        // A consistency group of pairs (issue 15 item 3) is not ported: declined, rather than run as one pair.
        if p.get("pairCount").is_some() {
            return Err("consistency groups (parameters.pairCount) are not implemented".into());
        }
        let embodiment = p.get("embodiment").and_then(Value::as_whole).ok_or("parameters.embodiment is missing")?;
        if embodiment != 1 && embodiment != 2 {
            return Err(format!("embodiment {embodiment} is not implemented"));
        }
        let one_of = |key: &str, yes: &str, no: &str| -> Result<bool, String> {
            match text(key)? {
                v if v == yes => Ok(true),
                v if v == no => Ok(false),
                v => Err(format!("parameters.{key} \"{v}\" is not implemented")),
            }
        };
        Ok(Parameters {
            embodiment,
            primary_only_recording: one_of("writeRecording", "primary-only", "each-volume")?,
            differential_resync: one_of("resyncCopy", "differential", "full")?,
            volatile_control_memory: one_of("controlMemory", "volatile", "non-volatile")?,
            literal_guards: one_of("guards", "literal", "recommended")?,
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum State {
    Separated,
    Syncing,
    Synced,
    Suspended,
    Restoring,
    SuspendedError,
    Verifying,
}

impl State {
    fn name(self) -> &'static str {
        match self {
            State::Separated => "separated",
            State::Syncing => "mirror.syncing",
            State::Synced => "mirror.synced",
            State::Suspended => "suspended",
            State::Restoring => "restoring",
            State::SuspendedError => "suspended-error",
            State::Verifying => "mirror.verifying",
        }
    }

    fn mirrored(self) -> bool {
        matches!(self, State::Syncing | State::Synced | State::Verifying)
    }
}

/// A refusal: the stable reason and its code (docs/vectors.md, mirror-pair "Refusals it gives").
#[derive(Clone, Copy, Debug)]
enum Refusal {
    MalformedCommand = 1,
    UnknownPair = 2,
    UnknownVolume = 3,
    TrackOutOfRange = 4,
    LengthOutOfRange = 5,
    WrongState = 6,
    Busy = 7,
}

impl Refusal {
    fn reason(self) -> &'static str {
        match self {
            Refusal::MalformedCommand => "malformed-command",
            Refusal::UnknownPair => "unknown-pair",
            Refusal::UnknownVolume => "unknown-volume",
            Refusal::TrackOutOfRange => "track-out-of-range",
            Refusal::LengthOutOfRange => "length-out-of-range",
            Refusal::WrongState => "wrong-state",
            Refusal::Busy => "busy",
        }
    }
}

/// What an accepted command reports besides its transitions.
type Accepted = Option<Value>;

struct Controller {
    parameters: Parameters,
    track_count: usize,
    track_size: usize,
    state: State,
    primary: Vec<u8>,
    secondary: Vec<u8>,
    primary_bitmap: Vec<bool>,
    secondary_bitmap: Vec<bool>,
    copy_pending: Vec<bool>,
    primary_failed: Vec<bool>,
    verify_found: Vec<bool>,
    transitions: Vec<String>,
}

impl Controller {
    fn new(parameters: Parameters, track_count: usize, track_size: usize) -> Controller {
        let bytes = track_count * track_size;
        Controller {
            parameters,
            track_count,
            track_size,
            state: State::Separated,
            primary: vec![0; bytes],
            secondary: vec![0; bytes],
            primary_bitmap: vec![false; track_count],
            secondary_bitmap: vec![false; track_count],
            copy_pending: vec![false; track_count],
            primary_failed: vec![false; track_count],
            verify_found: vec![false; track_count],
            transitions: Vec::new(),
        }
    }

    fn volume_bytes(&self) -> u64 {
        (self.track_count * self.track_size) as u64
    }

    fn observe(&self) -> Value {
        obj(vec![
            ("state", str(self.state.name())),
            ("primary", str(hex(&self.primary))),
            ("secondary", str(hex(&self.secondary))),
            ("primaryBitmap", str(bits(&self.primary_bitmap))),
            ("secondaryBitmap", str(bits(&self.secondary_bitmap))),
            ("copyPending", str(bits(&self.copy_pending))),
            ("primaryFailed", str(bits(&self.primary_failed))),
            ("verifyFound", str(bits(&self.verify_found))),
        ])
    }

    /// Runs one command; a refusal changes nothing, since every check comes before the first change.
    fn handle(&mut self, command: &Value) -> Value {
        self.transitions.clear();
        match self.dispatch(command) {
            Ok(result) => {
                let result = self.complete_copy_if_done().or(result);
                let mut fields = vec![
                    ("accepted", Value::Bool(true)),
                    ("transitions", Value::Array(self.transitions.iter().map(|t| str(t.clone())).collect())),
                ];
                if let Some(result) = result {
                    fields.push(("result", result));
                }
                obj(fields)
            }
            Err(refusal) => obj(vec![
                ("accepted", Value::Bool(false)),
                ("reason", str(refusal.reason())),
                ("code", Value::Number(refusal as u8 as f64)),
            ]),
        }
    }

    fn dispatch(&mut self, command: &Value) -> Result<Accepted, Refusal> {
        let kind = command.get("type").and_then(Value::as_str).ok_or(Refusal::MalformedCommand)?;
        match kind {
            "host.write" => self.host_write(command),
            "host.read" => self.host_read(command),
            "pair.establish" | "pair.suspend" | "pair.resync" | "pair.restore" | "pair.separate" | "copy.step"
            | "dump.update-info" | "pair.verify" | "verify.step" => {
                check_pair(command)?;
                self.pair_command(kind)
            }
            "dump.read" => self.dump_read(command),
            "track.fail" => self.track_fail(command),
            "track.corrupt" => self.track_corrupt(command),
            "power.cycle" => {
                self.power_cycle();
                Ok(None)
            }
            _ => Err(Refusal::MalformedCommand),
        }
    }

    fn record(&mut self, event: &str, target: State) {
        self.transitions.push(format!("{} --{}--> {}", self.state.name(), event, target.name()));
        self.state = target;
    }

    /// Checks a byte range in the order of the codes: the offset (4), then the length (5).
    fn check_range(&self, offset: u64, length: u64) -> Result<(), Refusal> {
        let size = self.volume_bytes();
        if offset >= size {
            return Err(Refusal::TrackOutOfRange);
        }
        if length == 0 || length > size - offset {
            return Err(Refusal::LengthOutOfRange);
        }
        Ok(())
    }

    fn host_write(&mut self, command: &Value) -> Result<Accepted, Refusal> {
        let data = command.get("data").and_then(Value::as_str).and_then(parse_hex).ok_or(Refusal::MalformedCommand)?;
        let volume = whole(command, "volume", Refusal::MalformedCommand)?;
        let offset = whole(command, "offset", Refusal::MalformedCommand)?;
        if volume > 1 {
            return Err(Refusal::UnknownVolume);
        }
        self.check_range(offset, data.len() as u64)?;
        let (start, end) = (offset as usize, offset as usize + data.len());
        let tracks = start / self.track_size..(end + self.track_size - 1) / self.track_size; // div_ceil, which Rust 1.63 (Debian 12) lacks
        let primary_only = self.parameters.primary_only_recording;
        match self.state {
            State::Separated => {
                if volume == 0 {
                    self.primary[start..end].copy_from_slice(&data);
                    set(&mut self.primary_bitmap, tracks);
                } else {
                    self.secondary[start..end].copy_from_slice(&data);
                    if !primary_only {
                        set(&mut self.secondary_bitmap, tracks);
                    }
                }
            }
            State::Syncing | State::Synced | State::Verifying => {
                self.primary[start..end].copy_from_slice(&data);
                self.secondary[start..end].copy_from_slice(&data);
                set(&mut self.primary_bitmap, tracks.clone());
                if !primary_only {
                    set(&mut self.secondary_bitmap, tracks);
                }
            }
            State::Suspended => {
                self.primary[start..end].copy_from_slice(&data);
                set(&mut self.primary_bitmap, tracks);
            }
            State::Restoring => return Err(Refusal::Busy),
            State::SuspendedError => {
                // Each byte goes to its track's serving side: the secondary where the primary's copy failed.
                // A track written on the primary joins the resync list; one written on the secondary is
                // rewritten to the primary by the resync's first step anyway.
                for (i, &byte) in data.iter().enumerate() {
                    let at = start + i;
                    let track = at / self.track_size;
                    if self.primary_failed[track] {
                        self.secondary[at] = byte;
                    } else {
                        self.primary[at] = byte;
                        self.copy_pending[track] = true;
                    }
                }
                set(&mut self.primary_bitmap, tracks);
            }
        }
        self.record("host.write", self.state);
        Ok(None)
    }

    fn host_read(&mut self, command: &Value) -> Result<Accepted, Refusal> {
        let volume = whole(command, "volume", Refusal::MalformedCommand)?;
        let offset = whole(command, "offset", Refusal::MalformedCommand)?;
        let length = whole(command, "length", Refusal::MalformedCommand)?;
        if volume > 1 {
            return Err(Refusal::UnknownVolume);
        }
        self.check_range(offset, length)?;
        let range = offset as usize..(offset + length) as usize;
        let data = match self.state {
            State::Separated if volume == 1 => hex(&self.secondary[range]),
            // Track by track: the secondary for a track still to copy back, the primary for any other.
            State::Restoring => {
                let bytes: Vec<u8> = range
                    .map(|at| if self.copy_pending[at / self.track_size] { self.secondary[at] } else { self.primary[at] })
                    .collect();
                hex(&bytes)
            }
            State::SuspendedError => {
                let bytes: Vec<u8> = range
                    .map(|at| if self.primary_failed[at / self.track_size] { self.secondary[at] } else { self.primary[at] })
                    .collect();
                hex(&bytes)
            }
            _ => hex(&self.primary[range]),
        };
        self.record("host.read", self.state);
        Ok(Some(obj(vec![("kind", str("read")), ("data", str(data))])))
    }

    fn pair_command(&mut self, kind: &str) -> Result<Accepted, Refusal> {
        let literal = self.parameters.literal_guards;
        match (kind, self.state) {
            ("pair.establish", State::Separated) => {
                if self.parameters.embodiment == 1 {
                    self.secondary_bitmap.fill(false);
                }
                self.copy_pending.fill(true);
                self.record(kind, State::Syncing);
                Ok(None)
            }
            ("copy.step", state @ (State::Syncing | State::Restoring)) => {
                self.copy_next_track(state == State::Restoring);
                self.record(kind, state);
                Ok(None)
            }
            ("pair.restore", State::Suspended) => {
                for (pending, (&p, &s)) in self.copy_pending.iter_mut().zip(self.primary_bitmap.iter().zip(&self.secondary_bitmap)) {
                    *pending = p || s;
                }
                self.primary_bitmap.fill(false);
                self.record(kind, State::Restoring);
                Ok(None)
            }
            ("pair.resync", State::SuspendedError) => {
                self.resync_from_error();
                self.record(kind, State::Syncing);
                Ok(None)
            }
            ("pair.suspend", State::Synced) => {
                if self.parameters.embodiment == 2 {
                    self.secondary_bitmap.clone_from(&self.primary_bitmap);
                }
                self.primary_bitmap.fill(false);
                self.record(kind, State::Suspended);
                Ok(None)
            }
            // The literal-defect variant: the release checks no state (docs/vectors.md, last paragraph).
            ("pair.suspend", State::Syncing | State::Suspended) if literal => {
                self.primary_bitmap.fill(false);
                self.record(kind, State::Suspended);
                Ok(None)
            }
            ("pair.resync", State::Suspended) => {
                if self.parameters.embodiment == 1 {
                    self.secondary_bitmap.fill(false);
                }
                if self.parameters.differential_resync {
                    self.copy_pending.clone_from(&self.primary_bitmap);
                } else {
                    self.copy_pending.fill(true);
                }
                self.record(kind, State::Syncing);
                Ok(None)
            }
            ("pair.separate", State::Syncing | State::Synced) => {
                self.copy_pending.fill(false);
                self.record(kind, State::Separated);
                Ok(None)
            }
            ("pair.verify", State::Synced) => {
                self.copy_pending.fill(true);
                self.record(kind, State::Verifying);
                Ok(None)
            }
            ("verify.step", State::Verifying) => {
                if let Some(track) = self.copy_pending.iter().position(|&p| p) {
                    self.copy_pending[track] = false;
                    let bytes = track * self.track_size..(track + 1) * self.track_size;
                    if self.primary[bytes.clone()] != self.secondary[bytes] {
                        self.verify_found[track] = true;
                    }
                }
                self.record(kind, State::Verifying);
                Ok(None)
            }
            ("pair.separate", State::Verifying) => {
                self.copy_pending.fill(false);
                self.verify_found.fill(false);
                self.record(kind, State::Separated);
                Ok(None)
            }
            ("pair.separate", State::Suspended) => {
                self.record(kind, State::Separated);
                Ok(None)
            }
            ("dump.update-info", state) if state == State::Suspended || (literal && state.mirrored()) => {
                let bitmap = bits(&self.secondary_bitmap);
                self.record(kind, state);
                Ok(Some(obj(vec![("kind", str("update-info")), ("bitmap", str(bitmap))])))
            }
            _ => Err(Refusal::WrongState),
        }
    }

    /// Takes the lowest pending track off the copy list and copies it: primary to secondary during the
    /// mirror's copy, secondary back to primary during a restore.
    fn copy_next_track(&mut self, backwards: bool) {
        if let Some(track) = self.copy_pending.iter().position(|&p| p) {
            self.copy_pending[track] = false;
            let bytes = track * self.track_size..(track + 1) * self.track_size;
            if backwards {
                self.primary[bytes.clone()].copy_from_slice(&self.secondary[bytes]);
            } else {
                self.secondary[bytes.clone()].copy_from_slice(&self.primary[bytes]);
            }
        }
    }

    /// Resync from `suspended-error`: the primary's failed tracks are rewritten from the secondary first;
    /// then as from `suspended`, except that a differential copy keeps the list of uncertain tracks.
    fn resync_from_error(&mut self) {
        for track in 0..self.track_count {
            if self.primary_failed[track] {
                let bytes = track * self.track_size..(track + 1) * self.track_size;
                self.primary[bytes.clone()].copy_from_slice(&self.secondary[bytes]);
            }
        }
        self.primary_failed.fill(false);
        if self.parameters.embodiment == 1 {
            self.secondary_bitmap.fill(false);
        }
        if !self.parameters.differential_resync {
            self.copy_pending.fill(true);
        }
    }

    /// Beyond the seed (issue 15): a media or copy error on one track suspends the pair by error.
    fn track_fail(&mut self, command: &Value) -> Result<Accepted, Refusal> {
        let volume = whole(command, "volume", Refusal::MalformedCommand)?;
        let track = whole(command, "track", Refusal::MalformedCommand)?;
        if volume > 1 {
            return Err(Refusal::UnknownVolume);
        }
        if track >= self.track_count as u64 {
            return Err(Refusal::TrackOutOfRange);
        }
        match (self.state, volume) {
            (State::Synced, _) | (State::Syncing, 1) => {}
            (State::Verifying, _) => {
                // The error abandons the verify: its list and findings go.
                self.copy_pending.fill(false);
                self.verify_found.fill(false);
            }
            _ => return Err(Refusal::WrongState),
        }
        let track = track as usize;
        let bytes = track * self.track_size..(track + 1) * self.track_size;
        if volume == 0 {
            self.primary[bytes].fill(0xee);
            self.primary_failed[track] = true;
        } else {
            self.secondary[bytes].fill(0xee);
            self.copy_pending[track] = true;
        }
        self.record("track.fail", State::SuspendedError);
        Ok(None)
    }

    /// Beyond the seed (issue 15): a silent corruption of the secondary's copy of a track, recorded nowhere.
    fn track_corrupt(&mut self, command: &Value) -> Result<Accepted, Refusal> {
        let track = whole(command, "track", Refusal::MalformedCommand)?;
        if track >= self.track_count as u64 {
            return Err(Refusal::TrackOutOfRange);
        }
        if !matches!(self.state, State::Synced | State::Verifying) {
            return Err(Refusal::WrongState);
        }
        let track = track as usize;
        self.secondary[track * self.track_size..(track + 1) * self.track_size].fill(0xcc);
        self.record("track.corrupt", self.state);
        Ok(None)
    }

    fn dump_read(&mut self, command: &Value) -> Result<Accepted, Refusal> {
        check_pair(command)?;
        let tracks = command.get("tracks").and_then(Value::as_array).ok_or(Refusal::MalformedCommand)?;
        let mut asked = Vec::with_capacity(tracks.len());
        for t in tracks {
            let t = t.as_whole().ok_or(Refusal::MalformedCommand)?;
            if t >= self.track_count as u64 {
                return Err(Refusal::TrackOutOfRange);
            }
            asked.push(t as usize);
        }
        if asked.is_empty() {
            return Err(Refusal::LengthOutOfRange);
        }
        let state = self.state;
        if !(state == State::Suspended || (self.parameters.literal_guards && state.mirrored())) {
            return Err(Refusal::WrongState);
        }
        let records = asked
            .iter()
            .map(|&t| {
                let data = hex(&self.secondary[t * self.track_size..(t + 1) * self.track_size]);
                obj(vec![("track", Value::Number(t as f64)), ("data", str(data))])
            })
            .collect();
        self.record("dump.read", state);
        Ok(Some(obj(vec![("kind", str("dump")), ("records", Value::Array(records))])))
    }

    /// Claim 10: with non-volatile control memory a restart reloads everything. The volatile case is
    /// copyspec's broken variant, kept here only so the parameter is not silently ignored.
    fn power_cycle(&mut self) {
        if self.parameters.volatile_control_memory {
            self.primary_bitmap.fill(false);
            self.secondary_bitmap.fill(false);
            self.copy_pending.fill(false);
            self.primary_failed.fill(false);
            self.verify_found.fill(false);
            self.record("power.cycle", State::Separated);
        } else {
            self.record("power.cycle", self.state);
        }
    }

    /// The end of the copy, of the restore or of the verify, raised in the same step as the command that
    /// left nothing pending; the end of a verify reports the tracks it found, which replaces the step's result.
    fn complete_copy_if_done(&mut self) -> Accepted {
        if self.copy_pending.iter().any(|&p| p) {
            return None;
        }
        match self.state {
            State::Syncing => {
                if self.parameters.embodiment == 1 {
                    self.secondary_bitmap.clone_from(&self.primary_bitmap);
                }
                self.record("copy.complete", State::Synced);
            }
            State::Restoring => self.record("restore.complete", State::Suspended),
            State::Verifying => {
                let bitmap = bits(&self.verify_found);
                self.verify_found.fill(false);
                self.record("verify.complete", State::Synced);
                return Some(obj(vec![("kind", str("verify")), ("bitmap", str(bitmap))]));
            }
            _ => {}
        }
        None
    }
}

fn check_pair(command: &Value) -> Result<(), Refusal> {
    match whole(command, "pair", Refusal::MalformedCommand)? {
        0 => Ok(()),
        _ => Err(Refusal::UnknownPair),
    }
}

fn whole(command: &Value, key: &str, missing: Refusal) -> Result<u64, Refusal> {
    command.get(key).and_then(Value::as_whole).ok_or(missing)
}

fn set(bitmap: &mut [bool], tracks: std::ops::Range<usize>) {
    bitmap[tracks].fill(true);
}

fn bits(bitmap: &[bool]) -> String {
    bitmap.iter().map(|&b| if b { '1' } else { '0' }).collect()
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

/// Lowercase hexadecimal of an even length, or nothing (`malformed-command`).
fn parse_hex(text: &str) -> Option<Vec<u8>> {
    let digit = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    };
    let bytes = text.as_bytes();
    if bytes.len() % 2 != 0 {
        return None;
    }
    bytes.chunks(2).map(|pair| Some(digit(pair[0])? << 4 | digit(pair[1])?)).collect()
}

/// Answers `init`: a fresh controller, or a refusal to run a variant this port does not implement.
fn init(message: &Value) -> (Option<Controller>, Value) {
    let declined = |reason: String| {
        eprintln!("mirror-pair-port: declining: {reason}");
        obj(vec![("protocol", str(PROTOCOL)), ("ready", Value::Bool(false)), ("reason", str(reason))])
    };
    let parameters = match message.get("parameters").map(Parameters::from_json) {
        Some(Ok(p)) => p,
        Some(Err(reason)) => return (None, declined(reason)),
        None => return (None, declined("init carries no parameters".into())),
    };
    let geometry = message.get("geometry");
    let dimension = |key: &str| geometry.and_then(|g| g.get(key)).and_then(Value::as_whole);
    let (track_count, track_size) = match (dimension("trackCount"), dimension("trackSize")) {
        (Some(count), Some(size)) => (count, size),
        _ => return (None, declined("init carries no geometry.trackCount and geometry.trackSize".into())),
    };
    let controller = Controller::new(parameters, track_count as usize, track_size as usize);
    let answer = obj(vec![("protocol", str(PROTOCOL)), ("ready", Value::Bool(true)), ("observed", controller.observe())]);
    (Some(controller), answer)
}

fn main() {
    let stdin = std::io::stdin();
    let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
    let mut controller: Option<Controller> = None;
    let mut out = String::new();
    for line in stdin.lock().lines() {
        let line = line.expect("stdin is readable UTF-8");
        if line.trim().is_empty() {
            continue;
        }
        let message = match json::parse(&line) {
            Ok(m) => m,
            Err(e) => {
                eprintln!("mirror-pair-port: a line that is not JSON ({e}): {line}");
                std::process::exit(3);
            }
        };
        let answer = match message.get("message").and_then(Value::as_str) {
            Some("init") => {
                let protocol = message.get("protocol").and_then(Value::as_str).unwrap_or("");
                if protocol != PROTOCOL {
                    eprintln!("mirror-pair-port: protocol \"{protocol}\" is not {PROTOCOL}");
                    std::process::exit(4);
                }
                let (fresh, answer) = init(&message);
                controller = fresh;
                answer
            }
            Some("command") => {
                let c = match controller.as_mut() {
                    Some(c) => c,
                    None => {
                        eprintln!("mirror-pair-port: a command before a successful init");
                        std::process::exit(5);
                    }
                };
                let step = message.get("step").cloned().unwrap_or(Value::Null);
                let outcome = c.handle(message.get("command").unwrap_or(&Value::Null));
                obj(vec![("step", step), ("outcome", outcome), ("observed", c.observe())])
            }
            other => {
                eprintln!("mirror-pair-port: unknown message {other:?}");
                std::process::exit(6);
            }
        };
        out.clear();
        answer.write(&mut out);
        out.push('\n');
        stdout.write_all(out.as_bytes()).expect("stdout is writable");
        stdout.flush().expect("stdout flushes");
    }
}
