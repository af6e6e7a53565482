// A field marked data-select-on-focus selects its whole text when focused (a new API token,
// ready to copy). A file, not an inline handler: the Content-Security-Policy allows no inline script.
document.addEventListener("focusin", (event) => {
  if (event.target.matches && event.target.matches("[data-select-on-focus]")) {
    event.target.select();
  }
});
