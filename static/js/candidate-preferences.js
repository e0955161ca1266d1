// The schedule form: choosing an existing candidate shows their language and time zone (carried on
// the option), so saving keeps them; "new candidate" shows the defaults. CSP allows only static scripts.
(() => {
  const select = document.getElementById("id_candidate");
  const language = document.getElementById("id_candidate_language");
  const zone = document.getElementById("id_candidate_timezone");
  if (!select || !language || !zone) return;
  select.addEventListener("change", () => {
    const option = select.options[select.selectedIndex];
    language.value = option?.dataset.language || "ja";
    zone.value = option?.dataset.timezone || "";
  });
})();
