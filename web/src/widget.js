// Conference Companion chat widget. Embed with one tag:
//   <script src="https://chat.example.org/widget.js" data-server="https://chat.example.org"
//           data-title="Ask about your conference" data-colour="#1d70b8"></script>
// Optional: data-exit-url (where "Leave this page" goes; default BBC Weather).
//
// Everything lives in a shadow root on one element appended to <body>: no
// globals, no styles in or out. Bot and user text is always put on the page
// as text, never as HTML; only http(s) addresses become links.
import { io } from "socket.io-client";
import css from "./widget.css";

(function () {
  "use strict";
  const script = document.currentScript;
  if (!script || !script.dataset.server) { return; }
  const settings = {
    server: script.dataset.server,
    title: script.dataset.title || "Ask about your conference",
    colour: /^#[0-9a-f]{3}([0-9a-f]{3})?$/i.test(script.dataset.colour || "") ? script.dataset.colour : "#1d70b8",
    exitUrl: /^https?:\/\//.test(script.dataset.exitUrl || "") ? script.dataset.exitUrl : "https://www.bbc.co.uk/weather",
  };
  const KEYS = { session: "cc-session", transcript: "cc-transcript", open: "cc-open" };

  // ------------------------------------------------------------ the markup
  const host = document.createElement("div");
  host.setAttribute("data-conference-companion", "");
  host.style.setProperty("--cc-colour", settings.colour);
  const root = host.attachShadow({ mode: "open" });
  root.innerHTML = `<style>${css}</style>
    <div class="cc">
      <button class="launcher" type="button" aria-expanded="false" aria-controls="cc-panel"></button>
      <section class="panel" id="cc-panel" role="dialog" aria-modal="false" aria-labelledby="cc-title" hidden>
        <div class="bar">
          <h2 id="cc-title"></h2>
          <button class="exit" type="button">Leave this page</button>
          <button class="close" type="button">Close<span class="visually-hidden"> the chat</span></button>
        </div>
        <p class="notice">If a child is in danger right now, call 999. To leave quickly, press Escape twice or use "Leave this page".</p>
        <div class="log" role="log" aria-live="polite" aria-relevant="additions" aria-label="Conversation" tabindex="0"></div>
        <p class="status" role="status"></p>
        <form class="composer">
          <label for="cc-input">Your question</label>
          <div class="row">
            <input id="cc-input" name="message" autocomplete="off" maxlength="1000">
            <button class="send" type="submit">Send</button>
          </div>
        </form>
        <button class="clear" type="button">Clear this conversation</button>
      </section>
    </div>`;
  const $ = (selector) => root.querySelector(selector);
  const launcher = $(".launcher"), panel = $(".panel"), log = $(".log"), status = $(".status");
  const input = $("#cc-input"), form = $(".composer");
  launcher.textContent = settings.title;
  $("#cc-title").textContent = settings.title;
  document.body.appendChild(host);

  // ------------------------------------------------ rendering, as text only
  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text) { node.textContent = text; }
    return node;
  }

  function withLinks(node, text) {
    String(text).split(/(https?:\/\/[^\s<>"]+[^\s<>".,;:!?)])/).forEach((part, i) => {
      if (i % 2 === 1) {
        const link = el("a", "", part);
        link.href = part;
        link.target = "_blank";
        link.rel = "noopener noreferrer";
        node.appendChild(link);
      } else if (part) {
        node.appendChild(document.createTextNode(part));
      }
    });
    return node;
  }

  function timeline(data) {
    const box = el("section", "timeline");
    box.appendChild(el("h3", "", data.title));
    const list = el("ol");
    (data.milestones || []).forEach((m) => {
      const item = el("li", m.passed ? "passed" : "");
      let when = (m.approximate && m.date ? "About " : "") + m.date_in_words + (m.time ? ", " + m.time : "");
      if (m.passed) { when += " (passed)"; }
      item.appendChild(el("strong", "when", when));
      item.appendChild(el("span", "what", m.label));
      if (m.rule) { item.appendChild(el("span", "rule", m.rule)); }
      if (m.source) { item.appendChild(el("span", "source", "Source: " + m.source)); }
      list.appendChild(item);
    });
    box.appendChild(list);
    if (data.calendar && data.calendar.ics) {
      const button = el("button", "calendar", data.calendar.label || "Add to my calendar");
      button.type = "button";
      button.addEventListener("click", () => {
        const link = el("a");
        link.href = URL.createObjectURL(new Blob([data.calendar.ics], { type: "text/calendar" }));
        link.download = data.calendar.filename || "dates.ics";
        root.appendChild(link);
        link.click();
        link.remove();
      });
      box.appendChild(button);
    }
    return box;
  }

  function render(entry) {
    let node;
    if (entry.kind === "timeline") {
      node = timeline(entry.data);
    } else if (entry.kind === "choices") {
      node = el("div", "choices");
      entry.buttons.forEach((b) => {
        const button = el("button", "choice", b.title);
        button.type = "button";
        button.addEventListener("click", () => send(b.payload, b.title));
        node.appendChild(button);
      });
    } else {
      node = withLinks(el("p", "msg " + entry.kind), entry.text);
      if (entry.kind === "bot") { node.prepend(el("span", "visually-hidden", "Conference Companion said: ")); }
      if (entry.kind === "user") { node.prepend(el("span", "visually-hidden", "You said: ")); }
    }
    log.appendChild(node);
    log.scrollTop = log.scrollHeight;
  }

  // The conversation on screen survives a reload of this tab only.
  let transcript = [];
  try { transcript = JSON.parse(sessionStorage.getItem(KEYS.transcript) || "[]"); } catch (e) { transcript = []; }
  function add(entry) {
    transcript.push(entry);
    try { sessionStorage.setItem(KEYS.transcript, JSON.stringify(transcript.slice(-200))); } catch (e) { /* full */ }
    render(entry);
  }
  transcript.forEach(render);

  // ------------------------------------------------------- the connection
  let sessionId = null;
  try { sessionId = localStorage.getItem(KEYS.session); } catch (e) { sessionId = null; }
  let confirmed = false;
  let clearing = false;    // between "Clear" and the new session: old replies are dropped
  const waiting = [];      // typed while offline: sent once the session is back
  const socket = io(settings.server, { path: "/socket.io", transports: ["websocket"] });

  function emit(message) {
    socket.emit("user_uttered", { message: message, session_id: sessionId });
    status.textContent = "Conference Companion is typing…";
  }

  function send(message, shown) {
    if (!message) { return; }
    if (shown !== null) { add({ kind: "user", text: shown || message }); }
    if (confirmed && socket.connected) { emit(message); } else {
      waiting.push(message);
      status.textContent = "Reconnecting… your message will be sent when the chat is back.";
    }
    input.focus();
  }

  socket.on("connect", () => {
    status.textContent = waiting.length ? "Sending…" : "";
    socket.emit("session_request", { session_id: sessionId });
  });
  socket.on("session_confirm", (id) => {
    const fresh = !sessionId;
    sessionId = typeof id === "string" ? id : (id && id.session_id) || sessionId;
    try { localStorage.setItem(KEYS.session, sessionId); } catch (e) { /* private mode */ }
    confirmed = true;
    if (fresh && (clearing || !transcript.length)) { emit("/greet"); }
    clearing = false;
    while (waiting.length) { emit(waiting.shift()); }
    if (!waiting.length && status.textContent.startsWith("Sending")) { status.textContent = ""; }
  });
  socket.on("disconnect", () => {
    confirmed = false;
    status.textContent = "Reconnecting…";
  });
  socket.io.on("reconnect_attempt", () => { status.textContent = "Reconnecting…"; });
  socket.on("bot_uttered", (message) => {
    if (clearing) { return; }
    status.textContent = "";
    const custom = message.custom || message;
    if (custom && custom.type === "timeline") { add({ kind: "timeline", data: custom }); return; }
    if (message.text) { add({ kind: "bot", text: message.text }); }
    const buttons = message.quick_replies || message.buttons;
    if (buttons && buttons.length) {
      add({ kind: "choices", buttons: buttons.map((b) => ({ title: String(b.title), payload: String(b.payload) })) });
    }
  });

  // ------------------------------------------------------------- controls
  function open() {
    panel.hidden = false;
    launcher.hidden = true;
    launcher.setAttribute("aria-expanded", "true");
    try { sessionStorage.setItem(KEYS.open, "1"); } catch (e) { /* ignore */ }
    input.focus();
  }
  function close() {
    panel.hidden = true;
    launcher.hidden = false;
    launcher.setAttribute("aria-expanded", "false");
    try { sessionStorage.removeItem(KEYS.open); } catch (e) { /* ignore */ }
    launcher.focus();
  }
  function forget() {
    transcript = [];
    log.textContent = "";
    try {
      sessionStorage.removeItem(KEYS.transcript);
      sessionStorage.removeItem(KEYS.open);
      localStorage.removeItem(KEYS.session);
    } catch (e) { /* ignore */ }
  }
  // GOV.UK "Exit this page": clear the screen, then replace the page, so
  // Back does not return to it.
  function leave() {
    forget();
    socket.disconnect();
    document.title = "";
    window.location.replace(settings.exitUrl);
  }

  launcher.addEventListener("click", open);
  $(".close").addEventListener("click", close);
  $(".exit").addEventListener("click", leave);
  $(".clear").addEventListener("click", () => {
    if (confirmed) { emit("/delete_my_conversation"); }
    forget();
    clearing = true;
    sessionId = null;
    socket.emit("session_request", { session_id: null });
    input.focus();
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    input.value = "";
    send(text);
  });

  let lastEscape = 0;
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") { return; }
    const now = Date.now();
    if (now - lastEscape < 1000) { leave(); return; }
    lastEscape = now;
    if (!panel.hidden) { close(); }
  });

  if (sessionStorage.getItem(KEYS.open)) { open(); }
})();
