// What the runner (main thread) and its workers share: the output caps, capped output buffers, and
// the removal of the network and other ways out before candidate code runs.

export const OUTPUT_CAP = 64 * 1024; // characters kept of a run's stdout, and of its stderr
export const TEST_OUTPUT_CAP = 16 * 1024; // characters kept of what one test printed
const FLUSH_MS = 50; // a worker posts output at most this often while code runs

// Taken before any candidate code runs: it may replace or delete the globals, and the JavaScript
// worker wraps the timers to know when a program's callbacks are done.
export const post = globalThis.postMessage.bind(globalThis);
const setTimer = globalThis.setTimeout.bind(globalThis);
const clearTimer = globalThis.clearTimeout.bind(globalThis);
const now = performance.now.bind(performance);

/** Text written in pieces, kept up to `cap` characters; `truncated` once more was written. */
export class CappedText {
  constructor(cap) {
    this.cap = cap;
    this.text = "";
    this.truncated = false;
  }

  write(piece) {
    if (this.truncated || !piece) return;
    const room = this.cap - this.text.length;
    if (piece.length > room) {
      this.text += piece.slice(0, room);
      this.truncated = true;
    } else {
      this.text += piece;
    }
  }
}

/**
 * A worker's stdout or stderr on its way to the runner: batched into {type: "out", stream, text}
 * messages at most every FLUSH_MS (a print loop must not flood the page with messages), and never
 * more than cap + 1 characters in all, the one extra telling the runner that output was cut. Sent
 * as it comes rather than at the end, so a run stopped at its time limit still shows what it printed.
 */
export class OutputStream {
  constructor(stream, cap = OUTPUT_CAP) {
    this.stream = stream;
    this.room = cap + 1;
    this.pending = "";
    this.lastFlush = 0;
    this.timer = null;
  }

  write(piece) {
    if (!this.room || !piece) return;
    const kept = piece.slice(0, this.room);
    this.room -= kept.length;
    this.pending += kept;
    if (!this.room || now() - this.lastFlush >= FLUSH_MS) this.flush(); // full: nothing more will come
    // Code that yields to the event loop (JavaScript's timers, awaits) gets its output sent then.
    else this.timer ??= setTimer(() => this.flush(), FLUSH_MS);
  }

  flush() {
    clearTimer(this.timer);
    this.timer = null;
    this.lastFlush = now();
    if (!this.pending) return;
    post({ type: "out", stream: this.stream, text: this.pending });
    this.pending = "";
  }
}

// Everything candidate code could reach the network, the origin's storage or the page with. The
// worker's CSP keeps requests on the app's own origin; removing these also keeps candidate code
// from calling the app's API with the cookies of whoever runs it (an interviewer re-running a
// candidate's code, say) and from posting fake results to the runner (the worker posts through
// `post`, taken above).
const OUTSIDE = [
  "fetch",
  "XMLHttpRequest",
  "WebSocket",
  "WebSocketStream",
  "WebTransport",
  "EventSource",
  "Worker",
  "SharedWorker",
  "importScripts",
  "caches",
  "BroadcastChannel",
  "indexedDB",
  "postMessage",
];

/** Deletes OUTSIDE from the worker's global scope and every prototype it inherits them from. */
export function removeOutside(scope = globalThis) {
  for (let target = scope; target && target !== Object.prototype; target = Object.getPrototypeOf(target)) {
    for (const name of OUTSIDE) {
      if (Object.prototype.hasOwnProperty.call(target, name)) delete target[name];
    }
  }
}
