// The schedule form's "who will host" panel: re-rendered by the server as participants, time or
// location change (CSP allows only static scripts). Without JS the panel shows the last saved state.
(() => {
  const form = document.querySelector("form[data-host-preview-url]");
  const panel = document.getElementById("host-preview");
  if (!form || !panel) return;
  const fields = ["starts_at", "timezone", "duration_minutes", "location"];
  let timer = null;
  let latest = 0;

  const refresh = () => {
    const data = new FormData(form);
    const params = new URLSearchParams();
    for (const id of data.getAll("participants")) params.append("participants", id);
    for (const name of fields) {
      const value = data.get(name);
      if (value) params.set(name, value);
    }
    if (form.dataset.scheduleId) params.set("schedule", form.dataset.scheduleId);
    const request = ++latest;
    fetch(`${form.dataset.hostPreviewUrl}?${params}`, {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    })
      .then((response) => (response.ok ? response.json() : null))
      .then((body) => {
        // Only the answer to the newest request may replace the panel.
        if (body && request === latest) panel.innerHTML = body.html;
      })
      .catch(() => {});
  };

  form.addEventListener("change", () => {
    clearTimeout(timer);
    timer = setTimeout(refresh, 150);
  });
})();
