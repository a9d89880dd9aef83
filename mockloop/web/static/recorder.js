// The round's optional audio: the participant's own microphone, recorded by MediaRecorder and sent
// in chunks every few seconds (POST .../chunks?seq=N), one at a time and in order, so a crash or a
// closed tab loses at most the chunk being recorded. Stops at the lock, at the cap, or when asked.
(function () {
  "use strict";
  const box = document.getElementById("recorder");
  if (!box) return;
  const toggle = document.getElementById("rec-toggle");
  const indicator = document.getElementById("rec-indicator");
  const status = document.getElementById("rec-status");
  const round = document.getElementById("round");
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const TYPES = ["audio/webm;codecs=opus", "audio/ogg;codecs=opus", "audio/webm", "audio/mp4"];

  let recorder = null, stream = null, chunkUrl = null, seq = 0, sent = 0, queue = [], sending = false;
  // ended: this take's recorder fired "stop", which comes after its last chunk, so no chunk follows;
  // refused: the server turned a chunk down, and the take is over (what it said stays on screen).
  let take = 0, ended = false, refused = false;

  function say(text) { status.textContent = text; }

  // Browsers give a page the microphone only in a secure context (HTTPS, or localhost).
  if (!window.isSecureContext || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia || typeof MediaRecorder === "undefined") {
    toggle.disabled = true;
    say(window.isSecureContext
      ? "This browser cannot record audio here (no MediaRecorder); the round works without it."
      : "The microphone is unavailable: browsers allow it only on HTTPS or on localhost. Open mockloop over HTTPS to record audio.");
    return;
  }

  function setRecording(on) {
    indicator.hidden = !on;
    toggle.textContent = on ? "Stop recording" : "Record audio";
    toggle.setAttribute("aria-pressed", String(on));
  }

  async function post(url, body, type) {
    return fetch(url, { method: "POST", credentials: "same-origin", body,
      headers: { "Content-Type": type, "X-CSRFToken": csrf, Accept: "application/json" } });
  }

  async function pump() {
    if (sending) return;
    sending = true;
    try {
      while (queue.length) {
        const { blob, n } = queue[0];
        let res;
        try {
          res = await post(`${chunkUrl}?seq=${n}`, blob, blob.type || "application/octet-stream");
        } catch (e) {
          say("Can't reach the server: the recording's chunks wait in this tab and are sent when it answers.");
          await new Promise((r) => setTimeout(r, 2000));
          continue;
        }
        if (res.ok) {
          queue.shift();
          sent += 1;
          if (recorder) say(`Recording: ${sent} chunk${sent === 1 ? "" : "s"} kept on the server.`);
          continue;
        }
        const body = await res.json().catch(() => ({}));
        queue = [];
        refused = true;
        stop(`Recording stopped: ${body.message || "status " + res.status}`);
        break;
      }
    } finally {
      sending = false;
    }
    // Only once the last chunk is on the server: a tab closed on this message loses nothing.
    if (ended && !refused && !queue.length) say(`Recording saved (${sent} chunks); the replay plays it once the round is over.`);
  }

  function stop(message) {
    if (recorder && recorder.state !== "inactive") recorder.stop(); // its last chunk comes with the stop
    if (stream) stream.getTracks().forEach((t) => t.stop());
    recorder = null;
    stream = null;
    setRecording(false);
    if (message) say(message);
  }

  async function start() {
    toggle.disabled = true;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    } catch (e) {
      toggle.disabled = false;
      say(e && e.name === "NotFoundError" ? "No microphone was found; plug one in and try again."
        : e && e.name === "NotAllowedError" ? "The browser was not allowed to use the microphone; allow it in the site's settings and try again."
        : `The microphone could not be opened (${(e && e.message) || e}).`);
      return;
    }
    const mimeType = TYPES.find((t) => MediaRecorder.isTypeSupported(t)) || "";
    const res = await post(box.dataset.startUrl, JSON.stringify({ mime: mimeType || "audio/webm" }), "application/json").catch(() => null);
    toggle.disabled = false;
    if (!res || !res.ok) {
      const body = res ? await res.json().catch(() => ({})) : {};
      stream.getTracks().forEach((t) => t.stop());
      stream = null;
      say(`Not recording: ${body.message || "the server could not be reached"}`);
      return;
    }
    chunkUrl = (await res.json()).chunk_url;
    seq = 0;
    sent = 0;
    ended = refused = false;
    const mine = ++take;
    recorder = new MediaRecorder(stream, { mimeType: mimeType || undefined, audioBitsPerSecond: Number(box.dataset.bits) });
    recorder.addEventListener("dataavailable", (e) => {
      if (!e.data || !e.data.size || refused) return;
      queue.push({ blob: e.data, n: seq++ });
      pump();
    });
    recorder.addEventListener("stop", () => {
      if (mine !== take) return; // an earlier take's recorder, stopped as a new take began
      ended = true;
      pump();
    });
    recorder.start(Number(box.dataset.chunkMs));
    setRecording(true);
    say("Recording: your microphone is on.");
  }

  toggle.addEventListener("click", () => (recorder ? stop() : start()));
  round.addEventListener("round:state", (e) => {
    if (recorder && e.detail && e.detail.status === "locked") stop("The round is over: the recording stopped with it.");
  });
})();
