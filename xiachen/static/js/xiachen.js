// Small progressive enhancements; no inline scripts so the CSP can forbid them.
document.addEventListener("change", (event) => {
  const target = event.target;
  if (target.matches("[data-autosubmit]")) {
    target.form.requestSubmit();
  }
});
