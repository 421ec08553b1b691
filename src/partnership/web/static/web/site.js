// What the pages would otherwise write inline: the Content-Security-Policy (settings.py) runs no inline
// script or handler attribute, and HTMX is told not to evaluate hx-on (base.html), so it lives here.
"use strict";

// A form marked data-reset-on-success is emptied once HTMX has sent it successfully (a posted comment
// appears in the list above it; the box is ready for the next one).
document.addEventListener("htmx:afterRequest", (event) => {
  const form = event.target;
  if (event.detail.successful && form instanceof HTMLFormElement && form.hasAttribute("data-reset-on-success")) {
    form.reset();
  }
});

// The header's menus (<details class="menu">) open and close without script; with it, a click elsewhere
// or Escape closes an open one, as a reader expects of a menu.
document.addEventListener("click", (event) => {
  for (const menu of document.querySelectorAll("details.menu[open]")) {
    if (!menu.contains(event.target)) {
      menu.removeAttribute("open");
    }
  }
});
document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") {
    return;
  }
  for (const menu of document.querySelectorAll("details.menu[open]")) {
    menu.removeAttribute("open");
    menu.querySelector("summary").focus();
  }
});

// The print layout of a page (/print/ addresses) has a "Print" button, hidden until this script can
// make it open the browser's printing: without script, the browser's own Print command does the same.
document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("button[data-print]")) {
    button.hidden = false;
    button.addEventListener("click", () => window.print());
  }
});
