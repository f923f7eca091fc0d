/*
 * Support chat widget. Embed with one tag:
 *   <script src="https://<host>/widget/widget.js" data-server-url="https://<rasa>" data-locale="nl-BE"
 *           data-title="Support" defer></script>
 * or set window.SupportChatConfig = {serverUrl, locale, title} before it.
 *
 * Everything the assistant or a customer sends is rendered as text (textContent): no HTML is ever
 * interpreted, and only http(s) URLs become links (opened in a new tab without opener/referrer).
 * Live handoff: a colleague's messages carry their display name and are shown apart from the assistant's,
 * with "<name> joined" / "<name> left" lines and their typing indicator. While the customer waits for a
 * colleague a status line says so (with the place in the queue) and offers to stop waiting, which sends the
 * language's cancel word. Every message from the server carries its tracker timestamp; after every
 * (re)connect or reload the widget asks the server for what came after the last one it showed (the
 * assistant's, e.g. the hand-back greeting, and the colleague's), so nothing sent while the page reloaded
 * or the socket was down is lost, and nothing is shown twice. A new tab (empty sessionStorage) rebuilds
 * the conversation from the server.
 * The conversation survives reloads and server restarts (socket.io reconnects and asks for the same
 * session). Privacy: the transcript holds what the customer typed (names, e-mails), so it is kept in
 * sessionStorage - gone when the tab or browser closes - and never in localStorage; only the session id and
 * the widget's settings (language, open/closed) stay in localStorage.
 */
