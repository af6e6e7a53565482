// A button marked data-copy="<element id>" copies that field's text and says so in the element
// "<id>-status"; without the clipboard API (or its permission) the browser's copy command is
// used, and failing that the text stays selected for the customer to copy. A file, not an
// inline handler: the Content-Security-Policy allows no inline script.
document.addEventListener("click", (event) => {
  const button = event.target.closest && event.target.closest("[data-copy]");
  if (!button) return;
  const field = document.getElementById(button.dataset.copy);
  if (!field) return;
  field.select();
  const done = () => {
    const status = document.getElementById(button.dataset.copy + "-status");
    if (status) status.textContent = button.dataset.copied || "";
  };
  const fallback = () => {
    try {
      if (document.execCommand("copy")) done();
    } catch (error) {
      // The text stays selected.
    }
  };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(field.value).then(done, fallback);
  } else {
    fallback();
  }
});
