// Conference Companion chat widget. Embed with one tag:
//   <script src="https://chat.example.org/widget.js" data-server="https://chat.example.org"
//           data-title="Ask about your conference" data-colour="#1d70b8"></script>
// Optional: data-exit-url (where "Leave this page" goes; default BBC Weather),
// data-lang (the language of the widget's own words; the page's lang by default).
//
// Everything lives in a shadow root on one element appended to <body>: no
// globals, no styles in or out. Bot and user text is always put on the page
// as text, never as HTML; only http(s) addresses become links. The widget's
// own words are in content/widget.json, bundled in when it is built.
import { io } from "socket.io-client";
import css from "./widget.css";
import messages from "../../content/widget.json";

(function () {
  "use strict";
  const script = document.currentScript;
  if (!script || !script.dataset.server) { return; }

  // The words in the page's language ("cy-GB" tries cy-gb, then cy), and
  // English for any word that language lacks.
  function wordsFor(lang) {
    const code = String(lang || "").toLowerCase();
    const known = (c) => c && !c.startsWith("_") && Object.prototype.hasOwnProperty.call(messages, c);
    const found = [code, code.split("-")[0]].find(known);
    return Object.assign({}, messages.en, found ? messages[found] : {});
  }
  const words = wordsFor(script.dataset.lang || document.documentElement.lang);
  // A word with its {names} filled in.
  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, (all, name) => (name in values ? values[name] : all));
  }

  const settings = {
    server: script.dataset.server,
    title: script.dataset.title || words.title,
    colour: /^#[0-9a-f]{3}([0-9a-f]{3})?$/i.test(script.dataset.colour || "") ? script.dataset.colour : "#1d70b8",
    exitUrl: /^https?:\/\//.test(script.dataset.exitUrl || "") ? script.dataset.exitUrl : "https://www.bbc.co.uk/weather",
  };
  const KEYS = { session: "cc-session", token: "cc-token", transcript: "cc-transcript", open: "cc-open" };

  // ------------------------------------------------------------ the markup
  const host = document.createElement("div");
  host.setAttribute("data-conference-companion", "");
  host.style.setProperty("--cc-colour", settings.colour);
  const root = host.attachShadow({ mode: "open" });
  // The styles as a constructed style sheet, which a strict
  // Content-Security-Policy allows (an inline <style> it would block).
  let sheet = null;
  try { sheet = new CSSStyleSheet(); sheet.replaceSync(css); root.adoptedStyleSheets = [sheet]; } catch (e) { sheet = null; }
  root.innerHTML = `${sheet ? "" : `<style>${css}</style>`}
    <div class="cc">
      <button class="launcher" type="button" aria-expanded="false" aria-controls="cc-panel"></button>
      <section class="panel" id="cc-panel" role="dialog" aria-modal="false" aria-labelledby="cc-title" hidden>
        <div class="bar">
          <h2 id="cc-title"></h2>
          <button class="exit" type="button"></button>
          <button class="close" type="button"></button>
        </div>
        <p class="notice"></p>
        <div class="log" role="log" aria-live="polite" aria-relevant="additions" tabindex="0"></div>
        <p class="status" role="status"></p>
        <form class="composer">
          <label for="cc-input"></label>
          <div class="row">
            <input id="cc-input" name="message" autocomplete="off" maxlength="1000">
            <button class="send" type="submit"></button>
          </div>
        </form>
        <button class="clear" type="button"></button>
      </section>
    </div>`;
  const $ = (selector) => root.querySelector(selector);
  const launcher = $(".launcher"), panel = $(".panel"), log = $(".log"), status = $(".status");
  const input = $("#cc-input"), form = $(".composer");
  launcher.textContent = settings.title;
  $("#cc-title").textContent = settings.title;
  $(".exit").textContent = words.leave;
  $(".close").textContent = words.close;
  $(".close").appendChild(el("span", "visually-hidden", words.closeHidden));
  $(".notice").textContent = fill(words.notice, { leave: words.leave });
  log.setAttribute("aria-label", words.conversation);
  $("label[for=cc-input]").textContent = words.question;
  $(".send").textContent = words.send;
  $(".clear").textContent = words.clear;
  document.body.appendChild(host);

  // ------------------------------------------------ rendering, as text only
  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text) { node.textContent = text; }
    return node;
  }

  // Phone numbers the bot gives: 999, 116 123, UK numbers of 8 to 11 digits
  // starting 0, and 5-digit text short codes. A number after "text" is an
  // sms: link, any other a tel: link; the href is built from the digits only.
  const NUMBER = /((?<![\w/:.-])(?:0\d{2,4}(?: ?\d{2,4}){1,3}|116 ?123|999|\d{5})(?![\w/:-]|\.\d))/;
  function withNumbers(node, text) {
    String(text).split(NUMBER).forEach((part, i) => {
      const digits = part.replace(/ /g, "");
      const texted = /\btext\b[^.!?\d]{0,30}$/i.test(String(text).split(NUMBER).slice(0, i).join(""));
      const phone = /^0\d{7,10}$/.test(digits) || digits === "116123" || digits === "999";
      if (i % 2 === 1 && (phone || (texted && /^\d{5}$/.test(digits)))) {
        const link = el("a", "number", part);
        link.href = (texted ? "sms:" : "tel:") + digits;
        node.appendChild(link);
      } else if (part) {
        node.appendChild(document.createTextNode(part));
      }
    });
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
        withNumbers(node, part);
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
      let when = m.date_in_words + (m.time ? ", " + m.time : "");
      if (m.approximate && m.date) { when = fill(words.about, { when: when }); }
      if (m.passed) { when = fill(words.passed, { when: when }); }
      item.appendChild(el("strong", "when", when));
      item.appendChild(el("span", "what", m.label));
      if (m.rule) { item.appendChild(el("span", "rule", m.rule)); }
      if (m.source) { item.appendChild(el("span", "source", fill(words.source, { source: m.source }))); }
      list.appendChild(item);
    });
    box.appendChild(list);
    if (data.calendar && data.calendar.ics) {
      const button = el("button", "calendar", data.calendar.label || words.calendar);
      button.type = "button";
      button.addEventListener("click", () => {
        const link = el("a");
        link.href = URL.createObjectURL(new Blob([data.calendar.ics], { type: "text/calendar" }));
        link.download = data.calendar.filename || words.calendarFile;
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
      // Only the bot's own messages get links; what the parent typed stays plain text.
      node = entry.kind === "bot" ? withLinks(el("p", "msg bot"), entry.text) : el("p", "msg " + entry.kind, entry.text);
      if (entry.kind === "bot") { node.prepend(el("span", "visually-hidden", words.botSaid)); }
      if (entry.kind === "user") { node.prepend(el("span", "visually-hidden", words.youSaid)); }
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
  // The conversation and its token (the server's proof that this tab owns
  // it) last as long as the tab: sessionStorage, never localStorage.
  let sessionId = null, token = null;
  try {
    sessionId = sessionStorage.getItem(KEYS.session);
    token = sessionStorage.getItem(KEYS.token);
    localStorage.removeItem(KEYS.session);    // where older versions kept it
  } catch (e) { sessionId = null; token = null; }
  let confirmed = false;
  let clearing = false;    // between "Clear" and the new session: old replies are dropped
  const waiting = [];      // typed while offline: sent once the session is back
  const socket = io(settings.server, { path: "/socket.io", transports: ["websocket"] });

  // A message with no answer after RESEND_MS (its server may have stopped)
  // is sent once more with the same message id; the server handles an id once.
  const RESEND_MS = 15000;
  let unanswered = null;   // { message, id, timer } of the last message sent
  function emit(message, id, resending) {
    id = id || Date.now().toString(36) + Math.random().toString(36).slice(2, 10);
    socket.emit("user_uttered", { message: message, session_id: sessionId, metadata: { message_id: id } });
    status.textContent = words.typing;
    if (unanswered) { clearTimeout(unanswered.timer); }
    unanswered = { message: message, id: id, timer: resending ? null : setTimeout(() => {
      if (confirmed && socket.connected) { emit(message, id, true); } else { waiting.push({ message, id }); }
    }, RESEND_MS) };
  }

  function send(message, shown) {
    if (!message) { return; }
    if (shown !== null) { add({ kind: "user", text: shown || message }); }
    if (confirmed && socket.connected) { emit(message); } else {
      waiting.push(message);
      status.textContent = words.willSend;
    }
    input.focus();
  }

  socket.on("connect", () => {
    status.textContent = waiting.length ? words.sending : "";
    socket.emit("session_request", { session_id: sessionId, token: token });
  });
  socket.on("session_confirm", (id) => {
    const given = typeof id === "string" ? id : (id && id.session_id) || sessionId;
    const fresh = !sessionId || given !== sessionId;
    sessionId = given;
    token = (id && id.token) || null;
    try {
      sessionStorage.setItem(KEYS.session, sessionId);
      if (token) { sessionStorage.setItem(KEYS.token, token); }
    } catch (e) { /* private mode */ }
    confirmed = true;
    if (fresh && (clearing || !transcript.length)) { emit("/greet"); }
    clearing = false;
    while (waiting.length) {
      const next = waiting.shift();
      if (typeof next === "string") { emit(next); } else { emit(next.message, next.id, true); }
    }
    if (!waiting.length && status.textContent === words.sending) { status.textContent = ""; }
  });
  socket.on("disconnect", () => {
    confirmed = false;
    status.textContent = words.reconnecting;
  });
  socket.io.on("reconnect_attempt", () => { status.textContent = words.reconnecting; });
  socket.on("bot_uttered", (message) => {
    if (clearing) { return; }
    // A reply names the message it answers (reply_to): a late paragraph of
    // an earlier answer (the greeting's, say) does not stop the resend timer.
    const late = unanswered && message.reply_to && message.reply_to !== unanswered.id;
    if (!late) {
      if (unanswered) { clearTimeout(unanswered.timer); unanswered = null; }
      status.textContent = "";
    }
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
      sessionStorage.removeItem(KEYS.session);
      sessionStorage.removeItem(KEYS.token);
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
    token = null;
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
