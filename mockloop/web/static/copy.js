// "Copy" buttons: data-copy names the input whose value goes to the clipboard.
document.querySelectorAll("[data-copy]").forEach((button) => {
  button.addEventListener("click", async () => {
    const input = document.getElementById(button.dataset.copy);
    input.select();
    try { await navigator.clipboard.writeText(input.value); button.textContent = "Copied"; }
    catch (e) { button.textContent = "Press Ctrl+C"; }
  });
});
