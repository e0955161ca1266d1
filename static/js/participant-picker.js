// The schedule form's participant picker (issue 16): search as you type, choose with the keyboard or
// the mouse, and the choice becomes a ticked checkbox of the form. Without JavaScript the "Search"
// button does the same through the server.
(() => {
  const picker = document.querySelector(".participant-picker");
  if (!picker) return;
  const input = picker.querySelector("#people-q");
  const results = picker.querySelector("#people-results");
  const options = picker.querySelector("#participant-options");
  const searchButton = picker.querySelector("#people-search");
  const form = picker.closest("form");
  let timer = null;
  let latest = 0;
  let active = -1;

  const items = () => Array.from(results.querySelectorAll("[role=option]"));
  const close = () => {
    results.hidden = true;
    results.replaceChildren();
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  };
  const highlight = (index) => {
    const list = items();
    if (!list.length) return;
    active = (index + list.length) % list.length;
    list.forEach((item, i) => item.setAttribute("aria-selected", i === active ? "true" : "false"));
    input.setAttribute("aria-activedescendant", list[active].id);
  };
  const choose = (person) => {
    let box = options.querySelector(`input[name=participants][value="${person.id}"]`);
    if (!box) {
      const item = document.createElement("li");
      const label = document.createElement("label");
      box = document.createElement("input");
      box.type = "checkbox";
      box.name = "participants";
      box.value = String(person.id);
      label.append(box, ` ${person.name}`);
      item.append(label);
      options.append(item);
    }
    box.checked = true;
    input.value = "";
    close();
    form.dispatchEvent(new Event("change", { bubbles: true })); // the host preview follows
    input.focus();
  };
  const show = (people) => {
    results.replaceChildren();
    people.forEach((person, index) => {
      const item = document.createElement("li");
      item.id = `people-result-${index}`;
      item.setAttribute("role", "option");
      item.setAttribute("aria-selected", "false");
      item.textContent = person.name;
      item.addEventListener("mousedown", (event) => {
        event.preventDefault();
        choose(person);
      });
      item.dataset.person = JSON.stringify(person);
      results.append(item);
    });
    results.hidden = people.length === 0;
    input.setAttribute("aria-expanded", people.length ? "true" : "false");
    active = -1;
  };
  const search = () => {
    const query = input.value.trim();
    if (!query) return close();
    const request = ++latest;
    fetch(`${picker.dataset.peopleUrl}?${new URLSearchParams({ q: query })}`, {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    })
      .then((response) => (response.ok ? response.json() : { people: [] }))
      .then((body) => {
        if (request === latest) show(body.people || []);
      })
      .catch(() => {});
  };

  if (searchButton) searchButton.hidden = true; // typing searches; the button is for pages without JS
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(search, 200);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown") {
      event.preventDefault();
      highlight(active + 1);
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      highlight(active - 1);
    } else if (event.key === "Enter") {
      // Enter chooses the highlighted person instead of submitting the form.
      event.preventDefault();
      const list = items();
      const item = list[active] || list[0];
      if (item) choose(JSON.parse(item.dataset.person));
    } else if (event.key === "Escape") {
      close();
    }
  });
  input.addEventListener("blur", () => setTimeout(close, 150));
})();
