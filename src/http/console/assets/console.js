// cadre's console: the little JavaScript every page may use. Pages work without it.
"use strict";

// A button with data-copy="ID" copies the text of element #ID (the chain head, say).
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const source = document.getElementById(button.dataset.copy);
  if (source && navigator.clipboard) {
    navigator.clipboard.writeText(source.textContent.trim()).then(() => {
      button.dataset.done = "true";
    });
  }
});
