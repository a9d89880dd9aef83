// Forms that take a local time send the browser's time zone along (used unless the profile sets one).
document.querySelectorAll("[data-browser-zone]").forEach((input) => {
  try { input.value = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC"; } catch (e) { input.value = "UTC"; }
});
