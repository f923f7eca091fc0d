/* One escalated conversation: transcript (live), reply box with suggestions, claim, hand back, resolve. */
(function () {
  "use strict";
  var C = window.SupportConsole;
  var root = document.getElementById("conversation");
  var id = root.dataset.escalation;
  var base = "/console/api/escalations/" + id;
  var transcript = document.getElementById("transcript");
  var replyBox = document.getElementById("reply-text");
  var warning = document.getElementById("warning");
  var typingSent = 0;
  var typingTimer = null;
  var current = null;

  function warn(text) { warning.textContent = text || ""; warning.hidden = !text; }

  function percent(value) { return typeof value === "number" ? Math.round(value * 100) + " %" : ""; }

  function entryNode(entry) {
    if (entry.from === "agent" && entry.handoff) {
      return C.el("div", "msg system", C.t(entry.handoff === "joined" ? "conversation.joined" : "conversation.left", { name: entry.agent || "" }));
    }
    var node = C.el("div", "msg " + entry.from);
    var meta = [C.time(entry.timestamp)];
    if (entry.from === "customer") {
      meta.push(C.t("conversation.customer"));
      if (entry.language) { meta.push(entry.language); }
      if (entry.intent) { meta.push(entry.intent + " " + percent(entry.confidence)); }
    } else if (entry.from === "assistant") {
      meta.push(C.t("conversation.assistant"));
      if (entry.intent) { meta.push(C.t("conversation.answering", { intent: entry.intent }) + " " + percent(entry.confidence)); }
    } else {
      meta.push(entry.agent || C.t("conversation.agent"));
    }
    node.appendChild(C.el("span", "meta", meta.filter(Boolean).join(" · ")));
    node.appendChild(C.el("span", "text", entry.text));
    return node;
  }

  function append(entry) {
    transcript.appendChild(entryNode(entry));
    transcript.scrollTop = transcript.scrollHeight;
  }

  function showState(data) {
    current = data.escalation;
    document.getElementById("status").textContent = C.label("escalation_statuses", current.status);
    var mine = current.status === "claimed" && String(current.agent_id) === root.dataset.agent;
    replyBox.disabled = !mine;
    document.getElementById("send").disabled = !mine;
    document.getElementById("claim").hidden = current.status !== "waiting";
    document.getElementById("hand-back").hidden = !mine;
    var open = current.status === "waiting" || mine;
    document.getElementById("resolve").hidden = !open;
  }

  function load() {
    return C.api("GET", base).then(function (reply) {
      if (!reply.ok) { warn(C.t("conversation.load_failed")); return; }
      C.clear(transcript);
      (reply.data.transcript || []).forEach(append);
      showState(reply.data);
      warn(reply.data.warning);
    });
  }

  function loadSuggestions() {
    var box = document.getElementById("suggestions");
    C.api("GET", base + "/suggestions").then(function (reply) {
      C.clear(box);
      var items = reply.ok ? (reply.data.faq || []).concat(reply.data.canned || []) : [];
      if (!items.length) { box.appendChild(C.el("p", "muted", C.t("conversation.no_suggestions"))); return; }
      items.forEach(function (item) {
        var button = C.el("button", "suggestion");
        button.type = "button";
        button.appendChild(C.el("span", "muted", item.key ? C.label("canned", item.key) : item.label));
        button.appendChild(document.createElement("br"));
        button.appendChild(C.el("span", null, item.text));
        button.addEventListener("click", function () {
          if (replyBox.disabled) { warn(C.t("conversation.claim_to_reply")); return; }
          replyBox.value = item.text;
          replyBox.focus();
        });
        box.appendChild(button);
      });
    });
  }

  function onEvent(event) {
    if (event.type === "customer_message") {
      append({ from: "customer", text: event.text, timestamp: event.timestamp });
      loadSuggestions();
    } else if (event.type === "agent_message") {
      append({ from: "agent", text: event.text, agent: event.agent, timestamp: Date.now() / 1000 });
    } else if (event.escalation && String(event.escalation.id) === String(id)) {
      load();
    }
  }

  function sendTyping(on) {
    C.api("POST", base + "/typing", { typing: on });
  }

  replyBox.addEventListener("input", function () {
    if (Date.now() - typingSent > 3000) { typingSent = Date.now(); sendTyping(true); }
    window.clearTimeout(typingTimer);
    typingTimer = window.setTimeout(function () { typingSent = 0; sendTyping(false); }, 4000);
  });

  document.getElementById("reply").addEventListener("submit", function (event) {
    event.preventDefault();
    var text = replyBox.value.trim();
    if (!text) { return; }
    var send = document.getElementById("send");
    send.disabled = true;
    C.api("POST", base + "/reply", { text: text }).then(function (reply) {
      send.disabled = false;
      if (reply.ok) { replyBox.value = ""; warn(""); window.clearTimeout(typingTimer); typingSent = 0; }
      else { warn(reply.data.error || C.t("conversation.not_sent")); }
    });
  });

  document.getElementById("claim").addEventListener("click", function () {
    C.api("POST", base + "/claim").then(function (reply) {
      if (!reply.ok) { warn(reply.status === 409 ? C.t("conversation.taken") : C.t("conversation.claim_failed")); }
      load();
    });
  });

  document.getElementById("hand-back").addEventListener("click", function () {
    C.api("POST", base + "/hand-back").then(function (reply) {
      warn(reply.ok ? reply.data.warning : (reply.data.error || C.t("conversation.hand_back_failed")));
      load();
    });
  });

  document.getElementById("resolve").addEventListener("submit", function (event) {
    event.preventDefault();
    var note = document.getElementById("resolve-note");
    C.api("POST", base + "/resolve", { note: note.value }).then(function (reply) {
      warn(reply.ok ? reply.data.warning : (reply.data.error || C.t("conversation.resolve_failed")));
      if (reply.ok) { note.value = ""; }
      load();
    });
  });

  C.heartbeat();
  loadSuggestions();
  C.live(base + "/events", onEvent, load);
}());
