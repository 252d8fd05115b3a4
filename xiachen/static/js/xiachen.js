// Small progressive enhancements; no inline scripts so the CSP can forbid them.
document.addEventListener("change", (event) => {
  const target = event.target;
  if (target.matches("[data-autosubmit]")) {
    target.form.requestSubmit();
  }
});

// Navigation menus are <details> (they open by click, Enter or Space without any script). This only
// tidies up: one menu open at a time, a click elsewhere or Escape closes it (focus back on its title).
document.addEventListener("toggle", (event) => {
  const opened = event.target;
  if (!opened.matches || !opened.matches("details.navgroup") || !opened.open) return;
  document.querySelectorAll("details.navgroup[open]").forEach((other) => {
    if (other !== opened) other.open = false;
  });
}, true);

document.addEventListener("click", (event) => {
  document.querySelectorAll("details.navgroup[open]").forEach((menu) => {
    if (!menu.contains(event.target)) menu.open = false;
  });
});

document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  const menu = document.activeElement && document.activeElement.closest("details.navgroup[open]");
  if (menu) {
    menu.open = false;
    menu.querySelector("summary").focus();
  }
});
