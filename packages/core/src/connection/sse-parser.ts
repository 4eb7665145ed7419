/** One server-sent event, as the HTML event-stream format defines it. */
export interface SseEvent {
  /** The `event:` field; `undefined` means the default type, `message`. */
  event: string | undefined;
  /** The `data:` lines joined with `\n`. */
  data: string;
  /** The last `id:` seen on the stream, if any. */
  id: string | undefined;
}

/** What an {@link SseParser} reports. */
export interface SseHandlers {
  onEvent(event: SseEvent): void;
  /** A `retry:` field: the reconnection delay, in ms, the server asks for. */
  onRetry?(ms: number): void;
}

const LF = 10;

/**
 * An incremental parser for `text/event-stream` bodies that works on the
 * decoded text chunks as they arrive, with no web streams in between. Lines
 * end with CRLF, LF or CR (also when a CRLF is split across two chunks);
 * comments and unknown fields are ignored; an event is dispatched at a blank
 * line when it has data, and an unfinished event at the end is dropped, as
 * the format says.
 */
export class SseParser {
  /** The start of a line whose end has not arrived yet. */
  private rest = '';
  /** The previous chunk ended with CR: an LF opening the next one belongs to it. */
  private pendingLf = false;
  private data: string | undefined;
  private event: string | undefined;
  private lastId: string | undefined;

  constructor(private readonly handlers: SseHandlers) {}

  /** Feeds the next piece of decoded text. */
  push(chunk: string): void {
    const text = this.rest === '' ? chunk : this.rest + chunk;
    this.rest = '';
    let start = 0;
    if (this.pendingLf) {
      this.pendingLf = false;
      if (text.charCodeAt(0) === LF) start = 1;
    }
    // Most servers end lines with LF only: once no CR is left, stop looking for one.
    let cr = text.indexOf('\r', start);
    while (start < text.length) {
      const lf = text.indexOf('\n', start);
      if (cr !== -1 && cr < start) cr = text.indexOf('\r', start);
      let end: number;
      let next: number;
      if (cr !== -1 && (lf === -1 || cr < lf)) {
        end = cr;
        if (cr + 1 === text.length) {
          next = cr + 1;
          this.pendingLf = true;
        } else next = text.charCodeAt(cr + 1) === LF ? cr + 2 : cr + 1;
      } else if (lf !== -1) {
        end = lf;
        next = lf + 1;
      } else {
        this.rest = start === 0 ? text : text.slice(start);
        return;
      }
      this.line(text, start, end);
      start = next;
    }
  }

  /** The stream ended: an event without its closing blank line is dropped. */
  end(): void {
    this.rest = '';
    this.pendingLf = false;
    this.data = undefined;
    this.event = undefined;
  }

  private line(text: string, start: number, end: number): void {
    if (start === end) {
      this.dispatch();
      return;
    }
    const first = text.charCodeAt(start);
    if (first === 58 /* ':' */) return;
    const colon = text.indexOf(':', start);
    let field: string;
    let value: string;
    if (colon === -1 || colon > end) {
      field = text.slice(start, end);
      value = '';
    } else {
      field = text.slice(start, colon);
      const from = text.charCodeAt(colon + 1) === 32 /* ' ' */ ? colon + 2 : colon + 1;
      value = from >= end ? '' : text.slice(from, end);
    }
    switch (field) {
      case 'data':
        this.data = this.data === undefined ? value : `${this.data}\n${value}`;
        break;
      case 'event':
        this.event = value;
        break;
      case 'id':
        if (!value.includes('\0')) this.lastId = value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) this.handlers.onRetry?.(Number(value));
        break;
    }
  }

  private dispatch(): void {
    const data = this.data;
    const event = this.event;
    this.data = undefined;
    this.event = undefined;
    if (data === undefined) return;
    this.handlers.onEvent({ event: event === '' ? undefined : event, data, id: this.lastId });
  }
}