(function () {
  "use strict";
  if (window.__supportChatLoaded) return;
  window.__supportChatLoaded = true;

  var script = document.currentScript;
  var base = script ? new URL(".", script.src).href : "/widget/";
  var given = window.SupportChatConfig || {};
  var data = (script && script.dataset) || {};
  var config = {
    serverUrl: given.serverUrl || data.serverUrl || window.location.origin,
    locale: given.locale || data.locale || document.documentElement.lang || "de",
    title: given.title || data.title || "",
    open: (given.open !== undefined ? String(given.open) : data.open) === "true"
  };
  var STORE = "supportchat:" + config.serverUrl + ":";
  var MAX_STORED = 200;
  var URL_PATTERN = /\bhttps?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)\]]/g;

  // Personal data (the transcript) only in the tab's session; settings and the session id across visits.
  var SESSION_ONLY = {transcript: true, since: true, seen: true};
  function storage(key) { return SESSION_ONLY[key] ? window.sessionStorage : window.localStorage; }
  function load(key, fallback) {
    try { var v = storage(key).getItem(STORE + key); return v === null ? fallback : JSON.parse(v); }
    catch (e) { return fallback; }
  }
  function save(key, value) {
    try { storage(key).setItem(STORE + key, JSON.stringify(value)); } catch (e) { /* private mode */ }
  }
  try { window.localStorage.removeItem(STORE + "transcript"); } catch (e) { /* a transcript older versions kept */ }
  try { window.localStorage.removeItem(STORE + "withAgent"); } catch (e) { /* the server says it now */ }
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  var languages = [];
  var state = {
    session: load("session", null),
    transcript: load("transcript", []),
    language: load("language", null) || String(config.locale).slice(0, 2).toLowerCase(),
    country: null,
    since: load("since", 0),  // tracker timestamp of the newest server message shown
    seen: load("seen", {}),  // tracker timestamp -> "live" | "fetched": each server message shown once
    restoring: false,  // a new tab: the first history call rebuilds the conversation
    withAgent: false,
    waiting: null  // while waiting for a colleague: {position: n or null}
  };
  var socket = null, ui = {}, typingTimer = null, waitingTimer = null;
  var WAITING_POLL_MS = 10000;

  function strings() {
    var lang = languages.filter(function (l) { return l.code === state.language; })[0] || languages[0];
    return (lang && lang.strings) || {};
  }
  function countryFor(language) {
    var fromLocale = String(config.locale).split(/[-_]/);
    if (fromLocale[0].toLowerCase() === language && fromLocale[1]) return fromLocale[1].toUpperCase();
    var lang = languages.filter(function (l) { return l.code === language; })[0];
    return lang ? lang.country : null;
  }

  /* Text with http(s) links; never HTML. */
  function renderText(container, text) {
    var last = 0, match;
    URL_PATTERN.lastIndex = 0;
    while ((match = URL_PATTERN.exec(text)) !== null) {
      container.appendChild(document.createTextNode(text.slice(last, match.index)));
      var a = el("a", { href: match[0], target: "_blank", rel: "noopener noreferrer nofollow" }, match[0]);
      container.appendChild(a);
      last = match.index + match[0].length;
    }
    container.appendChild(document.createTextNode(text.slice(last)));
  }

  function timeLabel(ts) {
    try {
      return new Intl.DateTimeFormat(state.language + "-" + (state.country || ""), { hour: "2-digit", minute: "2-digit" })
        .format(new Date(ts));
    } catch (e) { return new Date(ts).toLocaleTimeString(); }
  }

  function fill(template, name) { return String(template || "{name}").split("{name}").join(name); }

  /* "<name> joined" / "<name> left ...": a line of its own, not a bubble. */
  function systemLine(entry) {
    var s = strings();
    var text = fill(entry.handoff === "joined" ? s.agent_joined : s.agent_left, entry.agent || s.agent || "");
    var item = el("p", { "class": "sc-system", "data-from": "system", "data-handoff": entry.handoff }, text);
    ui.log.appendChild(item);
  }

  function addMessage(entry, persist) {
    var s = strings();
    if (entry.from === "system") {
      systemLine(entry);
    } else {
      addBubble(entry, s);
    }
    ui.log.scrollTop = ui.log.scrollHeight;
    if (persist) {
      state.transcript.push(entry);
      if (state.transcript.length > MAX_STORED) state.transcript = state.transcript.slice(-MAX_STORED);
      save("transcript", state.transcript);
    }
  }

  function addBubble(entry, s) {
    var item = el("div", { "class": "sc-msg sc-" + entry.from, "data-from": entry.from });
    var speaker = entry.from === "user" ? s.you : entry.from === "agent" ? (entry.agent || s.agent) : s.assistant;
    if (entry.from === "agent") {
      item.appendChild(el("span", { "class": "sc-agent-name" }, entry.agent + " · " + (s.agent || "")));
    }
    var who = el("span", { "class": "sc-visually-hidden" }, speaker + ": ");
    var bubble = el("div", { "class": "sc-bubble" });
    bubble.appendChild(who);
    renderText(bubble, String(entry.text || ""));
    item.appendChild(bubble);
    item.appendChild(el("time", { "class": "sc-time", datetime: new Date(entry.ts).toISOString() }, timeLabel(entry.ts)));
    if (entry.buttons && entry.buttons.length) {
      var group = el("div", { "class": "sc-buttons", role: "group" });
      entry.buttons.forEach(function (b) {
        var button = el("button", { type: "button", "class": "sc-quick" }, String(b.title || ""));
        if (entry.answered) button.disabled = true;
        button.addEventListener("click", function () {
          entry.answered = true;
          Array.prototype.forEach.call(group.querySelectorAll("button"), function (x) { x.disabled = true; });
          send(String(b.payload || ""), String(b.title || ""));
          save("transcript", state.transcript);
        });
        group.appendChild(button);
      });
      item.appendChild(group);
    }
    ui.log.appendChild(item);
  }

  /* Whether a server message (live or from the history) is new; remembers it. Live parts of one message
     share its timestamp, so only a fetched copy hides a live one and vice versa. */
  function firstTime(ts, how) {
    if (!ts) return true;
    var key = String(ts), before = state.seen[key];
    if (before && (how === "fetched" || before === "fetched")) return false;
    state.seen[key] = how;
    var keys = Object.keys(state.seen);
    if (keys.length > MAX_STORED) {
      keys.sort(function (a, b) { return Number(a) - Number(b); }).slice(0, keys.length - MAX_STORED)
        .forEach(function (k) { delete state.seen[k]; });
    }
    state.since = Math.max(state.since, ts);
    save("seen", state.seen); save("since", state.since);
    return true;
  }

  /* A colleague's message or joined/left marker. */
  function addAgentEvent(message, ts) {
    if (message.handoff === "joined" || message.handoff === "left") {
      state.withAgent = message.handoff === "joined";
      setWaiting(null);
      setAgentTyping(null);
      addMessage({ from: "system", handoff: message.handoff, agent: String(message.agent || ""), ts: ts ? ts * 1000 : Date.now() }, true);
      return;
    }
    setWaiting(null);
    setAgentTyping(null);
    addMessage({ from: "agent", agent: String(message.agent || ""), text: String(message.text || ""),
                 ts: ts ? ts * 1000 : Date.now() }, true);
  }

  /* The assistant's message: "please wait for a colleague" starts the waiting state, any other ends it. */
  function addAssistantMessage(message, ts) {
    setTyping(false);
    if (message.handoff === "waiting") {
      setWaiting({ position: Number(message.queue_position) || null });
    } else if (state.waiting) {
      setWaiting(null);
    }
    addMessage({ from: "bot", text: String(message.text || ""), buttons: message.buttons || [],
                 ts: ts ? ts * 1000 : Date.now() }, true);
  }

  /* A fetched customer message (only when a new tab rebuilds the conversation): a button's payload is
     shown as the button's title, a payload the widget sent on its own (the greeting) not at all. */
  function addFetchedCustomerMessage(entry, lastButtons, ts) {
    var text = String(entry.text || "");
    if (text.charAt(0) === "/") {
      var button = lastButtons.filter(function (b) { return b.payload === text; })[0];
      if (!button) return;
      text = String(button.title || "");
    }
    addMessage({ from: "user", text: text, ts: ts * 1000 }, true);
  }

  function onServerMessage(message) {
    var ts = Number(message.timestamp) || 0;
    if (!firstTime(ts, "live")) return;
    if (message.agent) addAgentEvent(message, ts); else addAssistantMessage(message, ts);
  }

  function setAgentTyping(name) {
    clearTimeout(typingTimer);
    ui.typing.textContent = name ? fill(strings().agent_typing, name) : (strings().typing || "…");
    ui.typing.hidden = !name;
    if (name) typingTimer = setTimeout(function () { ui.typing.hidden = true; }, 20000);
  }

  /* What the server sent while this page was closed, reloading or offline (the tracker has it), and
     whether the conversation waits for or is with a colleague. */
  function fetchMissed() {
    if (!state.session) return;
    var restoring = state.restoring, since = restoring ? 0 : state.since;
    // A transcript from before messages carried timestamps: only the colleague's are matched safely.
    var legacy = !restoring && !since && state.transcript.length > 0;
    var url = config.serverUrl.replace(/\/$/, "") + "/webhooks/socketio/history?session_id=" +
      encodeURIComponent(state.session) + "&since=" + encodeURIComponent(String(since || 0));
    fetch(url).then(function (r) { return r.ok ? r.json() : null; }).then(function (body) {
      if (!body) return;
      state.restoring = false;
      var lastButtons = [];
      (body.messages || []).forEach(function (m) {
        var ts = Number(m.timestamp) || 0;
        if (m.from === "customer") {
          if (restoring && ts) addFetchedCustomerMessage(m, lastButtons, ts);
          return;
        }
        if (legacy && m.from !== "agent") return;
        if (!firstTime(ts, "fetched")) return;
        if (m.from === "agent") { addAgentEvent(m, ts); return; }
        lastButtons = m.buttons || [];
        String(m.text || "").split("\n\n").forEach(function (part, i, parts) {
          addAssistantMessage({ text: part, handoff: m.handoff, buttons: i === parts.length - 1 ? lastButtons : [] }, ts);
        });
      });
      applyHandoffState(body.handoff || null);
    }).catch(function () { /* offline again: the next reconnect asks again */ });
  }

  /* The server's word on the handoff: waiting (with the place in the queue), with a colleague, or neither. */
  function applyHandoffState(handoff) {
    if (handoff && handoff.status === "unknown") return;
    state.withAgent = !!handoff && handoff.status === "claimed";
    if (handoff && handoff.status === "waiting") setWaiting({ position: Number(handoff.position) || null });
    else setWaiting(null);
  }

  function setWaiting(waiting) {
    state.waiting = waiting;
    clearTimeout(waitingTimer);
    if (!ui.waiting) return;
    ui.waiting.hidden = !waiting;
    if (!waiting) return;
    var s = strings();
    ui.waitingText.textContent = waiting.position
      ? String(s.waiting_position || "").split("{position}").join(formatNumber(waiting.position))
      : String(s.waiting || "");
    ui.cancelWaiting.textContent = s.cancel_waiting || "";
    setTyping(false);
    // The queue moves when colleagues claim conversations (in the console): ask again now and then.
    waitingTimer = setTimeout(fetchMissed, WAITING_POLL_MS);
  }

  function formatNumber(n) {
    try { return new Intl.NumberFormat(state.language).format(n); } catch (e) { return String(n); }
  }

  function setTyping(on) {
    if (on && (state.withAgent || state.waiting)) return;  // the assistant is silent while a colleague has it
    ui.typing.textContent = strings().typing || "…";
    ui.typing.hidden = !on;
    clearTimeout(typingTimer);
    if (on) typingTimer = setTimeout(function () { ui.typing.hidden = true; }, 20000);
  }

  function setStatus(text) {
    ui.status.textContent = text || "";
    ui.status.hidden = !text;
  }

  function send(message, shownAs) {
    if (!socket || !state.session) return;
    if (shownAs !== null) addMessage({ from: "user", text: shownAs !== undefined ? shownAs : message, ts: Date.now() }, true);
    setTyping(true);
    socket.emit("user_uttered", {
      message: message, session_id: state.session,
      metadata: { language: state.language, country: state.country }
    });
  }

  function applyStrings() {
    var s = strings();
    ui.launcher.setAttribute("aria-label", s.open || "Chat");
    ui.launcher.title = s.open || "";
    ui.close.setAttribute("aria-label", s.close || "Close");
    ui.title.textContent = config.title || s.title || "";
    ui.input.placeholder = s.placeholder || "";
    ui.input.setAttribute("aria-label", s.placeholder || "");
    ui.send.textContent = s.send || "Send";
    ui.picker.setAttribute("aria-label", s.language || "Language");
    ui.log.setAttribute("aria-label", s.log || "");
    ui.typing.textContent = s.typing || "…";
    ui.panel.setAttribute("aria-label", config.title || s.title || "Chat");
    if (state.waiting) setWaiting(state.waiting);
  }

  function openPanel(open) {
    ui.panel.hidden = !open;
    ui.launcher.setAttribute("aria-expanded", String(open));
    save("open", open);
    if (open) ui.input.focus(); else ui.launcher.focus();
  }

  /* A speech-bubble icon as SVG (fonts may lack emoji); built with DOM calls, no markup strings. */
  function chatIcon() {
    var NS = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(NS, "svg");
    svg.setAttribute("viewBox", "0 0 24 24"); svg.setAttribute("width", "26"); svg.setAttribute("height", "26");
    svg.setAttribute("aria-hidden", "true"); svg.setAttribute("focusable", "false");
    var path = document.createElementNS(NS, "path");
    path.setAttribute("fill", "currentColor");
    path.setAttribute("d", "M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2zm3 6v2h2V9H7zm4 0v2h2V9h-2zm4 0v2h2V9h-2z");
    svg.appendChild(path);
    return svg;
  }

  function build() {
    var root = el("div", { "class": "sc-root" });
    ui.launcher = el("button", { type: "button", "class": "sc-launcher", "aria-expanded": "false", "aria-controls": "sc-panel" });
    ui.launcher.appendChild(chatIcon());
    ui.panel = el("section", { "class": "sc-panel", id: "sc-panel", role: "dialog", "aria-modal": "false" });
    var header = el("header", { "class": "sc-header" });
    ui.title = el("h2", { "class": "sc-title" });
    ui.picker = el("select", { "class": "sc-picker" });
    languages.forEach(function (l) {
      var option = el("option", { value: l.code, lang: l.code }, l.name);
      if (l.code === state.language) option.selected = true;
      ui.picker.appendChild(option);
    });
    ui.close = el("button", { type: "button", "class": "sc-close" }, "×");
    header.appendChild(ui.title); header.appendChild(ui.picker); header.appendChild(ui.close);
    ui.status = el("p", { "class": "sc-status", role: "status" }); ui.status.hidden = true;
    ui.log = el("div", { "class": "sc-log", role: "log", "aria-live": "polite", tabindex: "0" });
    ui.typing = el("p", { "class": "sc-typing", "aria-live": "polite" }); ui.typing.hidden = true;
    ui.waiting = el("div", { "class": "sc-waiting", role: "status" }); ui.waiting.hidden = true;
    ui.waitingText = el("span", { "class": "sc-waiting-text" });
    ui.cancelWaiting = el("button", { type: "button", "class": "sc-cancel-waiting" });
    ui.waiting.appendChild(ui.waitingText); ui.waiting.appendChild(ui.cancelWaiting);
    var form = el("form", { "class": "sc-form" });
    ui.input = el("input", { type: "text", "class": "sc-input", maxlength: "2000", autocomplete: "off" });
    ui.send = el("button", { type: "submit", "class": "sc-send" });
    form.appendChild(ui.input); form.appendChild(ui.send);
    ui.panel.appendChild(header); ui.panel.appendChild(ui.status); ui.panel.appendChild(ui.waiting);
    ui.panel.appendChild(ui.log);
    ui.panel.appendChild(ui.typing); ui.panel.appendChild(form);
    root.appendChild(ui.panel); root.appendChild(ui.launcher);
    document.body.appendChild(root);

    ui.launcher.addEventListener("click", function () { openPanel(ui.panel.hidden); });
    ui.close.addEventListener("click", function () { openPanel(false); });
    ui.cancelWaiting.addEventListener("click", function () {
      var word = strings().cancel_word;
      if (word) send(word);
    });
    ui.panel.addEventListener("keydown", function (e) { if (e.key === "Escape") openPanel(false); });
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var text = ui.input.value.trim();
      if (!text) return;
      ui.input.value = "";
      send(text);
    });
    ui.picker.addEventListener("change", function () {
      state.language = ui.picker.value;
      state.country = countryFor(state.language);
      save("language", state.language);
      applyStrings();
      send("/greet", null);  // the assistant greets in the newly picked language: the switch is visible
    });
    applyStrings();
    state.transcript.forEach(function (entry) { addMessage(entry, false); });
    state.restoring = state.transcript.length === 0 && !!state.session;
    openPanel(config.open || load("open", false));
  }

  function connect() {
    socket = window.io(config.serverUrl, { transports: ["websocket"], reconnection: true, reconnectionDelayMax: 5000 });
    socket.on("connect", function () {
      setStatus("");
      socket.emit("session_request", { session_id: state.session });
    });
    socket.on("session_confirm", function (id) {
      state.session = typeof id === "string" ? id : (id && id.session_id) || state.session;
      save("session", state.session);
      fetchMissed();
    });
    socket.on("handoff_typing", function (data) {
      if (data && data.typing) setAgentTyping(String(data.agent || strings().agent || "")); else setAgentTyping(null);
    });
    socket.on("bot_uttered", function (message) {
      if (!message) return;
      onServerMessage({ text: message.text, agent: message.agent, handoff: message.handoff,
                        queue_position: message.queue_position, timestamp: message.timestamp,
                        buttons: message.quick_replies || message.buttons || [] });
    });
    socket.on("disconnect", function () { setTyping(false); setStatus(strings().reconnecting); });
    socket.on("connect_error", function () { setStatus(strings().reconnecting); });
  }

  function loadScript(src, done) {
    var tag = document.createElement("script");
    tag.src = src; tag.onload = done; tag.async = true;
    document.head.appendChild(tag);
  }

  function start() {
    var css = el("link", { rel: "stylesheet", href: base + "widget.css" });
    document.head.appendChild(css);
    fetch(base + "config.json").then(function (r) { return r.json(); }).then(function (cfg) {
      languages = cfg.languages || [];
      if (!languages.some(function (l) { return l.code === state.language; })) state.language = cfg["default"];
      state.country = countryFor(state.language);
      build();
      loadScript(base + "vendor/socket.io.min.js", connect);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})();
