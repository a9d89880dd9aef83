// A board's drawing as saved text, and back: Excalidraw's elements, the background colour and the
// pasted images the elements use, as JSON. What is saved follows the server's rules (core/board.py)
// so that nothing drawn here is refused for a reason the user did not cause: web embeds are left
// out, links are made absolute http(s)/mailto URLs or dropped, images no element uses are dropped.
import { restoreElements } from "@excalidraw/excalidraw";

const FRAMES_OTHER_SITES = new Set(["embeddable", "iframe"]);
const LINK_PROTOCOLS = new Set(["http:", "https:", "mailto:"]);

// A link as the server keeps it, or null. "example.com/x" means https://, as people type it;
// "/path" or "?element=..." is this site's.
export function safeLink(link) {
  const text = String(link || "").trim();
  if (!text) return null;
  let url;
  try {
    if (/^[a-z][a-z0-9+.-]*:/i.test(text)) url = new URL(text);
    else if (/^[/?#]/.test(text)) url = new URL(text, location.href);
    else url = new URL("https://" + text);
  } catch (e) {
    return null;
  }
  return LINK_PROTOCOLS.has(url.protocol) ? url.href : null;
}

// Changes whenever what would be saved changes (every edit bumps an element's version).
export function sceneKey(elements, appState, files) {
  let sum = 0;
  for (const e of elements) sum += e.isDeleted ? 0 : e.version + 1;
  return `${elements.length}:${sum}:${Object.keys(files || {}).length}:${appState.viewBackgroundColor}`;
}

export function sceneText(elements, appState, files) {
  const kept = [];
  for (const e of elements) {
    if (e.isDeleted || FRAMES_OTHER_SITES.has(e.type)) continue;
    const link = e.link ? safeLink(e.link) : null;
    kept.push(link === (e.link || null) ? e : { ...e, link });
  }
  const used = [...new Set(kept.filter((e) => e.type === "image" && e.fileId).map((e) => e.fileId))].sort();
  const images = {};
  for (const id of used) {
    const f = files && files[id];
    if (f) images[id] = { id, mimeType: f.mimeType, dataURL: f.dataURL, created: f.created };
  }
  return JSON.stringify({
    type: "excalidraw",
    version: 2,
    source: "mockloop",
    elements: kept,
    appState: { viewBackgroundColor: appState.viewBackgroundColor },
    files: images,
  });
}

// Saved text (or "" for a board never drawn on) as Excalidraw's initial data. Throws on text that
// is not a drawing.
export function parseScene(text) {
  const scene = text ? JSON.parse(text) : {};
  if (typeof scene !== "object" || scene === null || Array.isArray(scene)) throw new Error("not a drawing");
  return {
    elements: restoreElements(Array.isArray(scene.elements) ? scene.elements : [], null, { repairBindings: true }),
    appState: { viewBackgroundColor: scene.appState?.viewBackgroundColor || "#ffffff" },
    files: scene.files && typeof scene.files === "object" ? scene.files : {},
  };
}

// Both drawings in one: every element of either, the second's copy where both have one (the
// "merge" of a refused save: the newer stored copy first, this tab's drawing second).
export function mergeScenes(firstText, secondText) {
  const first = parseScene(firstText), second = parseScene(secondText);
  const byId = new Map(first.elements.map((e) => [e.id, e]));
  for (const e of second.elements) byId.set(e.id, e);
  // Fractional z-order indices of two drawings can collide: let Excalidraw number them again.
  const elements = restoreElements([...byId.values()].map((e) => ({ ...e, index: undefined })), null, { repairBindings: true });
  return sceneText(elements, second.appState, { ...first.files, ...second.files });
}
