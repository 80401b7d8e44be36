// The printable records' Print button (contract_note.html, statement.html): a file, not an
// onclick attribute, since the Content-Security-Policy allows no inline script.
"use strict";
for (const button of document.querySelectorAll("[data-print]")) {
  button.addEventListener("click", () => window.print());
}
