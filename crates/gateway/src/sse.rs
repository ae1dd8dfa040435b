//! A small incremental parser of upstream server-sent events: bytes in, `(event, data)`
//! pairs out. Lines end in `\n` or `\r\n`; an empty line ends an event; `data:` lines are
//! joined with `\n`; comments (`:`) and other fields are ignored.

#[derive(Debug, Default)]
pub struct SseParser {
    buffer: Vec<u8>,
    event: Option<String>,
    data: Vec<String>,
}

/// One upstream event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpstreamEvent {
    pub event: Option<String>,
    pub data: String,
}

/// The longest line kept; a longer one is an upstream error (16 MiB).
const MAX_LINE: usize = 16 << 20;

impl SseParser {
    /// Adds bytes; returns the events they complete. `Err` for a line over the size cap.
    pub fn push(&mut self, bytes: &[u8]) -> Result<Vec<UpstreamEvent>, &'static str> {
        self.buffer.extend_from_slice(bytes);
        let mut events = Vec::new();
        let mut start = 0;
        while let Some(offset) = self.buffer[start..].iter().position(|b| *b == b'\n') {
            let end = start + offset;
            let mut line = &self.buffer[start..end];
            if line.last() == Some(&b'\r') {
                line = &line[..line.len() - 1];
            }
            let line = String::from_utf8_lossy(line).into_owned();
            start = end + 1;
            self.line(&line, &mut events);
        }
        self.buffer.drain(..start);
        if self.buffer.len() > MAX_LINE {
            return Err("an event line is too long");
        }
        Ok(events)
    }

    /// Ends the input: an event without its closing empty line still counts.
    pub fn finish(&mut self) -> Vec<UpstreamEvent> {
        let mut events = Vec::new();
        if !self.buffer.is_empty() {
            let rest = String::from_utf8_lossy(&std::mem::take(&mut self.buffer)).into_owned();
            self.line(rest.trim_end_matches('\r'), &mut events);
        }
        self.line("", &mut events);
        events
    }

    fn line(&mut self, line: &str, events: &mut Vec<UpstreamEvent>) {
        if line.is_empty() {
            if !self.data.is_empty() {
                events.push(UpstreamEvent {
                    event: self.event.take(),
                    data: std::mem::take(&mut self.data).join("\n"),
                });
            }
            self.event = None;
            return;
        }
        if line.starts_with(':') {
            return;
        }
        let (field, value) = line.split_once(':').unwrap_or((line, ""));
        let value = value.strip_prefix(' ').unwrap_or(value);
        match field {
            "event" => self.event = Some(value.to_owned()),
            "data" => self.data.push(value.to_owned()),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_split_across_chunks_and_line_endings() {
        let mut parser = SseParser::default();
        assert!(
            parser
                .push(b"event: message_start\r\ndata: {\"a\"")
                .unwrap()
                .is_empty()
        );
        let events = parser
            .push(b":1}\r\n\r\n: comment\n\ndata: x\ndata: y\n\ndata: [DONE]")
            .unwrap();
        assert_eq!(
            events,
            [
                UpstreamEvent {
                    event: Some("message_start".into()),
                    data: "{\"a\":1}".into()
                },
                UpstreamEvent {
                    event: None,
                    data: "x\ny".into()
                },
            ]
        );
        assert_eq!(
            parser.finish(),
            [UpstreamEvent {
                event: None,
                data: "[DONE]".into()
            }]
        );
    }
}
