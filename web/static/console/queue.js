/* The live queue: waiting escalations of the agent's queues (newest activity first) and the agent's own. */
(function () {
  "use strict";
  var C = window.SupportConsole;
  var state = { waiting: [], mine: [] };
  var pending = null;

  function cell(row, text, className) { var td = C.el("td", className, text); row.appendChild(td); return td; }

  function claim(id, button) {
    button.disabled = true;
    C.api("POST", "/console/api/escalations/" + id + "/claim").then(function (reply) {
      if (reply.ok) { window.location.assign("/console/conversations/" + id); return; }
      button.textContent = reply.status === 409 ? C.t("queue.taken") : C.t("queue.claim_failed");
      load();
    });
  }

  function render() {
    var waiting = document.querySelector("#waiting tbody");
    C.clear(waiting);
    state.waiting.forEach(function (e) {
      var row = C.el("tr");
      row.dataset.escalation = String(e.id);
      cell(row, C.duration(e.created_at), "waited").dataset.since = e.created_at || "";
      cell(row, C.time(e.last_activity_at));
      cell(row, e.queue);
      cell(row, e.language);
      cell(row, e.country);
      cell(row, C.label("reasons", e.reason));
      cell(row, e.last_customer_message || "", "last-message");
      var actions = cell(row, null);
      var button = C.el("button", "claim", C.t("queue.claim"));
      button.type = "button";
      button.addEventListener("click", function () { claim(e.id, button); });
      actions.appendChild(button);
      var view = C.el("a", null, C.t("queue.view"));
      view.href = "/console/conversations/" + e.id;
      actions.appendChild(document.createTextNode(" "));
      actions.appendChild(view);
      waiting.appendChild(row);
    });
    document.getElementById("waiting-empty").hidden = state.waiting.length > 0;
    var mine = document.querySelector("#mine tbody");
    C.clear(mine);
    state.mine.forEach(function (e) {
      var row = C.el("tr");
      cell(row, C.duration(e.claimed_at), "waited").dataset.since = e.claimed_at || "";
      cell(row, e.queue);
      cell(row, e.language);
      cell(row, e.last_customer_message || "", "last-message");
      var link = C.el("a", null, C.t("queue.open"));
      link.href = "/console/conversations/" + e.id;
      cell(row, null).appendChild(link);
      mine.appendChild(row);
    });
    document.getElementById("mine-empty").hidden = state.mine.length > 0;
  }

  function load() {
    return C.api("GET", "/console/api/queue").then(function (reply) {
      if (reply.ok) { state = reply.data; render(); }
    });
  }

  function soon() {  /* several events in a burst: one reload */
    if (pending) { return; }
    pending = window.setTimeout(function () { pending = null; load(); }, 150);
  }

  window.setInterval(function () {
    document.querySelectorAll("td.waited").forEach(function (td) { td.textContent = C.duration(td.dataset.since); });
  }, 1000);
  C.heartbeat();
  load();
  C.live("/console/api/queue/events", soon, soon);
}());
