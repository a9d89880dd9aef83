// Start form: picking a prompt sets the duration to that prompt's own length, unless the user
// typed a duration themselves (the server treats an empty duration the same way without script).
(function () {
  "use strict";
  const prompt = document.getElementById("prompt"), minutes = document.getElementById("minutes");
  if (!prompt || !minutes) return;
  let typed = minutes.value !== "";
  minutes.addEventListener("input", () => { typed = minutes.value !== ""; });
  prompt.addEventListener("change", () => {
    if (!typed) minutes.value = prompt.selectedOptions[0].dataset.minutes || "";
  });
})();
