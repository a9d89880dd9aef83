// The AI interviewer panel: a question is sent as JSON and the reply read as it streams (JSON
// lines: {"text"} pieces, then {"done"} or {"error"}), appended to the log as it arrives.
(function () {
  "use strict";
  const panel = document.getElementById("ai-chat");
  if (!panel) return;
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const log = document.getElementById("ai-log"), form = document.getElementById("ai-form");
  const question = document.getElementById("ai-question"), errorEl = document.getElementById("ai-error");
  const hints = document.getElementById("ai-hints"), turnOn = document.getElementById("ai-on");
  const send = document.getElementById("ai-send"), hintButton = document.getElementById("ai-hint");
  if (!form) return;  // locked: the log alone

  function add(role, text, hint) {
    const item = document.createElement("li");
    item.className = "chat-" + role + (hint ? " chat-hint" : "");
    const who = document.createElement("span");
    who.className = "visually-hidden";
    who.textContent = role === "user" ? "You: " : "Interviewer: ";
    const body = document.createElement("span");
    body.textContent = text;
    item.append(who, body);
    log.append(item);
    item.scrollIntoView({ block: "nearest" });
    return body;
  }
  function fail(message) { errorEl.textContent = message; errorEl.hidden = false; }
  function busy(on) { send.disabled = on; hintButton.disabled = on; }
  async function post(url, body) {
    return fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(body),
      credentials: "same-origin",
    });
  }
  async function refused(res) {
    try { return (await res.json()).message; } catch (e) { return "The server did not answer (" + res.status + "); try again."; }
  }

  turnOn.addEventListener("click", () => {
    turnOn.hidden = true; turnOn.setAttribute("aria-expanded", "true");
    form.hidden = false; question.focus();
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = question.value.trim();
    if (!text) { fail("Write a message for the interviewer."); return; }
    errorEl.hidden = true; busy(true);
    try {
      const res = await post(panel.dataset.chatUrl, { text });
      if (!res.ok) { fail(await refused(res)); return; }  // the question stays in the box
      add("user", text);
      question.value = "";
      const reply = add("assistant", "");
      const reader = res.body.getReader(), decoder = new TextDecoder();
      let buffered = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffered += decoder.decode(value, { stream: true });
        let end;
        while ((end = buffered.indexOf("\n")) >= 0) {
          const line = JSON.parse(buffered.slice(0, end));
          buffered = buffered.slice(end + 1);
          if (line.text) reply.textContent += line.text;
          if (line.error) fail(line.error);
        }
      }
    } catch (e) {
      fail("Can't reach the server: your question is kept in the box; try again.");
    } finally { busy(false); }
  });

  hintButton.addEventListener("click", async () => {
    errorEl.hidden = true; busy(true);
    try {
      const res = await post(panel.dataset.hintUrl, {});
      if (!res.ok) { fail(await refused(res)); return; }
      const body = await res.json();
      for (const m of body.messages) add(m.role, m.text, m.hint);
      hints.textContent = `Hints used: ${body.hints_used} of ${body.hints_total}`;
    } catch (e) {
      fail("Can't reach the server; try again.");
    } finally { busy(false); }
  });
})();
