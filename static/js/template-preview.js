// The candidate template's live preview: the server substitutes sample values (never this page) and
// says what saving would refuse; the answer is shown as text only. CSP allows only static scripts.
(() => {
  const form = document.getElementById("template-form");
  const subject = document.getElementById("preview-subject");
  const text = document.getElementById("preview-text");
  const problems = document.getElementById("preview-problems");
  if (!form || !subject || !text || !problems) return;
  let timer = null;
  let latest = 0;

  const refresh = () => {
    const request = ++latest;
    fetch(form.dataset.previewUrl, { method: "POST", body: new FormData(form), credentials: "same-origin" })
      .then((response) => (response.ok ? response.json() : null))
      .then((body) => {
        if (!body || request !== latest) return;
        subject.textContent = body.subject;
        text.textContent = body.text;
        problems.replaceChildren(
          ...body.problems.map((problem) => {
            const item = document.createElement("li");
            item.textContent = problem;
            return item;
          }),
        );
      })
      .catch(() => {});
  };

  form.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(refresh, 250);
  });
})();
