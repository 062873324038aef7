// Keeps "due in 12 minutes" current on a page left open: the server's words are right when the page loads,
// and this only rewrites them from the deadline each element carries. Without JavaScript nothing changes.
const units = [["day", 1440], ["hour", 60], ["minute", 1]];

function duration(minutes) {
  const parts = [];
  let rest = minutes;
  for (const [unit, size] of units) {
    const value = Math.floor(rest / size);
    rest -= value * size;
    if (value) parts.push(`${value} ${unit}${value === 1 ? "" : "s"}`);
  }
  return parts.length ? parts.slice(0, 2).join(" ") : "less than a minute";
}

function phrase(deadline, now) {
  const minutes = Math.floor(Math.abs(deadline - now) / 60000);
  return deadline >= now ? `due in ${duration(minutes)}` : `overdue by ${duration(minutes)}`;
}

function refresh() {
  const now = Date.now();
  for (const element of document.querySelectorAll("[data-wk-deadline]")) {
    const deadline = Date.parse(element.getAttribute("data-wk-deadline"));
    if (Number.isNaN(deadline)) continue;
    const text = phrase(deadline, now);
    const shown = text.charAt(0).toUpperCase() + text.slice(1);
    if (element.textContent !== shown) element.textContent = shown;
  }
}

refresh();
setInterval(refresh, 30000);
