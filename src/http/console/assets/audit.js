// cadre's audit page: the live feed. Each new event comes from /console/audit/live as the
// line the page itself renders; it goes on top of ol#live, which keeps data-keep lines.
// Without JavaScript the page shows the events of its load time.
"use strict";

(() => {
  const list = document.getElementById("live");
  if (!list || !window.EventSource) return;
  const keep = Number(list.dataset.keep) || 50;
  // From the position after the page's last event; a reconnect resumes by Last-Event-ID.
  const source = new EventSource(
    "/console/audit/live?from=" + encodeURIComponent(list.dataset.from),
  );
  source.addEventListener("message", (event) => {
    const template = document.createElement("template");
    template.innerHTML = event.data;
    const line = template.content.firstElementChild;
    if (!line || list.querySelector(`[data-position="${line.dataset.position}"]`)) return;
    list.prepend(line);
    while (list.children.length > keep) list.lastElementChild.remove();
  });
})();
