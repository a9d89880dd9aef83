// The replay page: a locked round played back on its timeline. The page embeds the timeline (phases,
// pauses, moments, and per piece of work the time of every kept revision); the text of a revision is
// fetched when the playhead first reaches it and kept, so a 4-hour take-home opens at once and
// scrubbing back costs nothing. Code is highlighted as on the scorecard (code-view.js), the board
// drawn as an image (lib/board-picture.js, loaded only by a replay with a board: it brings Excalidraw).
import { renderStatic } from "./code-view.js";

const SPEEDS = [1, 2, 4, 8];
const STEP_MS = 5000; // the arrow keys, away from the slider (which steps 1 s)

const root = document.getElementById("replay");
const data = JSON.parse(document.getElementById("replay-data").textContent);
const scrub = document.getElementById("scrub");
const playButton = document.getElementById("play");
const speedSelect = document.getElementById("speed");
const position = document.getElementById("position");
const playhead = document.getElementById("playhead");
const status = document.getElementById("replay-status");
const voices = [...document.querySelectorAll("audio.replay-audio")]; // each participant's recording
const duration = data.duration_ms;
const textUrl = root.dataset.textUrl; // .../history/KIND/0
const kinds = ["scratchpad", "code", "board", "chat", "notes"].filter((kind) => document.getElementById(`replay-${kind}`));

let pos = 0;
let playing = false;
let lastFrame = 0;
let loadFailed = false; // the status line says so, until a later load works
const shown = {}; // kind -> the revision on the page (or being fetched for it)
const texts = new Map(); // "kind:revision" -> Promise of its text

// As the server writes round times (the clock filter): 04:05, or 1:04:05 past the hour.
function clock(ms) {
  const s = Math.max(0, Math.floor(ms / 1000)), h = Math.floor(s / 3600), two = (n) => String(n).padStart(2, "0");
  return `${h ? h + ":" : ""}${two(Math.floor((s % 3600) / 60))}:${two(s % 60)}`;
}

// The revision of `kind` saved last at or before `ms` (0: none yet). Entries are [ms, revision].
function revisionAt(kind, ms) {
  const list = data.work[kind] || [];
  let lo = 0, hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid][0] <= ms) lo = mid + 1;
    else hi = mid;
  }
  return lo ? list[lo - 1][1] : 0;
}

function load(kind, revision) {
  const key = `${kind}:${revision}`;
  if (!texts.has(key)) {
    const url = textUrl.replace("/KIND/", `/${kind}/`).replace(/\/0$/, `/${revision}`);
    const request = fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(async (res) => {
      if (!res.ok) throw new Error((await res.json().catch(() => ({}))).message || `status ${res.status}`);
      return (await res.json()).text;
    });
    request.catch(() => texts.delete(key)); // tried again when the playhead comes back
    texts.set(key, request);
  }
  return texts.get(key);
}

const render = {
  scratchpad: (el, text) => { el.textContent = text || "(empty)"; },
  notes: (el, text) => { el.textContent = text || "(empty)"; },
  // The stored conversation (core/ai_interviewer.py): each message as text, never as markup.
  chat: (el, text) => {
    const messages = text ? JSON.parse(text).messages : [];
    if (!messages.length) {
      el.replaceChildren("(no questions yet)");
      return;
    }
    el.replaceChildren(
      ...messages.map((m) => {
        const li = document.createElement("li");
        li.className = `chat-${m.role}${m.hint ? " chat-hint" : ""}`;
        li.textContent = `${m.role === "user" ? "You" : "Interviewer"}: ${m.text}`;
        return li;
      }),
    );
  },
  // data-lang, not data-language: code-view.js highlights every code[data-language] on the page once, as loaded.
  code: (el, text) => (text ? renderStatic(el, text, el.dataset.lang) : el.replaceChildren("(no code yet)")),
  board: async (el, text) => {
    if (!text) {
      el.replaceChildren("(nothing drawn yet)");
      return;
    }
    const { boardImage } = await import("./lib/board-picture.js");
    el.replaceChildren(await boardImage(text, root.dataset.assets, "The whiteboard at this moment"));
  },
};

