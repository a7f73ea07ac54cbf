// Small enhancements on top of pages that work without JavaScript.
// A "copy" button copies the text of the element its data-copy names.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const source = document.getElementById(button.dataset.copy);
  if (!source || !navigator.clipboard) return;
  const text = "value" in source ? source.value : source.textContent;
  navigator.clipboard.writeText(text.trim()).then(() => {
    const status = document.getElementById(`${button.dataset.copy}-status`);
    if (status) status.textContent = button.dataset.copied || "";
  });
});
