// "Copy" buttons: copy the text of the element named by data-copy-target (CSP allows only static scripts).
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy-target]");
  if (!button) return;
  const source = document.getElementById(button.dataset.copyTarget);
  if (!source) return;
  source.select();
  navigator.clipboard?.writeText(source.value ?? source.textContent).catch(() => document.execCommand("copy"));
  button.dataset.copied = "true";
});