async function showWork(kind) {
  const revision = revisionAt(kind, pos);
  if (shown[kind] === revision) return;
  shown[kind] = revision;
  const el = document.getElementById(`replay-${kind}`);
  try {
    const text = revision ? await load(kind, revision) : "";
    if (shown[kind] !== revision) return; // the playhead moved on meanwhile
    await render[kind](el, text);
    el.dataset.revision = String(revision);
    if (loadFailed) status.textContent = "";
    loadFailed = false;
  } catch (e) {
    if (shown[kind] === revision) shown[kind] = undefined;
    loadFailed = true;
    status.textContent = `Could not load the ${kind} at ${clock(pos)} (${e.message || e}); move the playhead to try again.`;
  }
}

function moveTo(ms) {
  pos = Math.max(0, Math.min(duration, ms));
  scrub.value = String(Math.round(pos));
  const where = `${clock(pos)} of ${clock(duration)}`;
  scrub.setAttribute("aria-valuetext", where);
  position.textContent = where;
  if (playhead) playhead.setAttribute("transform", `translate(${duration ? (1000 * pos) / duration : 0} 0)`);
  syncAudio();
  for (const kind of kinds) showWork(kind);
}

// While playing, a pause of the round is skipped: nothing happened in it.
function skipPause(ms) {
  for (const p of data.pauses) if (ms >= p.from_ms && ms < p.to_ms) return p.to_ms;
  return ms;
}

function frame(now) {
  if (!playing) return;
  const speed = Number(speedSelect.value);
  const next = skipPause(pos + Math.max(0, now - lastFrame) * speed); // a frame's time may precede the click
  lastFrame = now;
  moveTo(next);
  if (pos >= duration) setPlaying(false);
  else requestAnimationFrame(frame);
}

function setPlaying(on) {
  if (on && pos >= duration) moveTo(0);
  playing = on;
  playButton.textContent = on ? "Pause" : "Play";
  playButton.setAttribute("aria-pressed", String(on));
  status.textContent = on ? `Playing at ${speedSelect.value}x.` : `Paused at ${clock(pos)}.`;
  syncAudio();
  if (on) {
    lastFrame = performance.now();
    requestAnimationFrame(frame);
  }
}

// A recording starts at its data-offset-ms on the round's axis and plays at the replay's speed; it
// is moved only when it drifts from the playhead (a seek in a recording costs a moment).
function syncAudio() {
  for (const audio of voices) {
    const at = (pos - Number(audio.dataset.offsetMs || 0)) / 1000;
    const inside = at >= 0 && (!Number.isFinite(audio.duration) || at < audio.duration);
    audio.playbackRate = Number(speedSelect.value);
    if (Math.abs(audio.currentTime - Math.max(0, at)) > 0.5) audio.currentTime = Math.max(0, at);
    if (playing && inside && audio.paused) audio.play().catch(() => {});
    if ((!playing || !inside) && !audio.paused) audio.pause();
  }
}

playButton.addEventListener("click", () => setPlaying(!playing));
speedSelect.addEventListener("change", () => {
  syncAudio();
  if (playing) status.textContent = `Playing at ${speedSelect.value}x.`;
});
scrub.addEventListener("input", () => moveTo(Number(scrub.value)));
for (const button of document.querySelectorAll("[data-seek]")) {
  button.addEventListener("click", () => moveTo(Number(button.dataset.seek)));
}
const bar = document.getElementById("replay-timeline");
bar.addEventListener("click", (e) => {
  const box = bar.getBoundingClientRect();
  moveTo(((e.clientX - box.left) / box.width) * duration);
});

const TYPING = new Set(["INPUT", "SELECT", "TEXTAREA", "BUTTON", "A", "SUMMARY"]);
document.addEventListener("keydown", (e) => {
  if (e.altKey || e.ctrlKey || e.metaKey) return;
  const onSlider = e.target === scrub;
  if (e.key === " " && (onSlider || !TYPING.has(e.target.tagName))) {
    e.preventDefault(); // not a page scroll
    setPlaying(!playing);
  } else if ((e.key === "ArrowLeft" || e.key === "ArrowRight") && !onSlider && !TYPING.has(e.target.tagName)) {
    e.preventDefault();
    moveTo(pos + (e.key === "ArrowLeft" ? -STEP_MS : STEP_MS));
  }
});

if (!SPEEDS.includes(Number(speedSelect.value))) speedSelect.value = "1";
moveTo(0);
performance.mark("replay-ready"); // bench/replay.py: the first frame is on its way
root.dataset.ready = "true"; // for the browser tests
