/* Shared by the console pages: API calls with the CSRF token, DOM building with textContent only (customer
   text is never parsed as HTML), the agent's language's texts (from the page's data-texts, rendered by the
   server from locales/console/), the presence heartbeat and the live event stream. */
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="csrf-token"]');
  var csrf = meta ? meta.getAttribute("content") : "";
  var texts = {};
  try { texts = JSON.parse(document.body.dataset.texts || "{}"); } catch (e) { texts = {}; }

  /* The text of a key with {placeholders} filled; the key itself if a text is missing (tests catch that). */
  function t(key, values) {
    var text = Object.prototype.hasOwnProperty.call(texts, key) ? String(texts[key]) : key;
    Object.keys(values || {}).forEach(function (name) { text = text.split("{" + name + "}").join(String(values[name])); });
    return text;
  }

  /* A code's name in the agent's language (a reason, a status), or the code itself. */
  function label(section, code) {
    if (!code) { return ""; }
    var key = section + "." + code;
    return Object.prototype.hasOwnProperty.call(texts, key) ? String(texts[key]) : String(code);
  }

  function api(method, path, body) {
    var options = { method: method, credentials: "same-origin", headers: { "X-CSRF-Token": csrf } };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return fetch(path, options).then(function (response) {
      if (response.status === 401) { window.location.assign("/console/sign-in?next=" + encodeURIComponent(window.location.pathname)); }
      return response.json().catch(function () { return {}; }).then(function (data) {
        return { status: response.status, ok: response.ok, data: data };
      });
    });
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } }

  function duration(fromIso) {
    if (!fromIso) { return ""; }
    var seconds = Math.max(0, Math.round((Date.now() - Date.parse(fromIso)) / 1000));
    if (seconds < 60) { return seconds + " s"; }
    if (seconds < 3600) { return Math.floor(seconds / 60) + " min " + (seconds % 60) + " s"; }
    return Math.floor(seconds / 3600) + " h " + Math.floor((seconds % 3600) / 60) + " min";
  }

  function time(value) {
    if (value === null || value === undefined || value === "") { return ""; }
    var date = typeof value === "number" ? new Date(value * 1000) : new Date(value);
    return date.toLocaleTimeString(document.documentElement.lang || [], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
  }

  /* The agent counts as available for their queues while a console page calls in (every 10 s). */
  function heartbeat() {
    var beat = function () { api("POST", "/console/api/heartbeat"); };
    beat();
    return window.setInterval(beat, 10000);
  }

  /* EventSource reconnects by itself; onOpen re-reads the full state so nothing missed meanwhile is lost. */
  function live(path, onEvent, onOpen) {
    var status = document.getElementById("live-status");
    var source = new EventSource(path);
    source.onopen = function () { if (status) { status.textContent = t("app.live"); } if (onOpen) { onOpen(); } };
    source.onerror = function () { if (status) { status.textContent = t("app.reconnecting"); } };
    source.onmessage = function (message) {
      var event;
      try { event = JSON.parse(message.data); } catch (e) { return; }
      onEvent(event);
    };
    return source;
  }

  window.SupportConsole = { api: api, el: el, clear: clear, duration: duration, time: time,
                            heartbeat: heartbeat, live: live, t: t, label: label };
}());
