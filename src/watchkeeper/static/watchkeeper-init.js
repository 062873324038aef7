// Starts GOV.UK Frontend's components. A file rather than an inline script, so the Content-Security-Policy can
// refuse inline scripts; the module's hashed address comes from the page, since it changes with each build.
const script = document.querySelector("script[data-govuk-frontend]");
const { initAll } = await import(script.dataset.govukFrontend);
initAll();
