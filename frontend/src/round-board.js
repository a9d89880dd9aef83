// The whiteboard of a round (systems design, ML systems, any stage whose loop file turns it on):
// Excalidraw over the saved drawing, autosaved like the scratchpad (round.js's autosave: revisions,
// 409s, flushes before the deadline), read-only once the round locks. The seat that does not hold
// the pen follows the drawing live: the state poll's ETag moves with every save, and the drawing is
// fetched only when its revision has. In a peer round the candidate can hand the pen to the
// interviewer for a moment ("draw on my board") and take it back; each hand-over is a round event.
import { Excalidraw, MainMenu, WelcomeScreen, CaptureUpdateAction, convertToExcalidrawElements } from "@excalidraw/excalidraw";
import { createElement as h } from "react";
import { createRoot } from "react-dom/client";
import { mergeScenes, parseScene, sceneKey, sceneText } from "./lib/board-scene.js";
import { setUpSplitter, setUpTabs } from "./lib/workspace.js";

const round = window.mockloopRound;
const root = document.getElementById("round");
const panel = document.getElementById("board-panel");
if (round && root && panel) start();

function start() {
  // Excalidraw fetches its fonts from here (the build removed its CDN fallback): served by the app.
  window.EXCALIDRAW_ASSET_PATH = new URL(panel.dataset.assets, location.href).href;
  const $ = (id) => document.getElementById(id);
  const source = $("board-scene"), host = $("board"), status = $("board-status");
  const penButton = $("board-pen"), penNote = $("board-pen-note");
  const role = root.dataset.role, peer = root.dataset.mode === "peer";
  const url = panel.dataset.boardUrl;
  const dark = window.matchMedia("(prefers-color-scheme: dark)").matches;

  let api = null, saver = null;
  let text = source.value;  // the drawing as saved text; null once an edit made it stale
  let key = null;  // sceneKey of what `text` holds
  let shown = parseInt(source.dataset.revision, 10) || 0;  // the revision on screen
  let readOnly = true, writing = false, touched = false;

  let initial;
  try {
    initial = parseScene(text);
    if (!text && panel.dataset.starter) {  // the prompt's skeleton, until the first save keeps it
      initial.elements = convertToExcalidrawElements(JSON.parse(panel.dataset.starter), { regenerateIds: false });
    }
  } catch (e) {
    initial = parseScene("");
    status.textContent = "The saved drawing could not be read; the board starts empty and the saved copy is unchanged.";
  }
  const initialData = {
    elements: initial.elements,
    appState: { ...initial.appState, theme: dark ? "dark" : "light" },
    files: Object.values(initial.files),
    scrollToContent: true,
  };
  key = sceneKey(initial.elements, initial.appState, initial.files);

  // Only a person's edit makes the drawing unsaved: Excalidraw also changes elements by itself (text
  // measured again once its font has loaded), which must not look like typing.
  for (const type of ["pointerdown", "keydown", "paste", "drop"]) host.addEventListener(type, () => { touched = true; }, true);

  // The words on the board, top to bottom, as text the page can read out (the canvas cannot).
  const wordList = $("board-labels");
  function listWords(elements) {
    const words = elements.filter((e) => e.type === "text" && !e.isDeleted && e.text.trim())
      .sort((a, b) => a.y - b.y || a.x - b.x).map((e) => e.text.trim());
    if (words.join("\n") === wordList.dataset.shown) return;
    wordList.dataset.shown = words.join("\n");
    wordList.replaceChildren(...words.map((w) => Object.assign(document.createElement("li"), { textContent: w })));
  }

  listWords(initial.elements);

  function onChange(elements, appState, files) {
    const next = sceneKey(elements, appState, files);
    if (next === key) return;
    key = next;
    listWords(elements);
    if (readOnly || !touched) return;
    text = null;
    area.dispatchEvent(new Event("input"));
  }

  const reactRoot = createRoot(host);
  const draw = () => reactRoot.render(h(Board));
  function Board() {
    return h(
      Excalidraw,
      {
        initialData,
        excalidrawAPI: (a) => { if (!api) { api = a; ready(); } },
        onChange,
        viewModeEnabled: readOnly,
        aiEnabled: false,  // no text-to-diagram service calls
        validateEmbeddable: false,  // no frames of other sites
        langCode: "en",
        name: document.title,
        UIOptions: { canvasActions: { loadScene: !readOnly, saveToActiveFile: false } },
      },
      h(MainMenu, null,
        h(MainMenu.DefaultItems.SaveAsImage),
        h(MainMenu.DefaultItems.Export),
        h(MainMenu.DefaultItems.LoadScene),
        h(MainMenu.DefaultItems.ClearCanvas),
        h(MainMenu.Separator),
        h(MainMenu.DefaultItems.Help),
        h(MainMenu.DefaultItems.ToggleTheme),
        h(MainMenu.DefaultItems.ChangeCanvasBackground)),
      h(WelcomeScreen, null,
        h(WelcomeScreen.Hints.ToolbarHint),
        h(WelcomeScreen.Center, null,
          h(WelcomeScreen.Center.Heading, null, readOnly
            ? "Nothing is drawn on this board yet."
            : "Draw the design here: boxes, arrows, labels. It is saved with the round as you draw."))),
    );
  }

  // To round.js's autosave the board looks like a textarea holding the drawing's JSON.
  const area = new EventTarget();
  Object.defineProperties(area, {
    value: {
      get: () => text ?? (text = sceneText(api.getSceneElementsIncludingDeleted(), api.getAppState(), api.getFiles())),
      set: load,
    },
    readOnly: { get: () => readOnly, set: (on) => { readOnly = on; draw(); } },
    hidden: { value: false },
    dataset: { value: source.dataset },
    focus: { value: () => host.querySelector("canvas.interactive")?.focus() },
    select: { value: () => host.querySelector("canvas.interactive")?.focus() },
  });
  host.addEventListener("focusout", (e) => { if (!host.contains(e.relatedTarget)) area.dispatchEvent(new Event("blur")); });

  function load(saved) {
    const scene = parseScene(saved);
    const files = Object.values(scene.files);
    if (files.length) api.addFiles(files);
    api.updateScene({ elements: scene.elements, appState: scene.appState, captureUpdate: CaptureUpdateAction.NEVER });
    text = saved;
    key = sceneKey(api.getSceneElementsIncludingDeleted(), scene.appState, api.getFiles());
    listWords(scene.elements);
  }

  async function fetchBoard() {
    const res = await fetch(url, { credentials: "same-origin" }).catch(() => null);
    if (!res || !res.ok) return null;
    const body = await res.json();
    try { load(body.text); } catch (e) { status.textContent = "The latest drawing could not be read."; return null; }
    shown = body.revision;
    return body;
  }

  const holder = (state) => (peer ? state.pen : "candidate");
  const mayWrite = (state) => holder(state) === role && state.status !== "locked";

  async function sync(state) {
    if (mayWrite(state) && !writing) {
      // The pen came (back) to this seat: build on the drawing as stored now.
      if (state.work.board && state.work.board !== shown) await fetchBoard();
      writing = true;
      saver.rebase(area.value, shown);
      area.readOnly = false;
    } else if (!mayWrite(state) && writing) {
      writing = false;
      area.readOnly = true;
    }
    if (!writing && (state.work.board || 0) !== shown) await fetchBoard();
    showPen(state);
  }

  function showPen(state) {
    if (!penButton) return;
    const locked = state.status === "locked", started = state.status === "running" || state.status === "paused";
    const withInterviewer = holder(state) === "interviewer";
    penButton.hidden = locked || !state.interviewer || (role === "interviewer" && !withInterviewer);
    penButton.disabled = !started;
    penButton.textContent = role === "interviewer" ? "Give the pen back"
      : withInterviewer ? "Take the pen back" : "Let the interviewer draw";
    penButton.dataset.to = withInterviewer ? "candidate" : "interviewer";
    penNote.textContent = locked ? "The round is over: the board is read-only."
      : withInterviewer ? (role === "interviewer" ? "You hold the pen: draw on the candidate's board." : "The interviewer is drawing on your board.")
      : role === "interviewer" ? "The candidate holds the pen; they can hand it to you." : "";
  }

  // Everything drawn so far is saved before the pen changes hands (or the hand-over waits).
  async function settled() {
    for (let i = 0; i < 50 && saver.pending; i++) {
      saver.flush();
      await new Promise((r) => setTimeout(r, 100));
    }
    return !saver.pending;
  }

  async function handOver() {
    penButton.disabled = true;
    if (writing && !(await settled())) {
      penNote.textContent = "Your last strokes are not saved yet, so the pen stays with you; try again in a moment.";
      penButton.disabled = false;
      return;
    }
    const res = await fetch(panel.dataset.penUrl, { method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": round.csrf }, body: JSON.stringify({ to: penButton.dataset.to }) })
      .catch(() => null);
    const body = res ? await res.json().catch(() => ({})) : {};
    if (!res || !res.ok) penNote.textContent = body.message || "Can't reach the server: the pen did not change hands.";
    round.poll();
  }

  function ready() {
    const state = round.state();
    writing = mayWrite(state);
    area.readOnly = !writing;
    saver = round.autosave(area, url, status, "board", true,
      { body: () => ({}), key: () => "", merge: mergeScenes });
    if (penButton) penButton.addEventListener("click", handOver);
    showPen(state);
    let syncing = Promise.resolve();  // one state at a time: each may fetch the drawing
    round.onState((next) => { syncing = syncing.then(() => sync(next)); });
  }

  draw();
  setUpTabs(document.querySelector(".work > [role=tablist]"));
  const splitter = $("splitter");
  if (splitter) setUpSplitter(splitter, $("workspace"));
}
