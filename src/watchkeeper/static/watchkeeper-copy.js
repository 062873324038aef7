// Adds a "Copy" button beside each read-only field marked data-wk-copy (a key shown once, the addresses that hold
// it). Without JavaScript the fields are still there to select and copy by hand, so the buttons exist only here.
function copied(input, status) {
  status.textContent = `${input.labels[0].textContent.trim()} copied`;
}

async function copy(input, status) {
  try {
    await navigator.clipboard.writeText(input.value);
    copied(input, status);
  } catch {
    // No clipboard permission (an insecure origin, an older browser): select it so a keyboard copy takes it.
    input.select();
    if (document.execCommand("copy")) copied(input, status);
    else status.textContent = "Select the text and copy it";
  }
}

for (const input of document.querySelectorAll("input[data-wk-copy]")) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "govuk-button govuk-button--secondary wk-copy";
  button.textContent = "Copy";
  const hidden = document.createElement("span");
  hidden.className = "govuk-visually-hidden";
  hidden.textContent = ` ${input.labels[0].textContent.trim()}`;
  button.append(hidden);
  const status = document.createElement("span");
  status.className = "govuk-body-s wk-copy__status";
  status.setAttribute("role", "status");
  button.addEventListener("click", () => copy(input, status));
  input.after(button, status);
}
