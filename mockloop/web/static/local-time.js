// Show <time data-local datetime="..."> in the reader's own time zone.
document.querySelectorAll("time[data-local]").forEach((el) => {
  const when = new Date(el.getAttribute("datetime"));
  if (!isNaN(when)) el.textContent = when.toLocaleString([], { dateStyle: "medium", timeStyle: "short" });
});
