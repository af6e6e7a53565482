// A button marked data-copy="<element id>" copies that field's text and says so; without the
// clipboard API the field is selected for the customer to copy. A file, not an inline handler:
// the Content-Security-Policy allows no inline script.
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
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(field.value).then(done, () => {});
  } else {
    try {
      document.execCommand("copy");
      done();
    } catch (error) {
      // The text stays selected for the customer to copy by hand.
    }
  }
});
