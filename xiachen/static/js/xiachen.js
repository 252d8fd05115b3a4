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

// Confirmation before destructive or irreversible actions: a button (or form) with
// data-confirm="…" asks first; cancelling stops the submission.
document.addEventListener("submit", (event) => {
  const form = event.target;
  const button = event.submitter;
  const question = (button && button.dataset.confirm) || form.dataset.confirm;
  if (question && !window.confirm(question)) {
    event.preventDefault();
    event.stopImmediatePropagation();
  }
}, true);
document.addEventListener("click", (event) => {
  const link = event.target.closest("a[data-confirm]");
  if (link && !window.confirm(link.dataset.confirm)) {
    event.preventDefault();
  }
});

// Searchable pickers (components/picker.html): the search box asks the server for options
// (htmx), a click or Enter on an option picks it into the hidden input(s).
(() => {
  const pickerOf = (element) => element.closest("[data-picker]");
  const results = (picker) => picker.querySelector(".picker-results");
  const search = (picker) => picker.querySelector(".picker-search");

  function close(picker) {
    results(picker).replaceChildren();
    search(picker).setAttribute("aria-expanded", "false");
  }

  function announceChange(input) {
    input.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function pick(picker, option) {
    const { value, label, detail } = option.dataset;
    if (picker.hasAttribute("data-picker-multiple")) {
      const chosen = picker.querySelector(".picker-chosen");
      const already = [...chosen.querySelectorAll("input")].some((input) => input.value === value);
      if (!already) {
        const item = document.createElement("li");
        item.className = "picker-chip";
        const hidden = document.createElement("input");
        hidden.type = "hidden";
        hidden.name = picker.dataset.pickerName;
        hidden.value = value;
        const name = document.createElement("span");
        name.textContent = label;
        const small = document.createElement("small");
        small.textContent = detail;
        const remove = document.createElement("button");
        remove.type = "button";
        remove.className = "link picker-remove";
        remove.dataset.pickerRemove = "";
        remove.setAttribute("aria-label", "✕ " + label);
        remove.textContent = "✕";
        item.append(hidden, name, " ", small, " ", remove);
        chosen.append(item);
        announceChange(hidden);
      }
      search(picker).value = "";
    } else {
      const hidden = picker.querySelector("[data-picker-value]");
      hidden.value = value;
      search(picker).value = label;
      const shown = picker.querySelector("[data-picker-detail]");
      if (shown) shown.textContent = detail;
      announceChange(hidden);
    }
    close(picker);
    search(picker).focus();
  }

  document.addEventListener("click", (event) => {
    const option = event.target.closest("[data-picker-option]");
    if (option) {
      pick(pickerOf(option), option);
      return;
    }
    const remove = event.target.closest("[data-picker-remove]");
    if (remove) {
      const picker = pickerOf(remove);
      remove.closest("li").remove();
      announceChange(search(picker));
      return;
    }
    document.querySelectorAll("[data-picker]").forEach((picker) => {
      if (!picker.contains(event.target)) close(picker);
    });
  });

  document.addEventListener("input", (event) => {
    if (!event.target.matches(".picker-search")) return;
    const picker = pickerOf(event.target);
    const hidden = picker.querySelector("[data-picker-value]");
    // Typing again un-picks: what is submitted is always what the box shows.
    if (hidden && hidden.value) {
      hidden.value = "";
      const shown = picker.querySelector("[data-picker-detail]");
      if (shown) shown.textContent = "";
    }
  });

  document.addEventListener("htmx:afterSwap", (event) => {
    const list = event.detail.target;
    if (list && list.matches(".picker-results")) {
      search(pickerOf(list)).setAttribute("aria-expanded", list.children.length ? "true" : "false");
    }
  });

  document.addEventListener("keydown", (event) => {
    const picker = event.target.closest && pickerOf(event.target);
    if (!picker) return;
    const options = [...picker.querySelectorAll("[data-picker-option]")];
    const index = options.indexOf(event.target);
    if (event.key === "ArrowDown" && options.length) {
      event.preventDefault();
      options[Math.min(index + 1, options.length - 1)].focus();
    } else if (event.key === "ArrowUp" && index >= 0) {
      event.preventDefault();
      (index === 0 ? search(picker) : options[index - 1]).focus();
    } else if (event.key === "Escape") {
      close(picker);
      search(picker).focus();
    } else if (event.key === "Enter" && event.target.matches(".picker-search")) {
      // Enter in the search box picks the only (or first) option instead of submitting the form.
      event.preventDefault();
      if (options.length) pick(picker, options[0]);
    }
  });
})();
